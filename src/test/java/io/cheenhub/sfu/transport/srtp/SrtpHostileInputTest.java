package io.cheenhub.sfu.transport.srtp;

import static io.cheenhub.sfu.transport.srtp.SrtpPackets.AUDIO_SSRC;
import static io.cheenhub.sfu.transport.srtp.SrtpPackets.OFFSET;
import static io.cheenhub.sfu.transport.srtp.SrtpPackets.RECEIVER_SSRC;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a hostile or broken peer can send: truncations, random SSRC floods, mutations. Nothing
 * throws, every refusal is counted, nothing unauthenticated takes a context slot, and the good
 * stream keeps flowing in between.
 */
class SrtpHostileInputTest {

  private static final int RANDOM_SSRCS = 10_000;
  private static final int GOOD_PACKET_EVERY = 100;
  private static final int MUTATIONS = 20_000;

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void everyTruncationIsACountedDrop(SrtpProfile profile) {
    byte[] keys = SrtpPackets.keyingMaterial(profile, 1);
    try (SrtpSession sender = new SrtpSession(profile, keys, DtlsRole.CLIENT);
        SrtpSession receiver = new SrtpSession(profile, keys, DtlsRole.SERVER)) {
      int seq = 1;
      // Establish the stream so truncations hit a cached context, not a trial one.
      assertThat(receiver.unprotectRtp(protectRtp(sender, seq++), OFFSET, full(profile)))
          .isPositive();
      byte[] packet = protectRtp(sender, seq);
      int length = full(profile);
      long dropsBefore = totalDrops(receiver);
      for (int truncated = 0; truncated < length; truncated++) {
        // The packet sits at the very end of its array so any over-read would throw.
        byte[] exact = Arrays.copyOfRange(packet, OFFSET, OFFSET + truncated);
        assertThat(receiver.unprotectRtp(exact, 0, truncated))
            .as("length %d", truncated)
            .isNegative();
      }
      assertThat(totalDrops(receiver) - dropsBefore).isEqualTo(length);
      assertThat(receiver.dropCount(SrtpDrop.MALFORMED)).isPositive();
      assertThat(receiver.dropCount(SrtpDrop.AUTH)).isPositive();
      assertThat(receiver.unprotectRtp(packet, OFFSET, length))
          .isEqualTo(length - profile.rtpOverheadBytes());

      int reportLength = SrtpPackets.receiverReport(RECEIVER_SSRC).length;
      byte[] first = SrtpPackets.embed(SrtpPackets.receiverReport(RECEIVER_SSRC));
      int firstLength = sender.protectRtcp(first, OFFSET, reportLength);
      assertThat(receiver.unprotectRtcp(first, OFFSET, firstLength)).isEqualTo(reportLength);
      byte[] rtcp = SrtpPackets.embed(SrtpPackets.receiverReport(RECEIVER_SSRC));
      int rtcpLength = sender.protectRtcp(rtcp, OFFSET, reportLength);
      dropsBefore = totalDrops(receiver);
      for (int truncated = 0; truncated < rtcpLength; truncated++) {
        byte[] exact = Arrays.copyOfRange(rtcp, OFFSET, OFFSET + truncated);
        assertThat(receiver.unprotectRtcp(exact, 0, truncated))
            .as("length %d", truncated)
            .isNegative();
      }
      assertThat(totalDrops(receiver) - dropsBefore).isEqualTo(rtcpLength);
      assertThat(receiver.unprotectRtcp(rtcp, OFFSET, rtcpLength)).isPositive();
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void randomSsrcFloodCachesNothingAndTheGoodStreamFlows(SrtpProfile profile) {
    byte[] keys = SrtpPackets.keyingMaterial(profile, 2);
    Random random = new Random(0xF100D);
    try (SrtpSession sender = new SrtpSession(profile, keys, DtlsRole.CLIENT);
        SrtpSession receiver = new SrtpSession(profile, keys, DtlsRole.SERVER)) {
      int seq = 1;
      int good = 0;
      for (int i = 0; i < RANDOM_SSRCS; i++) {
        if (i % GOOD_PACKET_EVERY == 0) {
          byte[] packet = protectRtp(sender, seq++);
          assertThat(receiver.unprotectRtp(packet, OFFSET, full(profile)))
              .as("good packet %d", i)
              .isPositive();
          good++;
        }
        byte[] garbage = SrtpPackets.embed(SrtpPackets.opus(random.nextInt(), random.nextInt(), i));
        random.nextBytes(garbage); // whole packet random, then made to look like RTP
        garbage[OFFSET] = (byte) 0x80;
        garbage[OFFSET + 1] = 111;
        assertThat(receiver.unprotectRtp(garbage, OFFSET, full(profile))).isNegative();
      }
      assertThat(receiver.receiveRtpContextCount()).as("only the good stream").isEqualTo(1);
      assertThat(
              receiver.dropCount(SrtpDrop.AUTH) + receiver.dropCount(SrtpDrop.UNKNOWN_SSRC_LIMIT))
          .isEqualTo(RANDOM_SSRCS);
      assertThat(receiver.dropCount(SrtpDrop.UNKNOWN_SSRC_LIMIT))
          .as("the budget held")
          .isPositive();
      assertThat(good).isEqualTo(RANDOM_SSRCS / GOOD_PACKET_EVERY);
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void randomSsrcFloodAloneLeavesTheContextMapEmpty(SrtpProfile profile) {
    byte[] keys = SrtpPackets.keyingMaterial(profile, 3);
    Random random = new Random(0xBADL);
    try (SrtpSession receiver = new SrtpSession(profile, keys, DtlsRole.SERVER)) {
      byte[] rtp = SrtpPackets.embed(SrtpPackets.opus(0, 0, 0));
      byte[] rtcp = SrtpPackets.embed(SrtpPackets.receiverReport(0));
      for (int i = 0; i < RANDOM_SSRCS; i++) {
        random.nextBytes(rtp);
        rtp[OFFSET] = (byte) 0x80;
        rtp[OFFSET + 1] = 111;
        assertThat(receiver.unprotectRtp(rtp, OFFSET, full(profile))).isNegative();
        random.nextBytes(rtcp);
        rtcp[OFFSET] = (byte) 0x80;
        rtcp[OFFSET + 1] = (byte) 200;
        assertThat(receiver.unprotectRtcp(rtcp, OFFSET, 40)).isNegative();
      }
      assertThat(receiver.receiveRtpContextCount()).isZero();
      assertThat(receiver.receiveRtcpContextCount()).isZero();
      assertThat(totalDrops(receiver)).isEqualTo(2L * RANDOM_SSRCS);
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void mutatedPacketsNeverThrowNorDecrypt(SrtpProfile profile) {
    byte[] keys = SrtpPackets.keyingMaterial(profile, 4);
    Random random = new Random(0x5EED);
    try (SrtpSession sender = new SrtpSession(profile, keys, DtlsRole.CLIENT);
        SrtpSession receiver = new SrtpSession(profile, keys, DtlsRole.SERVER)) {
      // A known stream: mutations that keep the SSRC hit its context, the rest a trial one.
      assertThat(receiver.unprotectRtp(protectRtp(sender, 6), OFFSET, full(profile))).isPositive();
      byte[] original = protectRtp(sender, 7);
      for (int i = 0; i < MUTATIONS; i++) {
        byte[] mutated = original.clone();
        int flips = 1 + random.nextInt(4);
        for (int f = 0; f < flips; f++) {
          mutated[OFFSET + random.nextInt(full(profile))] ^= (byte) (1 + random.nextInt(255));
        }
        int length = random.nextInt(4) == 0 ? random.nextInt(full(profile) + 1) : full(profile);
        if (Arrays.equals(mutated, original) && length == full(profile)) {
          continue;
        }
        assertThat(receiver.unprotectRtp(mutated, OFFSET, length)).isNegative();
        assertThat(receiver.unprotectRtcp(mutated, OFFSET, length)).isNegative();
      }
      assertThat(receiver.unprotectRtp(original, OFFSET, full(profile))).isPositive();
    }
  }

  private static int full(SrtpProfile profile) {
    return SrtpPackets.opus(AUDIO_SSRC, 0, 0).length + profile.rtpOverheadBytes();
  }

  private static byte[] protectRtp(SrtpSession sender, int seq) {
    byte[] plain = SrtpPackets.opus(AUDIO_SSRC, seq, seq);
    byte[] buf = SrtpPackets.embed(plain);
    assertThat(sender.protectRtp(buf, OFFSET, plain.length)).isPositive();
    return buf;
  }

  private static long totalDrops(SrtpSession session) {
    long total = 0;
    for (SrtpDrop reason : SrtpDrop.values()) {
      total += session.dropCount(reason);
    }
    return total;
  }
}
