package io.cheenhub.sfu.transport.dtls;

import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import java.time.Duration;
import java.util.List;

/**
 * What one DTLS-SRTP handshake needs: our certificate, the peer's signalled fingerprints, the SRTP
 * profiles in order of preference (server) or offer (client), and the handshake deadline.
 *
 * @param label log context for this session's lines, e.g. {@code "room=r1 transport=t7"}
 * @param certificate our certificate; keep using the one whose fingerprint went into the SDP
 * @param remoteFingerprints the peer's {@code a=fingerprint} values; its certificate must match one
 * @param srtpProfiles server: preference order; client: offer order
 * @param handshakeTimeout whole-handshake deadline, from the moment the handshake starts
 */
public record DtlsParameters(
    String label,
    DtlsCertificate certificate,
    List<Fingerprint> remoteFingerprints,
    List<SrtpProfile> srtpProfiles,
    Duration handshakeTimeout) {

  /** JVB's default: long enough for lossy links with retransmission back-off, then give up. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);

  /** AES-GCM first (faster and a smaller tag per byte of security), then AES-CM/HMAC-SHA1-80. */
  public static final List<SrtpProfile> DEFAULT_SRTP_PROFILES =
      List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES128_CM_HMAC_SHA1_80);

  /** Validates and takes immutable copies of the lists. */
  public DtlsParameters {
    if (label == null || certificate == null) {
      throw new IllegalArgumentException("label and certificate are required");
    }
    // RFC 8122 §5: without a fingerprint the peer's certificate cannot be authenticated.
    if (remoteFingerprints == null || remoteFingerprints.isEmpty()) {
      throw new IllegalArgumentException("at least one remote fingerprint is required");
    }
    if (srtpProfiles == null || srtpProfiles.isEmpty()) {
      throw new IllegalArgumentException("at least one SRTP profile is required");
    }
    if (handshakeTimeout == null
        || handshakeTimeout.toMillis() < 1
        || handshakeTimeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("handshake timeout out of range: " + handshakeTimeout);
    }
    remoteFingerprints = List.copyOf(remoteFingerprints);
    srtpProfiles = List.copyOf(srtpProfiles);
  }

  /** Parameters with the default profiles and timeout. */
  public static DtlsParameters of(
      String label, DtlsCertificate certificate, List<Fingerprint> remoteFingerprints) {
    return new DtlsParameters(
        label, certificate, remoteFingerprints, DEFAULT_SRTP_PROFILES, DEFAULT_HANDSHAKE_TIMEOUT);
  }

  public DtlsParameters withSrtpProfiles(List<SrtpProfile> profiles) {
    return new DtlsParameters(label, certificate, remoteFingerprints, profiles, handshakeTimeout);
  }

  public DtlsParameters withHandshakeTimeout(Duration timeout) {
    return new DtlsParameters(label, certificate, remoteFingerprints, srtpProfiles, timeout);
  }
}
