package io.cheenhub.sfu.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Figures as table cells: decimals, units, n/a for unknown, verdicts at the bound. */
class CellsTest {

  @Test
  void unknownFiguresAreNotApplicable() {
    assertThat(Cells.micros(-1)).isEqualTo("n/a");
    assertThat(Cells.ratio(Double.NaN)).isEqualTo("n/a");
    assertThat(Cells.ratio(1.0 / 0)).isEqualTo("n/a"); // a zero denominator
    assertThat(Cells.times(Double.NaN)).isEqualTo("n/a");
    assertThat(Cells.ms(-1)).isEqualTo("n/a");
    assertThat(Cells.mb(-1)).isEqualTo("n/a");
    assertThat(Cells.percent(Double.NaN, 1)).isEqualTo("n/a");
    assertThat(Cells.verdict(Double.NaN, 1)).isEqualTo("n/a");
  }

  @Test
  void figuresHaveTheirDecimalsAndUnits() {
    assertThat(Cells.micros(51.94)).isEqualTo("51.9 µs");
    assertThat(Cells.ratio(0.789)).isEqualTo("0.79");
    assertThat(Cells.times(7.0)).isEqualTo("7.00×");
    assertThat(Cells.ms(1_985)).isEqualTo("1.99");
    assertThat(Cells.percent(0.1184, 3)).isEqualTo("0.118 %");
    assertThat(Cells.mb(1085L << 20)).isEqualTo("1085 MB");
  }

  @Test
  void aTargetIsMetUpToAndIncludingItsBound() {
    assertThat(Cells.verdict(0.5, 0.5)).isEqualTo("met");
    assertThat(Cells.verdict(0.5001, 0.5)).isEqualTo("not met");
    assertThat(Cells.verdict(1.25, 1.25)).isEqualTo("met");
  }
}
