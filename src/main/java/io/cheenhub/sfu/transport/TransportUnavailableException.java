package io.cheenhub.sfu.transport;

/** The media UDP port is not bound, so no transport can be created. */
public final class TransportUnavailableException extends Exception {

  private static final long serialVersionUID = 1L;

  /** With the reason the port is unavailable. */
  public TransportUnavailableException(String reason) {
    super(reason, null, false, false);
  }
}
