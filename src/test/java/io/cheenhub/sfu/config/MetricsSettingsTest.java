package io.cheenhub.sfu.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricsSettingsTest {

  @Test
  void aNegativeRoomLabelLimitStopsTheDeploymentNamingTheKey() {
    assertThatThrownBy(() -> new MetricsSettings(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sfu.metrics.max-room-labels");
    assertThat(new MetricsSettings(0).maxRoomLabels()).isZero();
    assertThat(MetricsSettings.DEFAULTS.maxRoomLabels()).isEqualTo(20);
  }
}
