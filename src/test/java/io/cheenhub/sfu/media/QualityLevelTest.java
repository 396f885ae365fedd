package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QualityLevelTest {

  @Test
  void levelsCarryTheRoadmapBitratesAndWireNames() {
    assertThat(QualityLevel.HIGH.maxBitrateKbps()).isEqualTo(64);
    assertThat(QualityLevel.MEDIUM.maxBitrateKbps()).isEqualTo(32);
    assertThat(QualityLevel.LOW.maxBitrateKbps()).isEqualTo(16);
    assertThat(QualityLevel.HIGH.wireValue()).isEqualTo("high");
    assertThat(QualityLevel.MEDIUM.wireValue()).isEqualTo("medium");
    assertThat(QualityLevel.LOW.wireValue()).isEqualTo("low");
  }

  @Test
  void stepsMoveOneLevelAndSaturate() {
    assertThat(QualityLevel.HIGH.stepDown()).isEqualTo(QualityLevel.MEDIUM);
    assertThat(QualityLevel.MEDIUM.stepDown()).isEqualTo(QualityLevel.LOW);
    assertThat(QualityLevel.LOW.stepDown()).isEqualTo(QualityLevel.LOW);
    assertThat(QualityLevel.LOW.stepUp()).isEqualTo(QualityLevel.MEDIUM);
    assertThat(QualityLevel.MEDIUM.stepUp()).isEqualTo(QualityLevel.HIGH);
    assertThat(QualityLevel.HIGH.stepUp()).isEqualTo(QualityLevel.HIGH);
  }
}
