package io.cheenhub.sfu.loadgen.signal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a bot's subscription counts as on speaker slots (re-offers are counted from then on). */
class SfuSignalingTest {

  private static final String SESSION = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
  private static final String ANCHOR =
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=inactive\r\n";

  private static String line(int port, String mid, String msid) {
    return "m=audio "
        + port
        + " UDP/TLS/RTP/SAVPF 111\r\na=mid:"
        + mid
        + "\r\na=msid:"
        + msid
        + " audio\r\n";
  }

  @Test
  void onlySlotsOnceNoPerPublisherLineIsLive() {
    String both = SESSION + ANCHOR + line(9, "a1", "pA") + line(9, "a2", "slot-0");
    assertThat(SfuSignaling.onlySlots(both))
        .as("make: slots added, publisher still live")
        .isFalse();
    String after = SESSION + ANCHOR + line(0, "a1", "pA") + line(9, "a2", "slot-0");
    assertThat(SfuSignaling.onlySlots(after)).as("break: the publisher's line retired").isTrue();
    assertThat(SfuSignaling.onlySlots(SESSION + ANCHOR + line(9, "a1", "pA"))).isFalse();
    assertThat(SfuSignaling.onlySlots(SESSION + ANCHOR)).isFalse();
  }
}
