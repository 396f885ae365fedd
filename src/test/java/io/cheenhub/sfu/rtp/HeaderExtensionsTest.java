package io.cheenhub.sfu.rtp;

import static io.cheenhub.sfu.rtp.TestPackets.ABS_SEND_TIME_ID;
import static io.cheenhub.sfu.rtp.TestPackets.AUDIO_LEVEL_ID;
import static io.cheenhub.sfu.rtp.TestPackets.MID_ID;
import static io.cheenhub.sfu.rtp.TestPackets.TRANSPORT_CC_ID;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeaderExtensionsTest {

  private static final int OFF = 3;

  private final RtpPacket rtp = new RtpPacket();

  @Test
  void writersRewriteOnlyTheElementData() {
    byte[] original = TestPackets.embed(TestPackets.CHROME_OPUS, OFF, 2);
    byte[] buf = original.clone();
    assertThat(rtp.wrap(buf, OFF, TestPackets.CHROME_OPUS.length)).isTrue();

    assertThat(HeaderExtensions.setAudioLevel(rtp, AUDIO_LEVEL_ID, false, 127)).isTrue();
    assertThat(HeaderExtensions.setAbsSendTime(rtp, ABS_SEND_TIME_ID, 0x1ABCDEF)).isTrue();
    assertThat(HeaderExtensions.setTransportSequenceNumber(rtp, TRANSPORT_CC_ID, 0x1FFFE)).isTrue();

    int level = HeaderExtensions.audioLevel(rtp, AUDIO_LEVEL_ID);
    assertThat(HeaderExtensions.voiceActivity(level)).isFalse();
    assertThat(HeaderExtensions.levelDbov(level)).isEqualTo(HeaderExtensions.SILENCE_DBOV);
    assertThat(HeaderExtensions.absSendTime(rtp, ABS_SEND_TIME_ID)).isEqualTo(0xABCDEF);
    assertThat(HeaderExtensions.transportSequenceNumber(rtp, TRANSPORT_CC_ID)).isEqualTo(0xFFFE);

    byte[] expected = original.clone();
    expected[OFF + 17] = 0x7F;
    expected[OFF + 19] = (byte) 0xAB;
    expected[OFF + 20] = (byte) 0xCD;
    expected[OFF + 21] = (byte) 0xEF;
    expected[OFF + 23] = (byte) 0xFF;
    expected[OFF + 24] = (byte) 0xFE;
    assertThat(buf).containsExactly(expected);
  }

  @Test
  void audioLevelIsClampedToItsSevenBits() {
    byte[] buf = TestPackets.CHROME_OPUS.clone();
    rtp.wrap(buf, 0, buf.length);
    HeaderExtensions.setAudioLevel(rtp, AUDIO_LEVEL_ID, true, 500);
    assertThat(HeaderExtensions.audioLevel(rtp, AUDIO_LEVEL_ID)).isEqualTo(0xFF);
    HeaderExtensions.setAudioLevel(rtp, AUDIO_LEVEL_ID, true, -4);
    assertThat(HeaderExtensions.audioLevel(rtp, AUDIO_LEVEL_ID)).isEqualTo(0x80);
  }

  @Test
  void writersRefuseMissingOrWrongSizedElements() {
    byte[] original = TestPackets.CHROME_OPUS.clone();
    byte[] buf = original.clone();
    rtp.wrap(buf, 0, buf.length);
    assertThat(HeaderExtensions.setAudioLevel(rtp, 9, true, 1)).isFalse();
    // id 4 (mid) holds 1 byte, not the 3 of abs-send-time or the 2 of transport-cc.
    assertThat(HeaderExtensions.setAbsSendTime(rtp, MID_ID, 1)).isFalse();
    assertThat(HeaderExtensions.setTransportSequenceNumber(rtp, MID_ID, 1)).isFalse();
    assertThat(HeaderExtensions.absSendTime(rtp, MID_ID)).isEqualTo(HeaderExtensions.NOT_FOUND);
    assertThat(HeaderExtensions.transportSequenceNumber(rtp, ABS_SEND_TIME_ID))
        .isEqualTo(HeaderExtensions.NOT_FOUND);
    assertThat(HeaderExtensions.audioLevel(rtp, 9)).isEqualTo(HeaderExtensions.NOT_FOUND);
    assertThat(HeaderExtensions.mid(rtp, 9)).isNull();
    assertThat(buf).containsExactly(original);
  }

  @Test
  void ridReadsTheRtpStreamIdElement() {
    // RFC 8852 §3: the rid's ASCII characters as the element data; id 10 here, Chromium's choice.
    assertThat(HeaderExtensions.rid(oneByteElement(10, "h"), 10)).isEqualTo("h");
    assertThat(HeaderExtensions.rid(oneByteElement(10, "layer_2-x"), 10)).isEqualTo("layer_2-x");
    // 16 bytes, the most a one-byte element holds.
    assertThat(HeaderExtensions.rid(oneByteElement(10, "abcdefghijklmnop"), 10))
        .isEqualTo("abcdefghijklmnop");
    // A NUL ends the value (libwebrtc pads that way); nothing before it is no rid.
    assertThat(HeaderExtensions.rid(oneByteElement(10, "m\0\0"), 10)).isEqualTo("m");
    assertThat(HeaderExtensions.rid(oneByteElement(10, "\0m"), 10)).isNull();
    // Not an RFC 8851 rid-id, so it cannot name a negotiated rid.
    assertThat(HeaderExtensions.rid(oneByteElement(10, "h m"), 10)).isNull();
    assertThat(HeaderExtensions.rid(oneByteElement(10, "h\u00e9"), 10)).isNull();
    // Absent element.
    assertThat(HeaderExtensions.rid(oneByteElement(10, "h"), 11)).isNull();
    byte[] buf = TestPackets.CHROME_OPUS.clone();
    rtp.wrap(buf, 0, buf.length);
    assertThat(HeaderExtensions.rid(rtp, 9)).isNull();
    // The mid element of a Chromium packet reads as rid "0" when asked with its id.
    assertThat(HeaderExtensions.rid(rtp, MID_ID)).isEqualTo("0");
  }

  /** A packet with one RFC 8285 one-byte element {@code id} holding {@code text} (ISO-8859-1). */
  private RtpPacket oneByteElement(int id, String text) {
    byte[] data = text.getBytes(StandardCharsets.ISO_8859_1);
    int words = (1 + data.length + 3) / 4;
    byte[] buf = new byte[12 + 4 + words * 4 + 1];
    buf[0] = (byte) 0x90; // V=2 X=1
    buf[1] = 111;
    buf[12] = (byte) 0xBE;
    buf[13] = (byte) 0xDE;
    buf[15] = (byte) words;
    buf[16] = (byte) ((id << 4) | (data.length - 1));
    System.arraycopy(data, 0, buf, 17, data.length);
    buf[buf.length - 1] = 0x78; // one payload byte
    var packet = new RtpPacket();
    assertThat(packet.wrap(buf, 0, buf.length)).isTrue();
    return packet;
  }

  @Test
  void absSendTimeIsSixEighteenFixedPoint() {
    assertThat(HeaderExtensions.absSendTimeFromMicros(0)).isZero();
    assertThat(HeaderExtensions.absSendTimeFromMicros(1_000_000)).isEqualTo(1 << 18);
    assertThat(HeaderExtensions.absSendTimeFromMicros(500_000)).isEqualTo(1 << 17);
    // Wraps every 64 s.
    assertThat(HeaderExtensions.absSendTimeFromMicros(65_000_000)).isEqualTo(1 << 18);
    assertThat(HeaderExtensions.absSendTimeFromMicros(-1_000_000)).isEqualTo(63 << 18);
    assertThat(HeaderExtensions.absSendTimeToMicros(1 << 18)).isEqualTo(1_000_000);
    assertThat(HeaderExtensions.absSendTimeToMicros(0xFFFFFF)).isEqualTo(63_999_996);
    for (long micros = 0; micros < 64_000_000; micros += 999_983) {
      int value = HeaderExtensions.absSendTimeFromMicros(micros);
      assertThat(HeaderExtensions.absSendTimeToMicros(value)).isBetween(micros - 4, micros);
    }
  }
}
