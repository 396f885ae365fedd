package io.cheenhub.sfu.loadgen;

import java.util.Locale;

/**
 * How the benchmark report writes a figure into a markdown table cell: fixed decimals, the unit,
 * and "n/a" for what was not measured (negative or NaN, the load generator's marks for unknown).
 */
final class Cells {

  static final String UNKNOWN = "n/a";

  private Cells() {}

  /** Milliseconds with two decimals, no unit (the column names it). */
  static String ms(long micros) {
    return micros < 0 ? UNKNOWN : format("%.2f", micros / 1000.0);
  }

  /** Milliseconds with two decimals and the unit. */
  static String millis(long micros) {
    return micros < 0 ? UNKNOWN : ms(micros) + " ms";
  }

  static String micros(double value) {
    return unknown(value) ? UNKNOWN : format("%.1f µs", value);
  }

  /** A quotient of two like figures, two decimals. */
  static String ratio(double value) {
    return unknown(value) ? UNKNOWN : format("%.2f", value);
  }

  /** A multiple of the raw UDP send floor, two decimals. */
  static String times(double value) {
    return unknown(value) ? UNKNOWN : format("%.2f×", value);
  }

  static String percent(double value, int decimals) {
    return unknown(value) ? UNKNOWN : format("%." + decimals + "f %%", value);
  }

  /** A process's CPU over a window, in percent of one core. */
  static String shareOfCore(double percent) {
    return unknown(percent) ? UNKNOWN : format("%.1f %% of a core", percent);
  }

  static String mb(long bytes) {
    return bytes < 0 ? UNKNOWN : (bytes >> 20) + " MB";
  }

  /** Whether {@code value} meets an upper bound: "met", "not met", or n/a. */
  static String verdict(double value, double atMost) {
    return unknown(value) ? UNKNOWN : value <= atMost ? "met" : "not met";
  }

  private static boolean unknown(double value) {
    return Double.isNaN(value) || Double.isInfinite(value) || value < 0;
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
