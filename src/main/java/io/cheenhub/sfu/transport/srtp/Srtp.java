package io.cheenhub.sfu.transport.srtp;

import java.util.Arrays;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;

/**
 * Process-wide jitsi-srtp set-up: picks the AES implementation and warms the library up.
 *
 * <p>jitsi-srtp keeps one AES factory per transformation for the whole JVM, so the choice is made
 * once per process: by {@link #prewarm(Optional)} at application start from the setting {@code
 * sfu.srtp.aes}, or as {@code auto} by the first {@link SrtpSession}. Naming the factory skips
 * jitsi-srtp's start-up benchmark of every factory (11 000 runs each of 1250-byte buffers, under a
 * global lock, on the first cipher). The first key derivation otherwise costs about a second (class
 * loading, native library, JIT), which lands inside the first DTLS handshake and drops the packets
 * that arrive meanwhile; prewarming moves it to start-up.
 */
public final class Srtp {

  /** The config key that chooses the AES implementation ({@code docs/deployment.md}). */
  public static final String AES_SETTING_KEY = "sfu.srtp.aes";

  /** The value of {@link #AES_SETTING_KEY} that lets {@link #configure()} choose. */
  public static final String AES_AUTO = "auto";

  /** An AES implementation jitsi-srtp can be told to use. */
  public enum AesImplementation {
    /** jitsi-srtp's JNI binding to the system libcrypto (1.1 or 3). */
    OPENSSL("OpenSSL", "JitsiOpenSslProvider"),
    /** The JDK's own provider (AES-NI and CLMUL intrinsics), always available. */
    SUN_JCE("SunJCE", "SunJCE"),
    /** BouncyCastle's pure-Java provider (bcprov, already shipped for DTLS). */
    BOUNCY_CASTLE("BouncyCastle", "BC");

    private final String factoryName;
    private final String providerName;

    AesImplementation(String factoryName, String providerName) {
      this.factoryName = factoryName;
      this.providerName = providerName;
    }

    /**
     * The name given to {@code Aes.setFactoryClassName}, which jitsi-srtp expands to {@code
     * Aes$<name>CipherFactory}; also the value of {@link #AES_SETTING_KEY}.
     */
    public String factoryName() {
      return factoryName;
    }

    /** The JCA provider name of the ciphers this implementation creates. */
    String providerName() {
      return providerName;
    }
  }

  private static final Logger LOG = Logger.getLogger(Srtp.class.getName());
  private static final int PREWARM_RTP_PAYLOAD_BYTES = 160;
  private static final long NANOS_PER_MILLI = 1_000_000L;

  // The transformations SRTP uses: CTR for key derivation (RFC 3711 §4.3) and AES_CM, GCM for
  // RFC 7714. F8 (ECB) is never negotiated here.
  private static final String[] SRTP_TRANSFORMATIONS = {"AES/CTR/NoPadding", "AES/GCM/NoPadding"};

  private static AesImplementation aes;
  private static boolean prewarmed;

  private Srtp() {}

  /**
   * Parses a value of {@link #AES_SETTING_KEY}: {@code auto} (empty) or a {@link
   * AesImplementation#factoryName()}, ignoring case and surrounding blanks.
   *
   * @throws IllegalArgumentException naming the key and the accepted values
   */
  public static Optional<AesImplementation> parseAesSetting(String value) {
    String name = value.strip();
    if (name.equalsIgnoreCase(AES_AUTO)) {
      return Optional.empty();
    }
    for (AesImplementation implementation : AesImplementation.values()) {
      if (implementation.factoryName.equalsIgnoreCase(name)) {
        return Optional.of(implementation);
      }
    }
    StringBuilder accepted = new StringBuilder(AES_AUTO);
    for (AesImplementation implementation : AesImplementation.values()) {
      accepted.append(", ").append(implementation.factoryName);
    }
    throw new IllegalArgumentException(
        AES_SETTING_KEY + " must be one of " + accepted + "; was '" + value + "'");
  }

