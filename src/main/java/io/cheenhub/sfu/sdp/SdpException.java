package io.cheenhub.sfu.sdp;

import java.util.Objects;

/** An SDP that the SFU cannot use; {@link #errorCode()} is what signaling reports to the client. */
public abstract sealed class SdpException extends Exception
    permits SdpParseException, SdpNegotiationException {
  private static final long serialVersionUID = 1L;

  private final SdpErrorCode errorCode;

  SdpException(SdpErrorCode errorCode, String message) {
    super(message);
    this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
  }

  /** The stable, machine-readable reason. */
  public SdpErrorCode errorCode() {
    return errorCode;
  }
}
