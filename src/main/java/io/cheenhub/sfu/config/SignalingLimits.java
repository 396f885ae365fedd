package io.cheenhub.sfu.config;

import java.time.Duration;

/**
 * Limits that protect the signaling endpoint from oversized, malformed or abusive clients.
 *
 * @param maxFrameBytes largest text frame (UTF-16 chars of the JSON text) answered normally; larger
 *     frames get a {@code frame-too-large} error
 * @param maxRoomsPerConnection rooms one WebSocket connection may be in at the same time
 * @param messagesPerSecond token-bucket refill rate per connection
 * @param messageBurst token-bucket capacity per connection
 * @param maxRejectedPerWindow rejected (rate-limited) messages tolerated per {@code abuseWindow}
 *     before the connection is closed
 * @param abuseWindow window over which rejected messages are counted
 * @param pingInterval how often the server pings every connection
 * @param idleTimeout a connection with no inbound frame (text or pong) for this long is closed and
 *     its participants leave their rooms
 * @param maxQueuedOutbound messages waiting to be written to one slow client before it is closed
 * @param reconnectGrace how long a participant whose socket dropped (no close frame) stays in its
 *     room, media running, for its client to reconnect with the reconnect token
 */
public record SignalingLimits(
    int maxFrameBytes,
    int maxRoomsPerConnection,
    int messagesPerSecond,
    int messageBurst,
    int maxRejectedPerWindow,
    Duration abuseWindow,
    Duration pingInterval,
    Duration idleTimeout,
    int maxQueuedOutbound,
    Duration reconnectGrace) {

  /** The documented defaults (see docs/deployment.md). */
  public static final SignalingLimits DEFAULTS =
      new SignalingLimits(
          65_536,
          1,
          100,
          100,
          200,
          Duration.ofSeconds(10),
          Duration.ofSeconds(10),
          Duration.ofSeconds(30),
          1_000,
          Duration.ofSeconds(15));

  /** Checks the values and fails with a message naming the config key. */
  public SignalingLimits {
    ConfigChecks.positive("sfu.signaling.max-frame-bytes", maxFrameBytes);
    ConfigChecks.positive("sfu.signaling.max-rooms-per-connection", maxRoomsPerConnection);
    ConfigChecks.positive("sfu.signaling.messages-per-second", messagesPerSecond);
    ConfigChecks.positive("sfu.signaling.message-burst", messageBurst);
    ConfigChecks.positive("sfu.signaling.max-rejected-messages", maxRejectedPerWindow);
    ConfigChecks.positive("sfu.signaling.abuse-window-ms", abuseWindow.toMillis());
    ConfigChecks.positive("sfu.signaling.ping-interval-ms", pingInterval.toMillis());
    ConfigChecks.positive("sfu.signaling.idle-timeout-ms", idleTimeout.toMillis());
    ConfigChecks.positive("sfu.signaling.max-queued-outbound", maxQueuedOutbound);
    if (reconnectGrace.isNegative()) {
      throw new IllegalArgumentException("sfu.signaling.reconnect-grace-ms must not be negative");
    }
    if (idleTimeout.compareTo(pingInterval) <= 0) {
      throw new IllegalArgumentException(
          "sfu.signaling.idle-timeout-ms must be longer than sfu.signaling.ping-interval-ms");
    }
  }
}
