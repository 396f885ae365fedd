package io.cheenhub.sfu.signaling;

/** A client error that is answered with an {@code error} message carrying {@link #code()}. */
public final class SignalingException extends Exception {

  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String requestId;

  /** An error answering the request {@code requestId} (may be null). */
  public SignalingException(ErrorCode code, String message, String requestId) {
    super(message, null, false, false);
    this.code = code;
    this.requestId = requestId;
  }

  /** The stable error code. */
  public ErrorCode code() {
    return code;
  }

  /** The request this error answers, or null. */
  public String requestId() {
    return requestId;
  }

  /** The {@code error} message to send back. */
  public Message.ErrorMessage toMessage() {
    return new Message.ErrorMessage(requestId, code.wireValue(), getMessage());
  }
}
