package io.cheenhub.sfu.loadgen.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A count or sample listener's loss: gaps in each SSRC's sequence numbers. */
class SsrcCountsTest {

  @Test
  void countsGapsPerSsrcAcrossTheWrapAndForgivesLatePackets() {
    var counts = new SsrcCounts();
    assertThat(counts.record(1, 65_534, 100)).isEqualTo(1);
    assertThat(counts.record(2, 7, 50)).isEqualTo(1); // another SSRC: its own sequence
    assertThat(counts.record(1, 65_535, 100)).isEqualTo(2);
    assertThat(counts.record(1, 2, 100)).isEqualTo(3); // 0 and 1 missing across the wrap
    assertThat(counts.record(2, 8, 50)).isEqualTo(2);
    assertThat(counts.sinceMark()).isEqualTo(new SsrcCounts.Window(5, 400, 2, 2));
    counts.record(1, 0, 100); // late: its gap is filled
    assertThat(counts.sinceMark().lost()).isEqualTo(1);
  }

  @Test
  void theWindowStartsAtTheMark() {
    var counts = new SsrcCounts();
    counts.record(1, 10, 100);
    counts.record(1, 12, 100);
    counts.mark();
    counts.record(1, 13, 80);
    counts.record(1, 16, 80);
    assertThat(counts.sinceMark()).isEqualTo(new SsrcCounts.Window(2, 160, 2, 1));
  }
}
