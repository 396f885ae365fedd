package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LayerPausesTest {

  private static final long S = TimeUnit.SECONDS.toNanos(1);
  private static final int H = 1;
  private static final int M = 2;
  private static final int L = 4;

  private final LayerPauses pauses = new LayerPauses();

  @Test
  void aPublisherStartsWithItsBestLayerOnlyAndKeepsItWithNoListener() {
    assertThat(pauses.activeMask()).isEqualTo(H);
    for (int t = 0; t < 30; t++) {
      assertThat(pauses.update(0, 3, t * S)).isFalse();
    }
    assertThat(pauses.activeMask()).isEqualTo(H);
  }

  @Test
  void aNeededLayerStartsAtOnceAndAnUnneededOneStopsAfterTheHold() {
    assertThat(pauses.update(H | L, 3, 0)).isTrue();
    assertThat(pauses.activeMask()).isEqualTo(H | L);

    // The lossy listener recovered: l is not needed any more, but kept for the hold.
    long t = S;
    for (; t < S + LayerPauses.PAUSE_AFTER_NANOS; t += S) {
      assertThat(pauses.update(H, 3, t)).isFalse();
      assertThat(pauses.activeMask()).isEqualTo(H | L);
    }
    assertThat(pauses.update(H, 3, t)).isTrue();
    assertThat(pauses.activeMask()).isEqualTo(H);
  }

  @Test
  void aLayerNeededAgainWithinTheHoldIsNotSwitchedOffAndOn() {
    pauses.update(H | M, 3, 0);
    pauses.update(H, 3, S);
    pauses.update(H, 3, 3 * S);
    assertThat(pauses.update(H | M, 3, 4 * S)).isFalse();
    // The hold starts over from the last time m was needed.
    assertThat(pauses.update(H, 3, 5 * S)).isFalse();
    assertThat(pauses.update(H, 3, 9 * S)).isFalse();
    assertThat(pauses.update(H, 3, 10 * S)).isTrue();
    assertThat(pauses.activeMask()).isEqualTo(H);
  }

  @Test
  void everyListenerOnALowerLayerPausesTheBestOne() {
    pauses.update(M, 3, 0);
    pauses.update(M, 3, LayerPauses.PAUSE_AFTER_NANOS);
    assertThat(pauses.activeMask()).isEqualTo(M);
  }

  @Test
  void aNewNegotiationWithAnotherLayerCountStartsOver() {
    pauses.update(H | M | L, 3, 0);
    assertThat(pauses.update(H, 2, S)).isTrue();
    assertThat(pauses.activeMask()).isEqualTo(H);
    assertThat(pauses.update(L, 2, 2 * S)).as("no layer 2 in a two-layer source").isFalse();
  }
}
