package io.cheenhub.sfu.loadgen.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** A soak's flatness verdict over a sampled series. */
class TrendTest {

  private static final double[] MINUTES = {0, 60, 120, 180, 240, 300, 360, 420};

  @Test
  void aSawToothWhoseFloorHoldsIsFlatEvenWhenTheLastReadingIsHigh() {
    // Heap after GC between collections: up, down to the same floor, up again.
    long[] heap = {100, 140, 100, 150, 100, 145, 101, 160};
    Trend trend = Trend.of(MINUTES, heap, 16, 0.05).orElseThrow();
    assertThat(trend.first()).isEqualTo(100);
    assertThat(trend.last()).isEqualTo(160);
    assertThat(trend.min()).isEqualTo(100);
    assertThat(trend.max()).isEqualTo(160);
    assertThat(trend.firstQuarterFloor()).isEqualTo(100); // samples 0, 1
    assertThat(trend.lastQuarterFloor()).isEqualTo(101); // samples 6, 7
    assertThat(trend.flat()).isTrue();
  }

  @Test
  void aFloorThatRisesBeyondTheToleranceIsNotFlat() {
    long[] threads = {150, 151, 153, 155, 157, 159, 161, 163};
    Trend trend = Trend.of(MINUTES, threads, 2, 0.05).orElseThrow();
    // Floor 150 → 161: 11 more, tolerance max(2, 7.5) = 7.
    assertThat(trend.lastQuarterFloor() - trend.firstQuarterFloor()).isEqualTo(11);
    assertThat(trend.flat()).isFalse();
    // Least squares over the 8 readings: Σ(x−x̄)(y−ȳ) / Σ(x−x̄)² = 80.5 / 42 per minute.
    assertThat(trend.slopePerHour()).isCloseTo(80.5 / 42 * 60, within(1e-9));
  }

  @Test
  void toleranceIsTheLargerOfAbsoluteAndRelative() {
    long[] few = {3, 3, 3, 3, 3, 3, 5, 5};
    assertThat(Trend.of(MINUTES, few, 2, 0.05).orElseThrow().flat()).isTrue(); // +2 allowed
    long[] many = {1000, 1000, 1000, 1000, 1000, 1000, 1040, 1040};
    assertThat(Trend.of(MINUTES, many, 2, 0.05).orElseThrow().flat()).isTrue(); // +50 allowed
    long[] more = {1000, 1000, 1000, 1000, 1000, 1000, 1051, 1051};
    assertThat(Trend.of(MINUTES, more, 2, 0.05).orElseThrow().flat()).isFalse();
  }

  @Test
  void unknownReadingsAreLeftOutAndTwoAreNeeded() {
    assertThat(Trend.of(new double[] {0, 60}, new long[] {-1, 5}, 2, 0.05)).isEmpty();
    Trend trend = Trend.of(new double[] {0, 60, 120}, new long[] {-1, 5, 5}, 2, 0.05).orElseThrow();
    assertThat(trend.first()).isEqualTo(5);
    assertThat(trend.slopePerHour()).isZero();
    assertThat(trend.flat()).isTrue();
  }

  @Test
  void quartersOfAFewSamplesHoldAtLeastOneEach() {
    assertThat(Trend.floor(new long[] {7, 9}, 0, 25)).isEqualTo(7);
    assertThat(Trend.floor(new long[] {7, 9}, 75, 100)).isEqualTo(9);
    assertThat(Trend.floor(new long[] {4, 3, 9, 8, 7}, 75, 100)).isEqualTo(7); // index 3..4
    assertThat(Trend.slope(new double[] {0, 0}, new long[] {1, 2})).isZero();
  }
}
