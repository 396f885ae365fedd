package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void bucketsTileTheRangeWithoutGapsOrOverlap() {
    assertThat(LatencyHistogram.index(0)).isZero();
    for (int i = 0; i < LatencyHistogram.BUCKETS - 1; i++) {
      long top = LatencyHistogram.highestInBucket(i);
      assertThat(LatencyHistogram.index(top)).as("top of %d", i).isEqualTo(i);
      assertThat(LatencyHistogram.index(top + 1)).as("after %d", i).isEqualTo(i + 1);
    }
    assertThat(LatencyHistogram.index(Long.MAX_VALUE)).isEqualTo(LatencyHistogram.BUCKETS - 1);
  }

  @Test
  void smallValuesAreExact() {
    var histogram = new LatencyHistogram();
    for (int micros = 1; micros <= 20; micros++) {
      histogram.recordMicros(micros);
    }
    var snapshot = histogram.snapshot();

    assertThat(snapshot.count()).isEqualTo(20);
    assertThat(snapshot.percentileMicros(50)).isEqualTo(10);
    assertThat(snapshot.percentileMicros(95)).isEqualTo(19);
    assertThat(snapshot.percentileMicros(99)).isEqualTo(20);
    assertThat(snapshot.percentileMicros(100)).isEqualTo(20);
    assertThat(snapshot.maxMicros()).isEqualTo(20);
  }

  @Test
  void percentilesOfKnownSamplesAreNearestRankWithinTheBucketResolution() {
    // 1 000 samples: 900 at 200 µs, 90 at 1 500 µs, 10 at 40 000 µs.
    var histogram = new LatencyHistogram();
    for (int i = 0; i < 900; i++) {
      histogram.recordNanos(200_000);
    }
    for (int i = 0; i < 90; i++) {
      histogram.recordMicros(1_500);
    }
    for (int i = 0; i < 10; i++) {
      histogram.recordMicros(40_000);
    }
    var snapshot = histogram.snapshot();

    assertThat(snapshot.percentileMicros(50)).isBetween(200L, 212L); // 200 + 1/16
    assertThat(snapshot.percentileMicros(90)).isBetween(200L, 212L); // rank 900 is the last 200
    assertThat(snapshot.percentileMicros(95)).isBetween(1_500L, 1_593L);
    assertThat(snapshot.percentileMicros(99)).isBetween(1_500L, 1_593L); // rank 990
    assertThat(snapshot.percentileMicros(99.9)).isEqualTo(40_000); // capped at the max
  }

  @Test
  void randomSamplesAgreeWithSortingWithinOneSixteenth() {
    var random = new Random(7);
    long[] samples = new long[100_000];
    var histogram = new LatencyHistogram();
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (long) Math.exp(random.nextDouble() * 12); // 1 µs .. 160 ms, log-uniform
      histogram.recordMicros(samples[i]);
    }
    Arrays.sort(samples);
    var snapshot = histogram.snapshot();

    for (double p : new double[] {1, 25, 50, 90, 95, 99, 99.9, 100}) {
      long exact = samples[(int) Math.ceil(p / 100 * samples.length) - 1];
      long reported = snapshot.percentileMicros(p);
      assertThat(reported).as("p%s", p).isGreaterThanOrEqualTo(exact);
      assertThat((double) reported).as("p%s", p).isCloseTo(exact, within(exact / 16.0 + 1));
    }
  }

  @Test
  void snapshotsAddUpAndSubtract() {
    var a = new LatencyHistogram();
    var b = new LatencyHistogram();
    a.recordMicros(10);
    b.recordMicros(30);
    var before = a.snapshot();
    a.recordMicros(500);
    a.recordMicros(600);

    var total = a.snapshot().plus(b.snapshot());
    assertThat(total.count()).isEqualTo(4);
    assertThat(total.maxMicros()).isEqualTo(600);

    var during = a.snapshot().minus(before);
    assertThat(during.count()).isEqualTo(2);
    assertThat(during.percentileMicros(50)).isBetween(500L, 531L);
    assertThat(during.percentileMicros(100)).isEqualTo(600);
  }

  @Test
  void emptyAndOverflowAndBadArguments() {
    var histogram = new LatencyHistogram();
    assertThat(histogram.snapshot().percentileMicros(99)).isZero();
    assertThat(LatencyHistogram.Snapshot.EMPTY.count()).isZero();

    histogram.recordMicros(-5);
    histogram.recordMicros(Long.MAX_VALUE);
    var snapshot = histogram.snapshot();
    assertThat(snapshot.percentileMicros(50)).isZero();
    assertThat(snapshot.percentileMicros(100))
        .isEqualTo(LatencyHistogram.highestInBucket(LatencyHistogram.BUCKETS - 1));
    assertThatThrownBy(() -> snapshot.percentileMicros(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> snapshot.percentileMicros(100.5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void bucketsListTheNonEmptyOnesByTheirTopValueSoReadingsCanBeSubtracted() {
    var histogram = new LatencyHistogram();
    histogram.recordMicros(5);
    histogram.recordMicros(5);
    LatencyHistogram.Snapshot before = histogram.snapshot();
    histogram.recordMicros(5);
    histogram.recordMicros(1_000); // bucket 992..1023
    LatencyHistogram.Snapshot after = histogram.snapshot();

    assertThat(before.buckets()).containsExactly(java.util.Map.entry(5L, 2L));
    assertThat(after.buckets())
        .containsExactly(java.util.Map.entry(5L, 3L), java.util.Map.entry(1_023L, 1L));
    assertThat(after.minus(before).buckets())
        .containsExactly(java.util.Map.entry(5L, 1L), java.util.Map.entry(1_023L, 1L));
  }

  @Test
  void sumAndCountAtMostSurviveAddingAndSubtractingSnapshots() {
    var histogram = new LatencyHistogram();
    histogram.recordMicros(10);
    histogram.recordMicros(40);
    var first = histogram.snapshot();
    histogram.recordMicros(3_000);
    histogram.recordMicros(-5); // counts as 0
    var second = histogram.snapshot();

    assertThat(first.sumMicros()).isEqualTo(50);
    assertThat(second.sumMicros()).isEqualTo(3_050);
    assertThat(second.countAtMost(0)).isEqualTo(1);
    assertThat(second.countAtMost(39)).isEqualTo(2);
    assertThat(second.countAtMost(2_000)).isEqualTo(3);
    assertThat(second.countAtMost(Long.MAX_VALUE)).isEqualTo(4);
    assertThat(second.minus(first).sumMicros()).isEqualTo(3_000);
    assertThat(second.minus(first).countAtMost(2_000)).isEqualTo(1);
    assertThat(first.plus(second).sumMicros()).isEqualTo(3_100);
  }

  @Test
  void theOverflowBucketIsOnlyInTheTotal() {
    var histogram = new LatencyHistogram();
    histogram.recordMicros(60_000_000); // a minute: past the last bounded bucket
    var snapshot = histogram.snapshot();

    assertThat(snapshot.countAtMost(Long.MAX_VALUE)).isZero();
    assertThat(snapshot.count()).isEqualTo(1);
  }
}
