package io.cheenhub.sfu.auth;

import io.cheenhub.sfu.config.AuthSettings;

/** Initialised {@link Authenticator}s for other packages' unit tests (no CDI to inject them). */
public final class TestAuthenticators {

  private TestAuthenticators() {}

  /** An authenticator configured with {@code settings}, as CDI would set it up. */
  public static Authenticator of(AuthSettings settings) {
    var authenticator = new Authenticator();
    authenticator.settings = settings;
    authenticator.init();
    return authenticator;
  }
}