  /** The AES implementation in use (chosen as {@code auto} if nothing was chosen yet). */
  public static synchronized AesImplementation aesImplementation() {
    return configure();
  }

  /** {@link #prewarm(Optional)} with {@code auto}. */
  public static synchronized void prewarm() {
    prewarm(Optional.empty());
  }

  /**
   * Chooses the AES implementation ({@link #choose}), then derives contexts and protects and
   * unprotects one RTP and one RTCP packet with each profile, so the first real session pays no
   * start-up cost. Idempotent; fails loudly if the round trip does not restore the packets.
   *
   * @param requested an implementation, or empty for {@code auto}
   */
  public static synchronized void prewarm(Optional<AesImplementation> requested) {
    AesImplementation chosen = choose(requested);
    if (prewarmed) {
      return;
    }
    long start = System.nanoTime();
    for (SrtpProfile profile : SrtpProfile.values()) {
      roundTrip(profile);
    }
    prewarmed = true;
    long millis = (System.nanoTime() - start) / NANOS_PER_MILLI;
    LOG.info(() -> "srtp prewarmed aes=" + chosen.factoryName() + " ms=" + millis);
  }

  /**
   * Chooses the AES implementation for this process, once: {@code requested}, or for {@code auto}
   * OpenSSL if jitsi-srtp's native library loaded, else SunJCE. A later call with {@code auto} or
   * the same implementation returns the choice; asking for another one fails, because jitsi-srtp
   * cannot switch the ciphers it already handed out.
   *
   * @throws IllegalStateException if OpenSSL is requested but the native library did not load, if
   *     jitsi-srtp did not take the implementation, or if another one was chosen before
   */
  public static synchronized AesImplementation choose(Optional<AesImplementation> requested) {
    if (aes == null) {
      AesImplementation chosen = requested.orElseGet(Srtp::automatic);
      if (chosen == AesImplementation.OPENSSL && !nativeLibraryLoaded()) {
        throw new IllegalStateException(
            AES_SETTING_KEY
                + "=OpenSSL but jitsi-srtp's native library did not load (see the jitsisrtp"
                + " warning); use auto or SunJCE");
      }
      Aes.setFactoryClassName(chosen.factoryName());
      checkTaken(chosen);
      aes = chosen;
      LOG.info(
          () ->
              "srtp aes="
                  + chosen.factoryName()
                  + " setting="
                  + requested.map(AesImplementation::factoryName).orElse(AES_AUTO));
    } else if (requested.isPresent() && requested.get() != aes) {
      throw new IllegalStateException(
          AES_SETTING_KEY
              + "="
              + requested.get().factoryName()
              + " but this process already uses "
              + aes.factoryName()
              + " (jitsi-srtp keeps one AES implementation per JVM)");
    }
    return aes;
  }

  /** The choice made so far, or {@code auto} on first use (what {@link SrtpSession} calls). */
  static synchronized AesImplementation configure() {
    return choose(Optional.empty());
  }

  private static AesImplementation automatic() {
    // docs/benchmarks.md, issue 17: on audio packets SunJCE is 4-14 % faster for GCM but allocates
    // ~1 KB per protect against OpenSSL's 64 B; BouncyCastle is 3-5x slower. OpenSSL stays first.
    return nativeLibraryLoaded() ? AesImplementation.OPENSSL : AesImplementation.SUN_JCE;
  }

  /**
   * jitsi-srtp falls back to benchmarking the other factories when the named one fails for a
   * transformation, silently; this makes sure the named one is what the sessions will get.
   */
  private static void checkTaken(AesImplementation chosen) {
    for (String transformation : SRTP_TRANSFORMATIONS) {
      String provider = Aes.createCipher(transformation).getProvider().getName();
      if (!provider.equals(chosen.providerName())) {
        throw new IllegalStateException(
            "jitsi-srtp did not take AES implementation "
                + chosen.factoryName()
                + " for "
                + transformation
                + ": got provider "
                + provider);
      }
    }
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
