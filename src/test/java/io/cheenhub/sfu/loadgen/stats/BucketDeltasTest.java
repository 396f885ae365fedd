package io.cheenhub.sfu.loadgen.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Percentiles of what a cumulative server histogram gained between two readings. */
class BucketDeltasTest {

  @Test
  void percentilesCoverOnlyWhatWasAddedBetweenTheReadings() {
    // Before: 1000 fast packets. Between: 90 at ≤ 100 µs, 9 at ≤ 1000 µs, 1 at ≤ 5000 µs.
    Map<Long, Long> before = Map.of(100L, 1000L);
    Map<Long, Long> after = Map.of(100L, 1090L, 1000L, 9L, 5000L, 1L);
    assertThat(BucketDeltas.percentile(before, after, 50)).isEqualTo(100);
    assertThat(BucketDeltas.percentile(before, after, 90)).isEqualTo(100);
    assertThat(BucketDeltas.percentile(before, after, 95)).isEqualTo(1000);
    assertThat(BucketDeltas.percentile(before, after, 99)).isEqualTo(1000);
    assertThat(BucketDeltas.percentile(before, after, 100)).isEqualTo(5000);
  }

  @Test
  void nothingForwardedInBetweenHasNoPercentile() {
    Map<Long, Long> same = Map.of(100L, 5L);
    assertThat(BucketDeltas.percentile(same, same, 50)).isEqualTo(-1);
    assertThat(BucketDeltas.percentile(Map.of(), Map.of(), 99)).isEqualTo(-1);
  }
}
