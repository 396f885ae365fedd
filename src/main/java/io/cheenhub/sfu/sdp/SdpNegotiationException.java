package io.cheenhub.sfu.sdp;

/** A well-formed offer that the SFU cannot answer; {@link #errorCode()} says why. */
public final class SdpNegotiationException extends SdpException {
  private static final long serialVersionUID = 1L;

  SdpNegotiationException(SdpErrorCode errorCode, String message) {
    super(errorCode, message);
  }
}
