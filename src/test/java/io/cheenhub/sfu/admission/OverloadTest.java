package io.cheenhub.sfu.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.config.AdmissionLimits;
import org.junit.jupiter.api.Test;

class OverloadTest {

  private static final AdmissionLimits LIMITS = new AdmissionLimits(0.9, 0.8, 10_000);

  @Test
  void underEveryThresholdAdmits() {
    assertThat(Overload.of(LIMITS, new LoadSample(0.9, 0.8, 10_000))).isNull();
    assertThat(Overload.of(LIMITS, LoadSample.IDLE)).isNull();
  }

  @Test
  void eachThresholdNamesItsReason() {
    assertThat(Overload.of(LIMITS, new LoadSample(0.95, 0, 0)).reason()).isEqualTo("heap");
    assertThat(Overload.of(LIMITS, new LoadSample(0, 0.85, 0)).reason()).isEqualTo("cpu");
    Overload rate = Overload.of(LIMITS, new LoadSample(0, 0, 12_345));
    assertThat(rate.reason()).isEqualTo("packet-rate");
    assertThat(rate.message()).contains("12345").contains("sfu.admission.max-packet-rate=10000");
  }

  @Test
  void zeroTurnsACheckOff() {
    var off = new AdmissionLimits(0, 0, 0);
    assertThat(Overload.of(off, new LoadSample(1, 1, 1e9))).isNull();
  }

  @Test
  void outOfRangeThresholdsAreRefused() {
    assertThatThrownBy(() -> new AdmissionLimits(1.5, 0, 0))
        .hasMessageContaining("sfu.admission.max-heap-ratio");
    assertThatThrownBy(() -> new AdmissionLimits(0, -0.1, 0))
        .hasMessageContaining("sfu.admission.max-cpu-load");
    assertThatThrownBy(() -> new AdmissionLimits(0, 0, -1))
        .hasMessageContaining("sfu.admission.max-packet-rate");
  }
}
