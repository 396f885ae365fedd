package io.cheenhub.sfu.sdp;

/** Why an SDP was refused, with the stable code that signaling sends to the client. */
public enum SdpErrorCode {
  /**
   * The text is not SDP we can read (see {@link SdpParseException}) or breaks RFC 8866/5888 rules.
   */
  MALFORMED("sdp-malformed"),
  /**
   * No {@code a=fingerprint}: DTLS-SRTP cannot authenticate the peer (RFC 8122 §5, RFC 5763 §5).
   */
  NO_FINGERPRINT("sdp-no-fingerprint"),
  /**
   * The {@code a=fingerprint} lines cannot authenticate one certificate: two of the same hash
   * function disagree (RFC 8122 §5), or one uses a hash function or length the server does not
   * accept.
   */
  BAD_FINGERPRINT("sdp-bad-fingerprint"),
  /**
   * No usable {@code a=group:BUNDLE}: the SFU runs all media of a PeerConnection on one transport.
   */
  NO_BUNDLE("sdp-no-bundle"),
  /** No audio m-line that is in use. */
  NO_AUDIO("sdp-no-audio"),
  /** No audio m-line offers {@code opus/48000/2} (RFC 7587 §7). */
  NO_OPUS("sdp-no-opus"),
  /** No {@code a=ice-ufrag}/{@code a=ice-pwd} (RFC 8839 §5.4). */
  NO_ICE_CREDENTIALS("sdp-no-ice-credentials"),
  /** {@code a=setup} leaves the server no DTLS server role (RFC 4145 §4, RFC 5763 §5). */
  BAD_SETUP("sdp-bad-setup"),
  /** No {@code a=rtcp-mux} on the bundled transport; the server only runs one ICE component. */
  NO_RTCP_MUX("sdp-no-rtcp-mux"),
  /**
   * The {@code a=simulcast} (RFC 8853) and {@code a=rid} (RFC 8851) lines of an accepted audio
   * m-line do not fit together or not the server's limits (at most 3 send rids, ids of at most 16
   * letters, digits, {@code -} or {@code _}), or the RTP stream id header extension (RFC 8852) that
   * tells the layers apart is missing.
   */
  BAD_SIMULCAST("sdp-bad-simulcast");

  private final String wireValue;

  SdpErrorCode(String wireValue) {
    this.wireValue = wireValue;
  }

  /** The code as it appears in {@code error} messages, for example {@code sdp-no-fingerprint}. */
  public String wireValue() {
    return wireValue;
  }
}
