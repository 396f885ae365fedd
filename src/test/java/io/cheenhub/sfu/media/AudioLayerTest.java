package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AudioLayerTest {

  @Test
  void layersCarryTheIssueBitratesWireNamesAndIndexes() {
    assertThat(AudioLayer.H.bitrateBps()).isEqualTo(64_000);
    assertThat(AudioLayer.M.bitrateBps()).isEqualTo(32_000);
    assertThat(AudioLayer.L.bitrateBps()).isEqualTo(16_000);
    assertThat(AudioLayer.H.wireValue()).isEqualTo("h");
    assertThat(AudioLayer.M.wireValue()).isEqualTo("m");
    assertThat(AudioLayer.L.wireValue()).isEqualTo("l");
    assertThat(AudioLayer.H.index()).isZero();
    assertThat(AudioLayer.L.index()).isEqualTo(2);
  }

  @Test
  void indexesAndWireNamesMapBack() {
    for (AudioLayer layer : AudioLayer.values()) {
      assertThat(AudioLayer.ofIndex(layer.index())).isSameAs(layer);
      assertThat(AudioLayer.fromWireValue(layer.wireValue())).isSameAs(layer);
    }
    assertThat(AudioLayer.fromWireValue("H")).as("wire names are lowercase").isNull();
    assertThat(AudioLayer.fromWireValue("high")).isNull();
    assertThat(AudioLayer.fromWireValue(null)).isNull();
    assertThatThrownBy(() -> AudioLayer.ofIndex(3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AudioLayer.ofIndex(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
