package io.cheenhub.sfu.transport.srtp;

import static io.cheenhub.sfu.transport.srtp.SrtpPackets.AUDIO_SSRC;
import static io.cheenhub.sfu.transport.srtp.SrtpPackets.OFFSET;
import static io.cheenhub.sfu.transport.srtp.SrtpPackets.RECEIVER_SSRC;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One real SRTP and SRTCP round trip per profile with fixed keys and packets, run in a JVM of its
 * own by {@link SrtpAesSettingTest}: jitsi-srtp keeps one AES implementation per process, so each
 * implementation needs a fresh JVM. Prints the implementation in use and the protected bytes, which
 * are the same for every correct implementation (SRTP is deterministic for a key and an index).
 */
final class AesRoundTrip {

  private static final long KEY_SEED = 17;
  private static final int SEQUENCE = 4_711;
  private static final HexFormat HEX = HexFormat.of();

  private AesRoundTrip() {}

  /** Usage: {@code AesRoundTrip <sfu.srtp.aes value>}; exit status 0 when every trip restored. */
  public static void main(String[] args) {
    Srtp.choose(Srtp.parseAesSetting(args[0]));
    System.out.println("aes=" + Srtp.aesImplementation().factoryName());
    for (SrtpProfile profile : SrtpProfile.values()) {
      System.out.println(profile + "=" + protectedHex(profile));
    }
  }

  /**
   * Protects an Opus packet (server role) and a receiver report (client role) in fresh sessions,
   * unprotects them on the other side and checks the plain bytes came back; returns both protected
   * packets in hex, separated by {@code /}.
   */
  static String protectedHex(SrtpProfile profile) {
    byte[] keys = SrtpPackets.keyingMaterial(profile, KEY_SEED);
    try (SrtpSession server = new SrtpSession(profile, keys, DtlsRole.SERVER);
        SrtpSession client = new SrtpSession(profile, keys, DtlsRole.CLIENT)) {
      String rtp = trip(server, client, SrtpPackets.opus(AUDIO_SSRC, SEQUENCE, 1), false);
      String rtcp = trip(client, server, SrtpPackets.receiverReport(RECEIVER_SSRC), true);
      return rtp + "/" + rtcp;
    }
  }

  private static String trip(SrtpSession from, SrtpSession to, byte[] plain, boolean rtcp) {
    byte[] buf = SrtpPackets.embed(plain);
    int sent =
        rtcp
            ? from.protectRtcp(buf, OFFSET, plain.length)
            : from.protectRtp(buf, OFFSET, plain.length);
    if (sent <= plain.length) {
      throw new AssertionError((rtcp ? "srtcp" : "srtp") + " protect failed: " + sent);
    }
    String hex = HEX.formatHex(buf, OFFSET, OFFSET + sent);
    int received = rtcp ? to.unprotectRtcp(buf, OFFSET, sent) : to.unprotectRtp(buf, OFFSET, sent);
    if (received != plain.length
        || !Arrays.equals(buf, OFFSET, OFFSET + received, plain, 0, plain.length)) {
      throw new AssertionError((rtcp ? "srtcp" : "srtp") + " round trip failed: " + received);
    }
    return hex;
  }
}
