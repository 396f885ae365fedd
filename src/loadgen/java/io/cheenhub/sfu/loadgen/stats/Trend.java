package io.cheenhub.sfu.loadgen.stats;

import java.util.Optional;

/**
 * Whether a resource series sampled over a long run stays flat: first and last reading, range, the
 * least-squares slope, and the verdict from the floors (lowest readings) of the first and the last
 * quarter of the samples. Floors, not single readings, because heap after GC saw-tooths between
 * collections and pools grow and shrink: a leak raises the floor.
 */
public record Trend(
    long first,
    long last,
    long min,
    long max,
    long firstQuarterFloor,
    long lastQuarterFloor,
    double slopePerHour,
    boolean flat) {

  private static final double SECONDS_PER_HOUR = 3_600;

  /**
   * The trend of {@code values} read at {@code seconds} (same length); readings below 0 are unknown
   * and left out. Flat when the last quarter's floor exceeds the first quarter's by at most {@code
   * absoluteTolerance} or {@code relativeTolerance} of the first floor, whichever is larger. Empty
   * with fewer than two known readings.
   */
  public static Optional<Trend> of(
      double[] seconds, long[] values, long absoluteTolerance, double relativeTolerance) {
    if (seconds.length != values.length) {
      throw new IllegalArgumentException("seconds and values differ in length");
    }
    int known = 0;
    for (long value : values) {
      if (value >= 0) {
        known++;
      }
    }
    if (known < 2) {
      return Optional.empty();
    }
    double[] x = new double[known];
    long[] y = new long[known];
    for (int i = 0, k = 0; i < values.length; i++) {
      if (values[i] >= 0) {
        x[k] = seconds[i];
        y[k++] = values[i];
      }
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long value : y) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    long firstFloor = floor(y, 0, 25);
    long lastFloor = floor(y, 75, 100);
    long tolerance = Math.max(absoluteTolerance, (long) (relativeTolerance * firstFloor));
    return Optional.of(
        new Trend(
            y[0],
            y[known - 1],
            min,
            max,
            firstFloor,
            lastFloor,
            slope(x, y) * SECONDS_PER_HOUR,
            lastFloor - firstFloor <= tolerance));
  }

  /**
   * The lowest value from {@code fromPercent} to {@code toPercent} of the readings, at least one
   * reading (the same quarters the churn run reports).
   */
  static long floor(long[] values, int fromPercent, int toPercent) {
    int from = Math.min(values.length - 1, values.length * fromPercent / 100);
    int to = Math.min(values.length, Math.max(from + 1, values.length * toPercent / 100));
    long floor = Long.MAX_VALUE;
    for (int i = from; i < to; i++) {
      floor = Math.min(floor, values[i]);
    }
    return floor;
  }

  /** Ordinary least squares: units per second; 0 when every reading has the same time. */
  static double slope(double[] x, long[] y) {
    double meanX = 0;
    double meanY = 0;
    for (int i = 0; i < x.length; i++) {
      meanX += x[i];
      meanY += y[i];
    }
    meanX /= x.length;
    meanY /= y.length;
    double covariance = 0;
    double variance = 0;
    for (int i = 0; i < x.length; i++) {
      covariance += (x[i] - meanX) * (y[i] - meanY);
      variance += (x[i] - meanX) * (x[i] - meanX);
    }
    return variance == 0 ? 0 : covariance / variance;
  }
}
