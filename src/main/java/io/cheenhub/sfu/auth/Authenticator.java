package io.cheenhub.sfu.auth;

import io.cheenhub.sfu.config.AuthSettings;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * Decides whether a {@code join} may happen: checks its token ({@link TokenVerifier}) with the keys
 * from the MicroProfile JWT configuration, or lets it in anonymously when {@code
 * sfu.auth.anonymous} is set.
 */
@ApplicationScoped
public class Authenticator {

  private static final Logger LOG = Logger.getLogger(Authenticator.class.getName());

  /** How long keys read from {@code mp.jwt.verify.publickey.location} are kept. */
  private static final Duration KEY_CACHE_TTL = Duration.ofMinutes(10);

  @Inject AuthSettings settings;
  @Inject KeyFetcher fetcher;

  private TokenVerifier verifier;
  private VerificationKeys cachedKeys;
  private Instant keysLoadedAt = Instant.MIN;

  @PostConstruct
  void init() {
    verifier =
        new TokenVerifier(
            this::keys,
            settings.algorithm(),
            settings.issuer().isEmpty() ? null : settings.issuer(),
            settings.audiences(),
            settings.clockSkew());
    if (!settings.anonymous() && !settings.hasKey()) {
      LOG.severe(
          "tokens are required (sfu.auth.anonymous=false) but no mp.jwt.verify.publickey or"
              + " mp.jwt.verify.publickey.location is set: every join will be refused");
    }
    LOG.info(
        () ->
            "auth anonymous="
                + settings.anonymous()
                + " key="
                + (settings.hasKey() ? "configured" : "none")
                + " algorithm="
                + settings.algorithm()
                + " issuer="
                + (settings.issuer().isEmpty() ? "any" : settings.issuer()));
  }

  /**
   * Who may join {@code roomId} with {@code token}: the token's identity, or null for an anonymous
   * join (allowed only with {@code sfu.auth.anonymous=true}).
   */
  public Identity authenticateJoin(String token, String roomId) throws AuthException {
    if (token == null || token.isEmpty()) {
      if (settings.anonymous()) {
        return null;
      }
      throw new AuthException(
          AuthFailure.REQUIRED, "this server requires a token: send it as join.token");
    }
    if (settings.anonymous() && !settings.hasKey()) {
      return null; // nothing to verify it with; anonymous joins are allowed anyway
    }
    if (!settings.hasKey()) {
      throw new IllegalStateException("no mp.jwt.verify.publickey(.location) configured");
    }
    Identity identity = verifier.verify(token, Instant.now());
    identity.authorize(roomId, Identity.JOIN);
    return identity;
  }

  /**
   * Who may use the REST API with {@code token} (the {@code Authorization: Bearer} value, null if
   * absent): the token's identity if it grants {@link Identity#OPERATOR} for {@link
   * Identity#ANY_ROOM}, or null when {@code sfu.auth.anonymous} leaves the API open.
   */
  public Identity authenticateOperator(String token) throws AuthException {
    if (settings.anonymous()) {
      return null;
    }
    if (token == null || token.isEmpty()) {
      throw new AuthException(
          AuthFailure.REQUIRED,
          "this server requires a token: send an operator token as Authorization: Bearer");
    }
    if (!settings.hasKey()) {
      throw new IllegalStateException("no mp.jwt.verify.publickey(.location) configured");
    }
    Identity identity = verifier.verify(token, Instant.now());
    if (!identity.room().equals(Identity.ANY_ROOM)
        || !identity.permissions().contains(Identity.OPERATOR)) {
      throw new AuthException(
          AuthFailure.FORBIDDEN,
          "the token does not grant the "
              + Identity.OPERATOR
              + " permission for every room (room \"*\")");
    }
    return identity;
  }

  private synchronized VerificationKeys keys(String kid) throws GeneralSecurityException {
    Instant now = Instant.now();
    boolean stale = cachedKeys == null;
    if (!stale && !settings.publicKeyLocation().isEmpty()) {
      Duration age = Duration.between(keysLoadedAt, now);
      boolean unknownKid = kid != null && !cachedKeys.hasKid(kid);
      stale =
          age.compareTo(KEY_CACHE_TTL) > 0
              || (unknownKid && age.compareTo(settings.keyRefreshMinInterval()) > 0);
    }
    if (stale) {
      try {
        String text =
            settings.publicKey().isEmpty()
                ? read(settings.publicKeyLocation())
                : settings.publicKey();
        cachedKeys = VerificationKeys.parse(text);
        keysLoadedAt = now;
      } catch (GeneralSecurityException | RuntimeException e) {
        // The provider is down or its breaker open (RuntimeException: Fault Tolerance's): keep
        // verifying with the keys read last, so an outage of the identity provider refuses nobody
        // whose token those keys still verify.
        if (cachedKeys == null) {
          throw e instanceof GeneralSecurityException g
              ? g
              : new GeneralSecurityException("reading the token keys: " + e, e);
        }
        LOG.warning(
            () ->
                "auth keys refresh failed location="
                    + settings.publicKeyLocation()
                    + " keeping=last-read error="
                    + e);
      }
    }
    return cachedKeys;
  }

  /**
   * The key text at {@code location}: an http(s) URL (a JWKS endpoint), a {@code file:} URL or
   * path, or a resource in the application ({@code classpath:} optional), as MP JWT 2.1 allows.
   */
  private String read(String location) throws GeneralSecurityException {
    try {
      if (location.startsWith("http://") || location.startsWith("https://")) {
        return fetcher.fetch(location);
      }
      if (location.startsWith("file:")) {
        return Files.readString(Path.of(URI.create(location)));
      }
      String resource = location.startsWith("classpath:") ? location.substring(10) : location;
      Path path = Path.of(resource);
      if (Files.isRegularFile(path)) {
        return Files.readString(path);
      }
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      try (InputStream in = loader.getResourceAsStream(resource.replaceFirst("^/", ""))) {
        if (in == null) {
          throw new GeneralSecurityException(
              "no key at mp.jwt.verify.publickey.location " + location);
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new GeneralSecurityException("reading " + location + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GeneralSecurityException("interrupted reading " + location, e);
    }
  }
}
