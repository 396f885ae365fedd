package io.cheenhub.sfu.signaling;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which browser pages may open the signaling WebSocket (RFC 6455 §10.2: the server checks {@code
 * Origin} to refuse cross-site pages). Browsers always send {@code Origin} on a WebSocket
 * handshake; a request without one comes from a non-browser client (load generator, bots, tests),
 * which could send any {@code Origin} it liked, so there is nothing to protect and it is allowed.
 *
 * <p>Same origin by {@code Host} (the default without a list) is only for anonymous servers: the
 * browser sends the page's own name as {@code Host}, so a page whose name was re-bound to this
 * server's address (DNS rebinding) looks same-origin. Where tokens are required only the configured
 * origins pass.
 */
final class OriginPolicy {

  private final List<String> allowed;
  private final boolean sameOriginByHost;

  /**
   * @param allowed origins as {@code scheme://host[:port]}; {@code *} for any; empty for
   *     same-origin only if {@code sameOriginByHost}, else for no browser page at all
   * @param sameOriginByHost whether an empty list lets an {@code Origin} equal to {@code Host} pass
   *     (anonymous servers; false where tokens are required)
   */
  OriginPolicy(List<String> allowed, boolean sameOriginByHost) {
    this.allowed = allowed.stream().map(OriginPolicy::normalize).toList();
    this.sameOriginByHost = sameOriginByHost;
  }

  /** Whether a handshake with this {@code Origin} (null if absent) and {@code Host} may proceed. */
  boolean allows(String origin, String host) {
    if (origin == null) {
      return true;
    }
    if (allowed.contains("*")) {
      return true;
    }
    String normalized = normalize(origin);
    if (!allowed.isEmpty() || !sameOriginByHost) {
      return allowed.contains(normalized);
    }
    // Same origin: the page came from the host the browser is now connecting to.
    return host != null && authority(normalized).equals(withDefaultPort(normalized, host));
  }

  /** {@code Scheme://Host:443} → {@code scheme://host} (default ports dropped, lower case). */
  static String normalize(String origin) {
    String o = origin.strip().toLowerCase(Locale.ROOT);
    if (o.equals("*") || o.equals("null")) {
      return o;
    }
    try {
      URI uri = URI.create(o);
      if (uri.getScheme() == null || uri.getHost() == null) {
        return o;
      }
      int port = uri.getPort();
      boolean defaultPort =
          port == -1
              || (port == 80 && uri.getScheme().equals("http"))
              || (port == 443 && uri.getScheme().equals("https"));
      return uri.getScheme() + "://" + uri.getHost() + (defaultPort ? "" : ":" + port);
    } catch (IllegalArgumentException e) {
      return o;
    }
  }

  /** {@code host[:port]} of a normalized origin. */
  private static String authority(String origin) {
    int slashes = origin.indexOf("://");
    return slashes < 0 ? origin : origin.substring(slashes + 3);
  }

  /** The Host header with the origin scheme's default port dropped, lower case. */
  private static String withDefaultPort(String origin, String host) {
    String h = host.strip().toLowerCase(Locale.ROOT);
    String suffix = origin.startsWith("https://") ? ":443" : ":80";
    return h.endsWith(suffix) ? h.substring(0, h.length() - suffix.length()) : h;
  }
}
