package io.cheenhub.sfu.metrics;

import io.cheenhub.sfu.media.LatencyHistogram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * Publishes a {@link LatencyHistogram} as the three series of a Prometheus histogram, {@code
 * <name>_bucket{le="…"}}, {@code <name>_sum} and {@code <name>_count}, in milliseconds, so {@code
 * histogram_quantile} works on it.
 *
 * <p>Why gauges and not an MP Metrics {@code Histogram}: Payara 6's MP Metrics 5.1 histogram prints
 * a summary (quantiles of a decaying sample), and with {@code mp.metrics.distribution.histogram
 * .buckets} configured its {@code bucketValues()} reports every bucket as 0. The packet path
 * records into the lock-free {@link LatencyHistogram} it already has; here each series is a gauge
 * read at scrape time from one snapshot, taken at most every {@link #MAX_SNAPSHOT_AGE_NANOS} so the
 * bucket, sum and count lines of one scrape agree. The values only grow, like counters.
 */
final class HistogramGauges {

  /** Forwarding latency bounds (ms): loopback forwarding is tens of µs, trouble is milliseconds. */
  static final double[] FORWARDING_BOUNDS_MS = {
    0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000
  };

  /** Setup and negotiation bounds (ms): a local join takes tens of ms, over TURN up to seconds. */
  static final double[] SETUP_BOUNDS_MS = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};

  /** One scrape reads every series within this time; a newer scrape takes a new snapshot. */
  static final long MAX_SNAPSHOT_AGE_NANOS = 200_000_000L;

  private static final double MICROS_PER_MS = 1_000;

  private final Supplier<LatencyHistogram.Snapshot> source;
  private final double[] boundsMs;
  private final long[] boundsMicros;
  private final LongSupplier clock;
  private LatencyHistogram.Snapshot snapshot;
  private long takenNanos;

  /**
   * @param source the histogram's current counts (e.g. summed over all subscribers)
   * @param boundsMs the upper bounds of the {@code le} buckets, ascending; {@code +Inf} is added
   * @param clock {@link System#nanoTime()}, or a test clock
   */
  HistogramGauges(
      Supplier<LatencyHistogram.Snapshot> source, double[] boundsMs, LongSupplier clock) {
    this.source = source;
    this.boundsMs = boundsMs.clone();
    this.boundsMicros = new long[boundsMs.length];
    for (int i = 0; i < boundsMs.length; i++) {
      if (i > 0 && !(boundsMs[i] > boundsMs[i - 1])) {
        throw new IllegalArgumentException("bounds must ascend: " + Arrays.toString(boundsMs));
      }
      boundsMicros[i] = Math.round(boundsMs[i] * MICROS_PER_MS);
    }
    this.clock = clock;
  }

  /**
   * Registers {@code name_bucket}, {@code name_sum} and {@code name_count}, each with {@code tags}.
   */
  void register(MetricRegistry metrics, String name, String description, Tag... tags) {
    var buckets = SfuMetrics.metadata(name + "_bucket", description + " (cumulative buckets, ms)");
    for (int i = 0; i < boundsMs.length; i++) {
      int bucket = i;
      metrics.gauge(buckets, this, h -> h.bucket(bucket), with(tags, le(boundsMs[i])));
    }
    metrics.gauge(buckets, this, HistogramGauges::count, with(tags, new Tag("le", "+Inf")));
    metrics.gauge(
        SfuMetrics.metadata(name + "_sum", description + " (sum, ms)"),
        this,
        HistogramGauges::sumMs,
        tags);
    metrics.gauge(
        SfuMetrics.metadata(name + "_count", description + " (samples)"),
        this,
        HistogramGauges::count,
        tags);
  }

  /** Samples in the buckets up to bound {@code index}. */
  synchronized long bucket(int index) {
    return current().countAtMost(boundsMicros[index]);
  }

  /** Sum of the samples in ms. */
  synchronized double sumMs() {
    return current().sumMicros() / MICROS_PER_MS;
  }

  /** Number of samples (the {@code +Inf} bucket). */
  synchronized long count() {
    return current().count();
  }

  private LatencyHistogram.Snapshot current() {
    long now = clock.getAsLong();
    if (snapshot == null || now - takenNanos > MAX_SNAPSHOT_AGE_NANOS) {
      snapshot = source.get();
      takenNanos = now;
    }
    return snapshot;
  }

  /** The {@code le} label of a bound: Prometheus' float text, {@code 0.025}, {@code 1.0}. */
  static Tag le(double boundMs) {
    return new Tag("le", String.format(Locale.ROOT, "%s", boundMs));
  }

  private static Tag[] with(Tag[] tags, Tag extra) {
    List<Tag> all = new ArrayList<>(List.of(tags));
    all.add(extra);
    return all.toArray(Tag[]::new);
  }
}
