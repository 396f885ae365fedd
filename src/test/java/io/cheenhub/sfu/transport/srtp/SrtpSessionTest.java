package io.cheenhub.sfu.transport.srtp;

import static io.cheenhub.sfu.transport.srtp.SrtpPackets.AUDIO_SSRC;
import static io.cheenhub.sfu.transport.srtp.SrtpPackets.OFFSET;
import static io.cheenhub.sfu.transport.srtp.SrtpPackets.RECEIVER_SSRC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Round trips, key split, replay and tamper detection for both profiles. */
class SrtpSessionTest {

  private SrtpSession server;
  private SrtpSession client;

  private void open(SrtpProfile profile) {
    byte[] keys = SrtpPackets.keyingMaterial(profile, 42);
    server = new SrtpSession(profile, keys, DtlsRole.SERVER);
    client = new SrtpSession(profile, keys, DtlsRole.CLIENT);
  }

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
      client.close();
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void rtpRoundTripsBothWays(SrtpProfile profile) {
    open(profile);
    for (int seq = 65_530; seq < 65_530 + 20; seq++) { // across a sequence number wrap
      byte[] plain = SrtpPackets.opus(AUDIO_SSRC, seq & 0xFFFF, seq);
      assertRoundTrip(client, server, plain, profile.rtpOverheadBytes(), false);
      assertRoundTrip(server, client, plain, profile.rtpOverheadBytes(), false);
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void rtcpRoundTripsBothWays(SrtpProfile profile) {
    open(profile);
    for (int i = 0; i < 5; i++) {
      byte[] plain = SrtpPackets.receiverReport(RECEIVER_SSRC);
      assertRoundTrip(client, server, plain, profile.rtcpOverheadBytes(), true);
      assertRoundTrip(server, client, plain, profile.rtcpOverheadBytes(), true);
    }
  }

  private static void assertRoundTrip(
      SrtpSession from, SrtpSession to, byte[] plain, int overhead, boolean rtcp) {
    byte[] buf = SrtpPackets.embed(plain);
    int sent =
        rtcp
            ? from.protectRtcp(buf, OFFSET, plain.length)
            : from.protectRtp(buf, OFFSET, plain.length);
    assertThat(sent).isEqualTo(plain.length + overhead);
    assertThat(Arrays.copyOfRange(buf, OFFSET, OFFSET + plain.length)).isNotEqualTo(plain);
    int received = rtcp ? to.unprotectRtcp(buf, OFFSET, sent) : to.unprotectRtp(buf, OFFSET, sent);
    assertThat(received).isEqualTo(plain.length);
    assertThat(Arrays.copyOfRange(buf, OFFSET, OFFSET + received)).isEqualTo(plain);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void sameRoleOnBothEndsCannotTalk(SrtpProfile profile) {
    byte[] keys = SrtpPackets.keyingMaterial(profile, 7);
    try (SrtpSession a = new SrtpSession(profile, keys, DtlsRole.SERVER);
        SrtpSession b = new SrtpSession(profile, keys, DtlsRole.SERVER)) {
      byte[] plain = SrtpPackets.opus(AUDIO_SSRC, 1, 1);
      byte[] buf = SrtpPackets.embed(plain);
      int sent = a.protectRtp(buf, OFFSET, plain.length);
      assertThat(b.unprotectRtp(buf, OFFSET, sent)).isEqualTo(SrtpDrop.AUTH.status());
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void replayedPacketIsDroppedAndCounted(SrtpProfile profile) {
    open(profile);
    byte[] plain = SrtpPackets.opus(AUDIO_SSRC, 100, 1);
    byte[] buf = SrtpPackets.embed(plain);
    int sent = client.protectRtp(buf, OFFSET, plain.length);
    byte[] copy = buf.clone();
    assertThat(server.unprotectRtp(buf, OFFSET, sent)).isEqualTo(plain.length);

    assertThat(server.unprotectRtp(copy, OFFSET, sent)).isEqualTo(SrtpDrop.REPLAY.status());
    assertThat(server.dropCount(SrtpDrop.REPLAY)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void replayedRtcpIsDroppedAndCounted(SrtpProfile profile) {
    open(profile);
    byte[] plain = SrtpPackets.receiverReport(RECEIVER_SSRC);
    byte[] buf = SrtpPackets.embed(plain);
    int sent = client.protectRtcp(buf, OFFSET, plain.length);
    byte[] copy = buf.clone();
    assertThat(server.unprotectRtcp(buf, OFFSET, sent)).isEqualTo(plain.length);

    assertThat(server.unprotectRtcp(copy, OFFSET, sent)).isEqualTo(SrtpDrop.REPLAY.status());
    assertThat(server.dropCount(SrtpDrop.REPLAY)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void anyTamperedByteFailsAuthentication(SrtpProfile profile) {
    open(profile);
    byte[] plain = SrtpPackets.opus(AUDIO_SSRC, 500, 3);
    byte[] buf = SrtpPackets.embed(plain);
    int sent = client.protectRtp(buf, OFFSET, plain.length);
    // Every byte after the SSRC (a changed SSRC is an unknown stream, see the hostile-input test)
    // and every bit position is authenticated; the sequence number bytes too.
    int[] positions = {2, 3, 4, 7, 12, 15, 17, 24, 100, sent - 1};
    long before = server.dropCount(SrtpDrop.AUTH);
    for (int position : positions) {
      byte[] tampered = buf.clone();
      tampered[OFFSET + position] ^= 0x01;
      assertThat(server.unprotectRtp(tampered, OFFSET, sent))
          .as("flipped byte %d", position)
          .isEqualTo(SrtpDrop.AUTH.status());
    }
    assertThat(server.dropCount(SrtpDrop.AUTH) - before).isEqualTo(positions.length);
    // Failed packets left no state behind: the original still decrypts.
    assertThat(server.unprotectRtp(buf, OFFSET, sent)).isEqualTo(plain.length);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void protectNeedsTailRoomAndWellFormedPackets(SrtpProfile profile) {
    open(profile);
    byte[] plain = SrtpPackets.opus(AUDIO_SSRC, 1, 1);
    byte[] tight = plain.clone();
    assertThat(client.protectRtp(tight, 0, tight.length)).isEqualTo(SrtpDrop.NO_ROOM.status());
    assertThat(tight).isEqualTo(plain);

    byte[] buf = SrtpPackets.embed(plain);
    assertThat(client.protectRtp(buf, OFFSET, 11)).isEqualTo(SrtpDrop.MALFORMED.status());
    assertThat(client.protectRtp(buf, OFFSET, 20)).isEqualTo(SrtpDrop.MALFORMED.status());
    assertThat(client.protectRtp(buf, -1, 20)).isEqualTo(SrtpDrop.MALFORMED.status());
    assertThat(client.protectRtp(buf, OFFSET, buf.length)).isEqualTo(SrtpDrop.MALFORMED.status());
    assertThat(client.protectRtcp(buf, OFFSET, plain.length))
        .as("RTP is not RTCP")
        .isEqualTo(SrtpDrop.MALFORMED.status());
    assertThat(client.dropCount(SrtpDrop.MALFORMED)).isEqualTo(5);
    assertThat(client.dropCount(SrtpDrop.NO_ROOM)).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void closedSessionRefusesEverything(SrtpProfile profile) {
    open(profile);
    server.close();
    server.close();
    byte[] buf = SrtpPackets.embed(SrtpPackets.opus(AUDIO_SSRC, 1, 1));
    assertThat(server.protectRtp(buf, OFFSET, 184)).isEqualTo(SrtpDrop.CLOSED.status());
    assertThat(server.unprotectRtp(buf, OFFSET, 184)).isEqualTo(SrtpDrop.CLOSED.status());
    assertThat(server.protectRtcp(buf, OFFSET, 184)).isEqualTo(SrtpDrop.CLOSED.status());
    assertThat(server.unprotectRtcp(buf, OFFSET, 184)).isEqualTo(SrtpDrop.CLOSED.status());
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void keyingMaterialMustMatchTheProfile(SrtpProfile profile) {
    byte[] wrong = new byte[profile.keyingMaterialBytes() - 1];
    assertThatThrownBy(() -> new SrtpSession(profile, wrong, DtlsRole.SERVER))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @EnumSource(SrtpDrop.class)
  void statusesMapBackToTheirReason(SrtpDrop reason) {
    assertThat(reason.status()).isNegative();
    assertThat(SrtpDrop.ofStatus(reason.status())).isEqualTo(reason);
  }
}
