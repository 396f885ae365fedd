package io.cheenhub.sfu.transport.srtp;

import java.util.Arrays;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;

/**
 * Process-wide jitsi-srtp set-up: picks the AES implementation and warms the library up.
 *
 * <p>Naming the AES factory skips jitsi-srtp's start-up benchmark of every factory (11 000 runs
 * each, under a global lock, on the first cipher). Call {@link #prewarm()} once at application
 * start: the first key derivation otherwise costs about a second (class loading, native library,
 * JIT), which lands inside the first DTLS handshake and drops the packets that arrive meanwhile.
 */
public final class Srtp {

  /** The AES implementation jitsi-srtp was told to use. */
  public enum AesImplementation {
    /** jitsi-srtp's JNI binding to the system libcrypto (1.1 or 3). */
    OPENSSL("OpenSSL"),
    /** The JDK's own provider, used when the native library does not load. */
    SUN_JCE("SunJCE");

    private final String factoryName;

    AesImplementation(String factoryName) {
      this.factoryName = factoryName;
    }

    /** The name given to {@code Aes.setFactoryClassName}. */
    public String factoryName() {
      return factoryName;
    }
  }

  private static final Logger LOG = Logger.getLogger(Srtp.class.getName());
  private static final int PREWARM_RTP_PAYLOAD_BYTES = 160;
  private static final long NANOS_PER_MILLI = 1_000_000L;

  private static AesImplementation aes;
  private static boolean prewarmed;

  private Srtp() {}

  /** The AES implementation in use (chosen on first use). */
  public static synchronized AesImplementation aesImplementation() {
    return configure();
  }

  /**
   * Derives contexts and protects and unprotects one RTP and one RTCP packet with each profile, so
   * the first real session pays no start-up cost. Idempotent; fails loudly if the round trip does
   * not restore the packets.
   */
  public static synchronized void prewarm() {
    if (prewarmed) {
      return;
    }
    long start = System.nanoTime();
    AesImplementation chosen = configure();
    for (SrtpProfile profile : SrtpProfile.values()) {
      roundTrip(profile);
    }
    prewarmed = true;
    long millis = (System.nanoTime() - start) / NANOS_PER_MILLI;
    LOG.info(() -> "srtp prewarmed aes=" + chosen.factoryName() + " ms=" + millis);
  }

  /** Chooses the AES implementation once: OpenSSL if jitsi-srtp's native library loaded. */
  static synchronized AesImplementation configure() {
    if (aes == null) {
      aes = nativeLibraryLoaded() ? AesImplementation.OPENSSL : AesImplementation.SUN_JCE;
      Aes.setFactoryClassName(aes.factoryName());
      LOG.info(() -> "srtp aes=" + aes.factoryName());
    }
    return aes;
  }

  private static boolean nativeLibraryLoaded() {
    try {
      return JitsiOpenSslProvider.isLoaded();
    } catch (LinkageError e) {
      // JNA or the provider class itself failed to load: the pure-Java path still works.
      LOG.log(Level.WARNING, "srtp native library unavailable, using SunJCE", e);
      return false;
    }
  }

  private static void roundTrip(SrtpProfile profile) {
    byte[] keys = new byte[profile.keyingMaterialBytes()];
    Arrays.fill(keys, (byte) 0x5A);
    byte[] rtp = new byte[PacketChecks.RTP_FIXED_HEADER_BYTES + PREWARM_RTP_PAYLOAD_BYTES + 64];
    rtp[0] = (byte) 0x80;
    rtp[1] = 111; // Opus
    int rtpLength = PacketChecks.RTP_FIXED_HEADER_BYTES + PREWARM_RTP_PAYLOAD_BYTES;
    byte[] rtcp = new byte[64];
    rtcp[0] = (byte) 0x80;
    rtcp[1] = (byte) 201; // empty receiver report
    rtcp[3] = 1;
    int rtcpLength = PacketChecks.RTCP_HEADER_BYTES;
    try (SrtpSession server = new SrtpSession(profile, keys, DtlsRole.SERVER);
        SrtpSession client = new SrtpSession(profile, keys, DtlsRole.CLIENT)) {
      int sent = server.protectRtp(rtp, 0, rtpLength);
      int received = sent < 0 ? sent : client.unprotectRtp(rtp, 0, sent);
      int sentRtcp = client.protectRtcp(rtcp, 0, rtcpLength);
      int receivedRtcp = sentRtcp < 0 ? sentRtcp : server.unprotectRtcp(rtcp, 0, sentRtcp);
      if (received != rtpLength || receivedRtcp != rtcpLength) {
        throw new IllegalStateException(
            "srtp self-test failed for " + profile + ": " + received + ", " + receivedRtcp);
      }
    }
  }
}
