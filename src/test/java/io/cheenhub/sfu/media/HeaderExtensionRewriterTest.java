package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.rtp.HeaderExtensions;
import io.cheenhub.sfu.rtp.RtpPacket;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderExtensionRewriterTest {

  private final RtpPacket view = new RtpPacket();

  @Test
  void audioLevelAndTheTransportCcSlotMoveToTheSubscribersIdsAndEverythingElseBecomesPadding() {
    byte[] packet = TestRtp.packet(0x1234, 77, 960, false, 4);
    byte[] original = packet.clone();
    view.wrap(packet, 0, packet.length);
    int headerLength = view.headerLength();

    int transportCc = HeaderExtensionRewriter.rewrite(view, TestRtp.PUBLISHER, TestRtp.SUBSCRIBER);

    assertThat(view.wrap(packet, 0, packet.length)).isTrue();
    assertThat(HeaderExtensions.audioLevel(view, TestRtp.SUBSCRIBER_AUDIO_LEVEL_ID))
        .isEqualTo(0x80 | 42);
    assertThat(view.findExtension(TestRtp.PUBLISHER_AUDIO_LEVEL_ID)).isEqualTo(-1);
    // The mid (publisher id 3) is gone: id 3 is now the subscriber's transport-wide slot.
    assertThat(view.findExtension(TestRtp.PUBLISHER_TRANSPORT_CC_ID)).as("twcc").isEqualTo(-1);
    // The transport-wide slot keeps its place under the subscriber's id 3; the caller overwrites
    // its value (here still the publisher's 77) with the subscriber transport's own number.
    assertThat(view.findExtension(3)).isEqualTo(transportCc).isEqualTo(22);
    // The audio level and that slot are left in the 12-byte block; sizes are unchanged.
    assertThat(Arrays.copyOfRange(packet, 16, 28))
        .containsExactly(0x10, 0x80 | 42, 0, 0, 0, 0x31, 0, 77, 0, 0, 0, 0);
    assertThat(view.headerLength()).isEqualTo(headerLength);
    assertThat(Arrays.copyOfRange(packet, 0, 16)).isEqualTo(Arrays.copyOfRange(original, 0, 16));
    assertThat(Arrays.copyOfRange(packet, 28, packet.length))
        .isEqualTo(Arrays.copyOfRange(original, 28, original.length));
  }

  @Test
  void aSubscriberWithoutAudioLevelGetsOnlyPadding() {
    byte[] packet = TestRtp.packet(1, 1, 1, false, 0);
    view.wrap(packet, 0, packet.length);

    HeaderExtensionRewriter.rewrite(view, TestRtp.PUBLISHER, NegotiatedRtp.of(111, Map.of()));

    assertThat(Arrays.copyOfRange(packet, 16, 28)).containsOnly(0);
    assertThat(view.wrap(packet, 0, packet.length)).isTrue();
  }

  @Test
  void aSubscriberIdAboveFourteenCannotBeWrittenInTheOneByteForm() {
    byte[] packet = TestRtp.packet(1, 1, 1, false, 0);
    view.wrap(packet, 0, packet.length);

    HeaderExtensionRewriter.rewrite(
        view, TestRtp.PUBLISHER, NegotiatedRtp.of(111, Map.of(NegotiatedRtp.AUDIO_LEVEL_URI, 20)));

    assertThat(Arrays.copyOfRange(packet, 16, 28)).containsOnly(0);
  }

  @Test
  void twoByteFormIsTranslatedToo() {
    // RFC 8285 §4.3: 0x1000 profile; audio level id 5 (1 byte), padding, id 30 (mid, 2 bytes).
    byte[] packet = {
      (byte) 0x90,
      109,
      0,
      1,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      9, // fixed header
      0x10,
      0x00,
      0x00,
      0x03, // two-byte form, 3 words
      5,
      1,
      (byte) 0x85, // id 5 len 1
      0, // padding
      30,
      2,
      'a',
      '1', // id 30 len 2
      0,
      0,
      0,
      0, // padding
      1,
      2,
      3,
      4 // payload
    };
    var from = NegotiatedRtp.of(109, Map.of(NegotiatedRtp.AUDIO_LEVEL_URI, 5, TestRtp.MID_URI, 30));
    var to = NegotiatedRtp.of(111, Map.of(NegotiatedRtp.AUDIO_LEVEL_URI, 200));
    view.wrap(packet, 0, packet.length);

    HeaderExtensionRewriter.rewrite(view, from, to);

    assertThat(Arrays.copyOfRange(packet, 16, 28))
        .containsExactly(200, 1, 0x85, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assertThat(Arrays.copyOfRange(packet, 28, 32)).containsExactly(1, 2, 3, 4);
  }

  @Test
  void aMalformedOrTerminatingElementBlanksTheRestOfTheBlock() {
    byte[] packet = {
      (byte) 0x90,
      109,
      0,
      1,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      9,
      (byte) 0xBE,
      (byte) 0xDE,
      0x00,
      0x02, // one-byte form, 2 words
      0x50,
      0x11, // id 5 (audio level) len 1
      (byte) 0xF0,
      0x22, // id 15: stop (RFC 8285 §4.2)
      0x33,
      0x44,
      0x55,
      0x66,
      9,
      9 // payload
    };
    view.wrap(packet, 0, packet.length);

    HeaderExtensionRewriter.rewrite(view, TestRtp.PUBLISHER, TestRtp.SUBSCRIBER);

    assertThat(Arrays.copyOfRange(packet, 16, 24)).containsExactly(0x10, 0x11, 0, 0, 0, 0, 0, 0);
    assertThat(Arrays.copyOfRange(packet, 24, 26)).containsExactly(9, 9);

    byte[] overrun = {
      (byte) 0x90,
      109,
      0,
      1,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      9,
      (byte) 0xBE,
      (byte) 0xDE,
      0x00,
      0x01,
      0x50,
      0x11,
      0x3F,
      0x01, // id 3 claims 16 bytes in a 2-byte remainder
      9
    };
    view.wrap(overrun, 0, overrun.length);
    HeaderExtensionRewriter.rewrite(view, TestRtp.PUBLISHER, TestRtp.SUBSCRIBER);
    assertThat(Arrays.copyOfRange(overrun, 16, 21)).containsExactly(0x10, 0x11, 0, 0, 9);
  }

  @Test
  void packetsWithoutExtensionsAreLeftAlone() {
    byte[] packet = {(byte) 0x80, 109, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 1, 2, 3};
    byte[] original = packet.clone();
    view.wrap(packet, 0, packet.length);

    HeaderExtensionRewriter.rewrite(view, TestRtp.PUBLISHER, TestRtp.SUBSCRIBER);

    assertThat(packet).isEqualTo(original);
  }
}
