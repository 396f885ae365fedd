package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TermSignalTest {

  @Test
  void thisJdkLetsTheApplicationTakeSigtermAndGiveItBack() {
    // Raising the signal would end the test JVM; ClusterIT and VoiceRoomRestartIT send a real one.
    TermSignal installed = TermSignal.install(() -> {});
    assertThat(installed).as("sun.misc.Signal reachable").isNotNull();
    installed.close();
  }
}
