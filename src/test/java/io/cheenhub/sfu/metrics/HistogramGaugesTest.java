package io.cheenhub.sfu.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.media.LatencyHistogram;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HistogramGaugesTest {

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final LatencyHistogram histogram = new LatencyHistogram();
  private final AtomicInteger snapshots = new AtomicInteger();

  private HistogramGauges gauges(double... boundsMs) {
    return new HistogramGauges(
        () -> {
          snapshots.incrementAndGet();
          return histogram.snapshot();
        },
        boundsMs,
        clock::get);
  }

  @Test
  void bucketsAreCumulativeCountsAtOrBelowEachBoundInMilliseconds() {
    var gauges = gauges(0.1, 1, 10);
    histogram.recordMicros(20); // 0.02 ms
    histogram.recordMicros(90); // 0.09 ms, in the bucket 88..91 µs: wholly below 0.1 ms
    histogram.recordMicros(500); // 0.5 ms
    histogram.recordMicros(5_000); // 5 ms
    histogram.recordMicros(50_000); // 50 ms: only in +Inf

    assertThat(gauges.bucket(0)).isEqualTo(2);
    assertThat(gauges.bucket(1)).isEqualTo(3);
    assertThat(gauges.bucket(2)).isEqualTo(4);
    assertThat(gauges.count()).isEqualTo(5);
    assertThat(gauges.sumMs()).isEqualTo(55.61);
  }

  @Test
  void aValueJustAboveABoundIsNeverCountedBelowIt() {
    var gauges = gauges(1);
    histogram.recordMicros(1_001);
    histogram.recordMicros(1_000);

    // 1000 µs shares a bucket (992..1023) with 1001 µs, which is above the bound: both wait for
    // the next bucket rather than report a value above 1 ms as at most 1 ms.
    assertThat(gauges.bucket(0)).isZero();
    assertThat(gauges.count()).isEqualTo(2);
  }

  @Test
  void oneScrapeReadsOneSnapshotAndTheNextScrapeANewOne() {
    var gauges = gauges(1, 10);
    histogram.recordMicros(100);
    assertThat(gauges.bucket(0)).isEqualTo(1);

    histogram.recordMicros(200);
    clock.addAndGet(HistogramGauges.MAX_SNAPSHOT_AGE_NANOS / 2);
    assertThat(gauges.bucket(1)).as("same scrape: same snapshot").isEqualTo(1);
    assertThat(gauges.count()).isEqualTo(1);
    assertThat(snapshots).hasValue(1);

    clock.addAndGet(HistogramGauges.MAX_SNAPSHOT_AGE_NANOS);
    assertThat(gauges.bucket(0)).isEqualTo(2);
    assertThat(gauges.count()).isEqualTo(2);
    assertThat(snapshots).hasValue(2);
  }

  @Test
  void boundsMustAscend() {
    assertThatThrownBy(() -> gauges(1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> gauges(5, 2)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void leLabelsArePrometheusFloats() {
    assertThat(HistogramGauges.le(0.025).getTagValue()).isEqualTo("0.025");
    assertThat(HistogramGauges.le(1).getTagValue()).isEqualTo("1.0");
    assertThat(HistogramGauges.le(10000).getTagValue()).isEqualTo("10000.0");
  }
}
