package io.cheenhub.sfu.config;

/**
 * Cascaded rooms (docs/deployment.md, "Cascade"): with {@code sfu.cluster.cascade} a join is served
 * by the instance it reached, and a room whose participants are on several instances spans them;
 * the instances exchange their selected speakers' audio over one relay UDP port each.
 *
 * @param enabled {@code sfu.cluster.cascade}: rooms may span instances (needs {@code
 *     sfu.cluster.enabled})
 * @param relayHost {@code sfu.cluster.relay-host}: the address other instances send relay packets
 *     to (a private network; by default the host of {@code sfu.cluster.public-url})
 * @param relayPort {@code sfu.cluster.relay-port}: the relay UDP port (by default {@code
 *     sfu.media.port} + 1)
 */
public record CascadeSettings(boolean enabled, String relayHost, int relayPort) {

  /** No cascade (the default). */
  public static final CascadeSettings OFF = new CascadeSettings(false, null, 0);

  /** Checks the values and fails with a message naming the config key. */
  public CascadeSettings {
    if (enabled) {
      if (relayHost == null || relayHost.isBlank()) {
        throw new IllegalArgumentException(
            "sfu.cluster.relay-host is needed with sfu.cluster.cascade (or a public-url host)");
      }
      if (relayPort < 1 || relayPort > 65_535) {
        throw new IllegalArgumentException(
            "sfu.cluster.relay-port must be 1..65535, was " + relayPort);
      }
    }
  }

  /** The relay address as other instances reach it, {@code host:port}, or "" when off. */
  public String relayAddress() {
    return enabled ? relayHost + ":" + relayPort : "";
  }
}
