package io.cheenhub.sfu.transport.srtp;

import java.util.Optional;
import org.jitsi.srtp.SrtpPolicy;

/** The SRTP protection profiles this SFU negotiates through DTLS use_srtp (RFC 5764 §4.1.2). */
public enum SrtpProfile {
  /** RFC 7714 §14.2: AES-128-GCM, 16-byte tag for SRTP and SRTCP, 12-byte salt. */
  AEAD_AES_128_GCM(
      0x0007, 16, 12, SrtpPolicy.AESGCM_ENCRYPTION, SrtpPolicy.NULL_AUTHENTICATION, 0, 16),
  /** RFC 5764 §4.1.2: AES-128 counter mode, HMAC-SHA1 with an 80-bit tag, 14-byte salt. */
  AES128_CM_HMAC_SHA1_80(
      0x0001, 16, 14, SrtpPolicy.AESCM_ENCRYPTION, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10);

  private final int dtlsId;
  private final int keyBytes;
  private final int saltBytes;
  private final int encryption;
  private final int authentication;
  private final int authKeyBytes;
  private final int tagBytes;

  SrtpProfile(
      int dtlsId,
      int keyBytes,
      int saltBytes,
      int encryption,
      int authentication,
      int authKeyBytes,
      int tagBytes) {
    this.dtlsId = dtlsId;
    this.keyBytes = keyBytes;
    this.saltBytes = saltBytes;
    this.encryption = encryption;
    this.authentication = authentication;
    this.authKeyBytes = authKeyBytes;
    this.tagBytes = tagBytes;
  }

  /** The SRTPProtectionProfile code point carried in the use_srtp extension. */
  public int dtlsId() {
    return dtlsId;
  }

  /** Master key length in bytes. */
  public int keyBytes() {
    return keyBytes;
  }

  /** Master salt length in bytes. */
  public int saltBytes() {
    return saltBytes;
  }

  /** RFC 5764 §4.2: bytes to export from DTLS, both directions' key and salt (56 or 60). */
  public int keyingMaterialBytes() {
    return 2 * (keyBytes + saltBytes);
  }

  /** Bytes SRTP appends to an RTP packet (the authentication tag). */
  public int rtpOverheadBytes() {
    return tagBytes;
  }

  /** RFC 3711 §3.4: bytes SRTCP appends to an RTCP packet: the E flag + index word and the tag. */
  public int rtcpOverheadBytes() {
    return SRTCP_INDEX_BYTES + tagBytes;
  }

  /** The profile with use_srtp code point {@code dtlsId}, if it is one we support. */
  public static Optional<SrtpProfile> fromDtlsId(int dtlsId) {
    for (SrtpProfile profile : VALUES) {
      if (profile.dtlsId == dtlsId) {
        return Optional.of(profile);
      }
    }
    return Optional.empty();
  }

  /**
   * A fresh jitsi-srtp policy for this profile. SRTP and SRTCP use the same values for both
   * profiles here (only SHA1_32 would differ). The send-side replay check is off: an SFU resends
   * packets with already used sequence numbers (NACK retransmissions).
   */
  SrtpPolicy newPolicy() {
    SrtpPolicy policy =
        new SrtpPolicy(encryption, keyBytes, authentication, authKeyBytes, tagBytes, saltBytes);
    policy.setSendReplayEnabled(false);
    return policy;
  }

  private static final int SRTCP_INDEX_BYTES = 4;
  private static final SrtpProfile[] VALUES = values();
}
