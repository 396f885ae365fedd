package io.cheenhub.sfu.config;

import java.time.Duration;
import java.util.List;

/**
 * The TURN servers handed to clients in {@code joined}, with time-limited credentials of the TURN
 * REST API (the shared secret of coturn's {@code use-auth-secret}; docs/deployment.md "TURN").
 *
 * @param urls the {@code turn:}/{@code turns:} URIs (RFC 7065) clients may use ({@code
 *     sfu.turn.urls}); empty: no TURN, clients connect directly
 * @param secret the secret shared with the TURN server ({@code sfu.turn.secret})
 * @param ttl how long a credential stays valid after the join ({@code sfu.turn.ttl-seconds})
 */
public record TurnSettings(List<String> urls, String secret, Duration ttl) {

  /** No TURN server configured. */
  public static final TurnSettings NONE = new TurnSettings(List.of(), "", Duration.ofDays(1));

  /** Fails with the offending key when the settings cannot work. */
  public TurnSettings {
    urls = List.copyOf(urls);
    for (String url : urls) {
      // RFC 7065 §3: turn:/turns: URIs; RFC 7064 §3: stun:/stuns: need no credential but are
      // allowed.
      if (!url.matches("(?i)(turns?|stuns?):[^\\s,]+")) {
        throw new IllegalArgumentException(
            "sfu.turn.urls: '" + url + "' is not a turn:, turns:, stun: or stuns: URI");
      }
    }
    ConfigChecks.positive("sfu.turn.ttl-seconds", ttl.toSeconds());
    if (!urls.isEmpty() && secret.isEmpty()) {
      throw new IllegalArgumentException("sfu.turn.urls is set but sfu.turn.secret is empty");
    }
  }

  /** Whether clients get any ICE server. */
  public boolean enabled() {
    return !urls.isEmpty();
  }
}
