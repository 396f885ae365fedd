package io.cheenhub.sfu.config;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Scale-out on the Payara Data Grid (docs/deployment.md, "Cluster"). Off by default: a single
 * instance runs without the grid and pays nothing for it.
 *
 * @param enabled {@code sfu.cluster.enabled}: this instance is one of several sharing rooms
 * @param instance {@code sfu.cluster.instance}: its name, unique in the cluster
 * @param publicUrl {@code sfu.cluster.public-url}: the base URL clients reach it at (where a {@code
 *     redirect} sends them), e.g. {@code https://sfu-b.example.com/}
 * @param secret {@code sfu.cluster.secret}: the key of redirect tickets, the same on every instance
 *     (at least 32 bytes; it never travels through the grid)
 * @param heartbeat {@code sfu.cluster.heartbeat-ms}: how often the instance writes its load entry
 * @param ttl {@code sfu.cluster.ttl-ms}: how long a load entry lives; an instance whose entry
 *     expired counts as dead and its rooms are placed elsewhere
 */
public record ClusterSettings(
    boolean enabled,
    String instance,
    URI publicUrl,
    String secret,
    Duration heartbeat,
    Duration ttl) {

  /** Instance names: short, and safe in URLs, logs and metric labels. */
  public static final Pattern INSTANCE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** The shortest secret accepted (HMAC-SHA256's block of security). */
  public static final int MIN_SECRET_BYTES = 32;

  /** A single instance (the default). */
  public static final ClusterSettings SINGLE =
      new ClusterSettings(
          false, "single", null, null, Duration.ofSeconds(1), Duration.ofSeconds(3));

  /** Checks the values and fails with a message naming the config key. */
  public ClusterSettings {
    ConfigChecks.positive("sfu.cluster.heartbeat-ms", heartbeat.toMillis());
    if (ttl.compareTo(heartbeat.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException(
          "sfu.cluster.ttl-ms must be at least twice sfu.cluster.heartbeat-ms ("
              + heartbeat.toMillis()
              + "), was "
              + ttl.toMillis());
    }
    if (enabled) {
      if (instance == null || !INSTANCE.matcher(instance).matches()) {
        throw new IllegalArgumentException(
            "sfu.cluster.instance must match " + INSTANCE + ", was " + instance);
      }
      if (publicUrl == null
          || !publicUrl.isAbsolute()
          || !(publicUrl.getScheme().equals("http") || publicUrl.getScheme().equals("https"))) {
        throw new IllegalArgumentException(
            "sfu.cluster.public-url must be an absolute http(s) URL, was " + publicUrl);
      }
      if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException(
            "sfu.cluster.secret must be at least " + MIN_SECRET_BYTES + " bytes");
      }
    }
  }

  /** The WebSocket URL of this instance's signaling endpoint. */
  public String signalingUrl() {
    return signalingUrl(publicUrl.toString());
  }

  /**
   * The WebSocket URL of the signaling endpoint of the instance at public base URL {@code base}.
   */
  public static String signalingUrl(String base) {
    String ws = (base.startsWith("https") ? "wss" : "ws") + base.substring(base.indexOf(':'));
    return (ws.endsWith("/") ? ws : ws + "/") + "ws";
  }

  @Override
  public String toString() {
    // The secret stays out of logs.
    return "ClusterSettings[enabled="
        + enabled
        + ", instance="
        + instance
        + ", publicUrl="
        + publicUrl
        + ", heartbeat="
        + heartbeat
        + ", ttl="
        + ttl
        + "]";
  }
}
