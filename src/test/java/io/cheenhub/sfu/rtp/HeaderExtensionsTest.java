package io.cheenhub.sfu.rtp;

import static io.cheenhub.sfu.rtp.TestPackets.ABS_SEND_TIME_ID;
import static io.cheenhub.sfu.rtp.TestPackets.AUDIO_LEVEL_ID;
import static io.cheenhub.sfu.rtp.TestPackets.MID_ID;
import static io.cheenhub.sfu.rtp.TestPackets.TRANSPORT_CC_ID;
import static org.assertj.core.api.Assertions.assertThat;

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
