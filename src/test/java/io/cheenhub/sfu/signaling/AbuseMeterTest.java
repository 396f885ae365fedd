package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AbuseMeterTest {

  private static final long WINDOW = 10_000_000_000L;

  @Test
  void closesOnlyAfterMoreThanTheToleratedRefusalsInOneWindow() {
    var meter = new AbuseMeter(3, WINDOW, 0);

    assertThat(meter.reject(1)).isFalse();
    assertThat(meter.reject(2)).isFalse();
    assertThat(meter.reject(3)).isFalse();
    assertThat(meter.reject(4)).isTrue();
  }

  @Test
  void aNewWindowForgivesEarlierRefusals() {
    var meter = new AbuseMeter(3, WINDOW, 0);
    for (int i = 0; i < 3; i++) {
      meter.reject(i);
    }

    assertThat(meter.reject(WINDOW)).isFalse();
    assertThat(meter.reject(WINDOW + 1)).isFalse();
  }

  @Test
  void onlyTheFirstRefusalOfAWindowIsReported() {
    var meter = new AbuseMeter(100, WINDOW, 0);

    meter.reject(1);
    assertThat(meter.shouldReport()).isTrue();
    meter.reject(2);
    assertThat(meter.shouldReport()).isFalse();
    meter.reject(WINDOW + 5);
    assertThat(meter.shouldReport()).isTrue();
  }

  @Test
  void decidesTheCloseOnlyOnce() {
    var meter = new AbuseMeter(3, WINDOW, 0);
    for (int i = 0; i < 3; i++) {
      meter.reject(i);
    }
    assertThat(meter.tripped()).isFalse();

    assertThat(meter.reject(4)).isTrue();
    assertThat(meter.tripped()).isTrue();
    // Frames already in flight are refused again: no second close, no second warning, even in a
    // later window.
    assertThat(meter.reject(5)).isFalse();
    assertThat(meter.reject(6)).isFalse();
    assertThat(meter.reject(WINDOW + 7)).isFalse();
    assertThat(meter.tripped()).isTrue();
  }
}
