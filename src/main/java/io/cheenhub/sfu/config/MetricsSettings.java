package io.cheenhub.sfu.config;

/**
 * Settings of the Prometheus metrics (docs/monitoring.md).
 *
 * @param maxRoomLabels rooms that get their own {@code room} label on {@code sfu_room_participants}
 *     ({@code sfu.metrics.max-room-labels}, default 20): the largest ones; the rest are summed as
 *     {@code room="other"}, so a server with thousands of rooms still exports a bounded number of
 *     series
 */
public record MetricsSettings(int maxRoomLabels) {

  /** The documented defaults. */
  public static final MetricsSettings DEFAULTS = new MetricsSettings(20);

  public MetricsSettings {
    if (maxRoomLabels < 0) {
      throw new IllegalArgumentException(
          "sfu.metrics.max-room-labels must be >= 0, was " + maxRoomLabels);
    }
  }
}
