package io.cheenhub.sfu.signaling;

/**
 * The stable error codes of the signaling protocol. Clients switch on {@link #wireValue()}; the
 * human-readable message next to it may change.
 */
public enum ErrorCode {
  /** The frame is not a JSON object. */
  MALFORMED_JSON("malformed-json"),
  /** The object has no {@code "type"} member. */
  MISSING_TYPE("missing-type"),
  /** {@code "type"} names no message this server knows. */
  UNKNOWN_TYPE("unknown-type"),
  /** {@code "type"} names a message only the server sends. */
  UNEXPECTED_TYPE("unexpected-type"),
  /** A required member is missing or null. */
  MISSING_FIELD("missing-field"),
  /** A member has the wrong JSON type. */
  INVALID_FIELD("invalid-field"),
  /** The frame is larger than {@code sfu.signaling.max-frame-bytes}. */
  FRAME_TOO_LARGE("frame-too-large"),
  /** The connection sends faster than {@code sfu.signaling.messages-per-second}. */
  RATE_LIMITED("rate-limited"),
  /** The room id does not match {@code [A-Za-z0-9-]{1,100}}. */
  INVALID_ROOM_ID("invalid-room-id"),
  /** The display name is empty, too long or has control characters. */
  INVALID_DISPLAY_NAME("invalid-display-name"),
  /** This connection is already in that room. */
  ALREADY_JOINED("already-joined"),
  /** This connection is not in that room (or in no room). */
  NOT_JOINED("not-joined"),
  /** {@code leave} without {@code roomId} while in several rooms. */
  AMBIGUOUS_ROOM("ambiguous-room"),
  /** The room has {@code sfu.room.max-participants} participants. */
  ROOM_FULL("room-full"),
  /** The connection is in {@code sfu.signaling.max-rooms-per-connection} rooms. */
  ROOM_LIMIT_REACHED("room-limit-reached"),
  /** The SDP could not be parsed. */
  SDP_MALFORMED("sdp-malformed"),
  /** The offer has no {@code a=fingerprint}. */
  SDP_NO_FINGERPRINT("sdp-no-fingerprint"),
  /** The offer's fingerprints disagree or use an unsupported hash function. */
  SDP_BAD_FINGERPRINT("sdp-bad-fingerprint"),
  /** The offer has no BUNDLE group with audio in it. */
  SDP_NO_BUNDLE("sdp-no-bundle"),
  /** The offer has no audio m-line. */
  SDP_NO_AUDIO("sdp-no-audio"),
  /** No bundled audio m-line offers Opus. */
  SDP_NO_OPUS("sdp-no-opus"),
  /** The offer has no {@code a=ice-ufrag}/{@code a=ice-pwd}. */
  SDP_NO_ICE_CREDENTIALS("sdp-no-ice-credentials"),
  /** The offer wants the server to be the DTLS client ({@code a=setup:passive}). */
  SDP_BAD_SETUP("sdp-bad-setup"),
  /** The bundled transport does not multiplex RTCP ({@code a=rtcp-mux}). */
  SDP_NO_RTCP_MUX("sdp-no-rtcp-mux"),
  /** The offer's {@code a=simulcast}/{@code a=rid} lines are inconsistent or over the limits. */
  SDP_BAD_SIMULCAST("sdp-bad-simulcast"),
  /** A {@code consumeAnswer} arrived while no {@code consumeOffer} was waiting for one. */
  NO_OFFER("no-offer"),
  /** A trickled candidate could not be parsed. */
  INVALID_CANDIDATE("invalid-candidate"),
  /** The media UDP port is not bound; no PeerConnection can be served. */
  TRANSPORT_UNAVAILABLE("transport-unavailable"),
  /** The server requires a token ({@code sfu.auth.anonymous=false}) and the join had none. */
  AUTH_REQUIRED("auth-required"),
  /** The token is malformed, badly signed, or from another issuer or audience. */
  AUTH_INVALID("auth-invalid"),
  /** The token's {@code exp} has passed. */
  AUTH_EXPIRED("auth-expired"),
  /** The token is for another room or lacks the permission (join, publish, subscribe). */
  AUTH_FORBIDDEN("auth-forbidden"),
  /** The user is in {@code sfu.auth.max-rooms-per-user} rooms across all its connections. */
  USER_ROOM_LIMIT("user-room-limit"),
  /** Admission control refuses new joins: heap, CPU or packet rate over its threshold. */
  OVERLOADED("overloaded"),
  /** A server bug; the log has the details under the same connection id. */
  INTERNAL_ERROR("internal-error"),
  /**
   * The server is draining (shutting down or taken out of service): no new joins; reconnect later,
   * through the load balancer to another server.
   */
  DRAINING("draining");

  private final String wireValue;

  ErrorCode(String wireValue) {
    this.wireValue = wireValue;
  }

  /** The signaling code for an SDP error. */
  public static ErrorCode of(io.cheenhub.sfu.sdp.SdpErrorCode code) {
    return switch (code) {
      case MALFORMED -> SDP_MALFORMED;
      case NO_FINGERPRINT -> SDP_NO_FINGERPRINT;
      case BAD_FINGERPRINT -> SDP_BAD_FINGERPRINT;
      case NO_BUNDLE -> SDP_NO_BUNDLE;
      case NO_AUDIO -> SDP_NO_AUDIO;
      case NO_OPUS -> SDP_NO_OPUS;
      case NO_ICE_CREDENTIALS -> SDP_NO_ICE_CREDENTIALS;
      case BAD_SETUP -> SDP_BAD_SETUP;
      case NO_RTCP_MUX -> SDP_NO_RTCP_MUX;
      case BAD_SIMULCAST -> SDP_BAD_SIMULCAST;
    };
  }

  /** The code for a refused token (a join's or an operator's). */
  public static ErrorCode of(io.cheenhub.sfu.auth.AuthFailure failure) {
    return switch (failure) {
      case REQUIRED -> AUTH_REQUIRED;
      case INVALID -> AUTH_INVALID;
      case EXPIRED -> AUTH_EXPIRED;
      case FORBIDDEN -> AUTH_FORBIDDEN;
    };
  }

  /** The code as it appears in {@code error} messages and metric labels. */
  public String wireValue() {
    return wireValue;
  }
}
