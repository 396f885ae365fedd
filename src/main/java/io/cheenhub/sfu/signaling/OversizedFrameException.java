package io.cheenhub.sfu.signaling;

/**
 * A frame over twice {@code sfu.signaling.max-frame-bytes}: not answered, the socket is closed with
 * 1009 (RFC 6455 §7.4.1, message too big).
 */
final class OversizedFrameException extends Exception {

  private static final long serialVersionUID = 1L;

  OversizedFrameException() {
    super("frame over twice the limit", null, false, false);
  }
}
