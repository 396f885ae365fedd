package io.cheenhub.sfu.media;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Forwarding latency (packet in → packet out) in microseconds, recorded without allocation from any
 * thread, read as percentiles.
 *
 * <p>Log-linear buckets as in HdrHistogram: exact up to 31 µs, then 16 buckets per power of two, so
 * a reported value is at most 1/16 (6.25 %) above the true one. Values from 2^24 µs (16.8 s) up
 * share the last bucket. 336 buckets, 2.7 KB.
 */
public final class LatencyHistogram {

  /** 2^4 = 16 sub-buckets per power of two: the relative resolution. */
  private static final int SUB_BUCKET_BITS = 4;

  private static final int SUB_BUCKETS = 1 << SUB_BUCKET_BITS;

  /** Values of 2^24 µs (16.8 s) and more count in the last bucket. */
  private static final long OVERFLOW_MICROS = 1L << 24;

  private static final long NANOS_PER_MICRO = 1_000;

  static final int BUCKETS = index(OVERFLOW_MICROS - 1) + 1;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final AtomicLong max = new AtomicLong();
  private final AtomicLong sum = new AtomicLong();

  /** Records a latency given in nanoseconds (negative counts as 0). */
  public void recordNanos(long nanos) {
    recordMicros(nanos / NANOS_PER_MICRO);
  }

  /** Records a latency given in microseconds (negative counts as 0). */
  public void recordMicros(long micros) {
    long value = Math.max(0, micros);
    counts.incrementAndGet(index(value));
    sum.addAndGet(value);
    long seen = max.get();
    while (value > seen && !max.compareAndSet(seen, value)) {
      seen = max.get();
    }
  }

  /** A copy of the counts so far, for percentiles and for summing several histograms. */
  public Snapshot snapshot() {
    long[] copy = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      copy[i] = counts.get(i);
    }
    return new Snapshot(copy, max.get(), sum.get());
  }

  /** The bucket of {@code micros} (≥ 0). */
  static int index(long micros) {
    if (micros >= OVERFLOW_MICROS) {
      return BUCKETS - 1;
    }
    int highestBit = 63 - Long.numberOfLeadingZeros(micros | 1);
    int shift = Math.max(0, highestBit - SUB_BUCKET_BITS);
    // Below 2 × 16 the shift is 0 and the index is the value; above, each power of two adds 16.
    return (shift << SUB_BUCKET_BITS) + (int) (micros >>> shift);
  }

  /** The largest value that falls into bucket {@code index}. */
  static long highestInBucket(int index) {
    if (index < 2 * SUB_BUCKETS) {
      return index;
    }
    int shift = index / SUB_BUCKETS - 1;
    long subBucket = index % SUB_BUCKETS + SUB_BUCKETS;
    return ((subBucket + 1) << shift) - 1;
  }

  /** Immutable counts of a histogram at one moment. */
  public static final class Snapshot {

    /** No samples. */
    public static final Snapshot EMPTY = new Snapshot(new long[BUCKETS], 0, 0);

    private final long[] counts;
    private final long count;
    private final long maxMicros;
    private final long sumMicros;

    private Snapshot(long[] counts, long maxMicros, long sumMicros) {
      this.counts = counts;
      long total = 0;
      for (long c : counts) {
        total += c;
      }
      this.count = total;
      this.maxMicros = maxMicros;
      this.sumMicros = sumMicros;
    }

    /** Number of samples. */
    public long count() {
      return count;
    }

    /**
     * The sum of all samples (µs). Read separately from the buckets, so under concurrent recording
     * it may include a few samples the counts do not yet show.
     */
    public long sumMicros() {
      return sumMicros;
    }

    /**
     * Samples whose bucket lies wholly at or below {@code micros}: the Prometheus {@code le} count.
     * A bucket that straddles {@code micros} is left out, so the count may miss samples that are at
     * most 6.25 % below the bound, never includes one above it. The overflow bucket (16.8 s and
     * more) has no upper bound and is only in {@link #count()}.
     */
    public long countAtMost(long micros) {
      long total = 0;
      for (int i = 0; i < counts.length - 1 && highestInBucket(i) <= micros; i++) {
        total += counts[i];
      }
      return total;
    }

    /** The largest sample, or 0 without samples. */
    public long maxMicros() {
      return maxMicros;
    }

    /**
     * The nearest-rank percentile (the smallest sample that at least {@code percentile} % of
     * samples do not exceed), reported as the top of its bucket, capped at {@link #maxMicros()}; 0
     * without samples.
     *
     * @param percentile 0 < percentile ≤ 100, e.g. 99.9
     */
    public long percentileMicros(double percentile) {
      if (!(percentile > 0 && percentile <= 100)) {
        throw new IllegalArgumentException("percentile must be in (0, 100], was " + percentile);
      }
      if (count == 0) {
        return 0;
      }
      long rank = Math.max(1, (long) Math.ceil(percentile / 100 * count));
      long seen = 0;
      for (int i = 0; i < counts.length; i++) {
        seen += counts[i];
        if (seen >= rank) {
          return Math.min(highestInBucket(i), maxMicros);
        }
      }
      return maxMicros;
    }

    /**
     * The non-empty buckets, by the largest value each holds (µs), in order: what a client needs to
     * subtract two snapshots and compute percentiles of the samples in between.
     */
    public java.util.SortedMap<Long, Long> buckets() {
      var buckets = new java.util.TreeMap<Long, Long>();
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] > 0) {
          buckets.put(highestInBucket(i), counts[i]);
        }
      }
      return buckets;
    }

    /** The samples of both (e.g. all subscribers of a room). */
    public Snapshot plus(Snapshot other) {
      long[] sum = new long[BUCKETS];
      for (int i = 0; i < BUCKETS; i++) {
        sum[i] = counts[i] + other.counts[i];
      }
      return new Snapshot(sum, Math.max(maxMicros, other.maxMicros), sumMicros + other.sumMicros);
    }

    /**
     * The samples recorded after {@code earlier} (a snapshot of the same histogram), e.g. during
     * one benchmark run. The maximum is then the top of the highest non-empty bucket.
     */
    public Snapshot minus(Snapshot earlier) {
      long[] difference = new long[BUCKETS];
      long highest = 0;
      for (int i = 0; i < BUCKETS; i++) {
        difference[i] = Math.max(0, counts[i] - earlier.counts[i]);
        if (difference[i] > 0) {
          highest = Math.min(highestInBucket(i), maxMicros);
        }
      }
      return new Snapshot(difference, highest, Math.max(0, sumMicros - earlier.sumMicros));
    }

    @Override
    public String toString() {
      return count == 0
          ? "latency(no samples)"
          : "latency(n="
              + count
              + " p50="
              + percentileMicros(50)
              + "µs p95="
              + percentileMicros(95)
              + "µs p99="
              + percentileMicros(99)
              + "µs max="
              + maxMicros
              + "µs)";
    }
  }
}
