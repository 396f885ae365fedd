package io.cheenhub.sfu.auth;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * Reads the identity provider's keys over http(s) ({@code mp.jwt.verify.publickey.location} as a
 * JWKS URL): the one remote dependency of the server. MicroProfile Fault Tolerance guards it, since
 * a join waits for it: each read is cut off after {@link #TIMEOUT_MILLIS}, and after half of 4
 * reads failed the breaker opens for {@link #OPEN_MILLIS}, so an unreachable provider costs joins
 * nothing (they keep the last keys read, see {@link Authenticator}) instead of a timeout each.
 */
@ApplicationScoped
public class KeyFetcher {

  /** Longest a read may take, connect included, in milliseconds. */
  static final long TIMEOUT_MILLIS = 3_000;

  /** How long the breaker stays open before one trial read, in milliseconds. */
  static final long OPEN_MILLIS = 30_000;

  /**
   * Made at the first read: an {@code HttpClient} runs a selector thread that wakes every few
   * seconds for as long as it lives, and a server with anonymous joins or static keys never reads
   * (CDI's client proxy also runs this class's field initialisers, at the first join).
   */
  private volatile HttpClient client;

  /**
   * The body of {@code url}; fails on anything but HTTP 200. When the breaker is open this throws
   * {@code CircuitBreakerOpenException} at once, without contacting the provider.
   */
  @Timeout(value = TIMEOUT_MILLIS, unit = ChronoUnit.MILLIS)
  @CircuitBreaker(
      requestVolumeThreshold = 4,
      failureRatio = 0.5,
      delay = OPEN_MILLIS,
      delayUnit = ChronoUnit.MILLIS,
      successThreshold = 1)
  public String fetch(String url) throws IOException, InterruptedException {
    var request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(TIMEOUT_MILLIS)).build();
    HttpResponse<String> response = client().send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("reading " + url + " returned HTTP " + response.statusCode());
    }
    return response.body();
  }

  private HttpClient client() {
    HttpClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          c = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(TIMEOUT_MILLIS)).build();
          client = c;
        }
      }
    }
    return c;
  }
}
