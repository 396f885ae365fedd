package io.cheenhub.sfu.auth;

/** A token or request that is not authorized; the message is safe to show the client. */
public final class AuthException extends Exception {

  private static final long serialVersionUID = 1L;

  private final AuthFailure failure;

  public AuthException(AuthFailure failure, String message) {
    super(message, null, false, false);
    this.failure = failure;
  }

  public AuthFailure failure() {
    return failure;
  }
}
