package io.cheenhub.sfu.loadgen.stats;

/**
 * Microsecond values in fixed buckets: 10 µs wide up to 10 ms, 1 ms wide up to 1 s, one overflow
 * bucket; plus the exact maximum. Recording is allocation-free and single-threaded (each media loop
 * owns one); {@link #add} merges copies for a report.
 */
public final class Histogram {

  private static final int FINE_MICROS = 10;
  private static final int FINE_BUCKETS = 1_000; // 0..10 ms
  private static final int COARSE_MICROS = 1_000;
  private static final int COARSE_BUCKETS = 990; // 10 ms..1 s
  private static final int BUCKETS = FINE_BUCKETS + COARSE_BUCKETS + 1;

  private final long[] counts = new long[BUCKETS];
  private long count;
  private long max;

  /** Records one value in microseconds (negative values count as 0). */
  public void record(long micros) {
    long value = Math.max(0, micros);
    counts[index(value)]++;
    count++;
    if (value > max) {
      max = value;
    }
  }

  private static int index(long micros) {
    if (micros < (long) FINE_MICROS * FINE_BUCKETS) {
      return (int) (micros / FINE_MICROS);
    }
    long coarse = (micros - (long) FINE_MICROS * FINE_BUCKETS) / COARSE_MICROS;
    return (int) Math.min(FINE_BUCKETS + coarse, BUCKETS - 1);
  }

  /** The largest value a bucket holds. */
  private static long top(int index) {
    if (index < FINE_BUCKETS) {
      return (long) (index + 1) * FINE_MICROS - 1;
    }
    if (index < BUCKETS - 1) {
      return (long) FINE_MICROS * FINE_BUCKETS + (long) (index - FINE_BUCKETS + 1) * COARSE_MICROS;
    }
    return Long.MAX_VALUE;
  }

  /** Forgets everything recorded. */
  public void reset() {
    java.util.Arrays.fill(counts, 0);
    count = 0;
    max = 0;
  }

  /** Adds another histogram's counts to this one. */
  public void add(Histogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    count += other.count;
    max = Math.max(max, other.max);
  }

  public long count() {
    return count;
  }

  public long maxMicros() {
    return max;
  }

  /**
   * The value at {@code percentile} (0..100): the top of the bucket holding it, capped at the
   * maximum; 0 when empty.
   */
  public long percentileMicros(double percentile) {
    if (count == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(percentile / 100.0 * count);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= Math.max(1, rank)) {
        return Math.min(top(i), max);
      }
    }
    return max;
  }

  /** A copy, for reading while the owner keeps recording (counts may be a packet apart). */
  public Histogram copy() {
    var copy = new Histogram();
    copy.add(this);
    return copy;
  }
}
