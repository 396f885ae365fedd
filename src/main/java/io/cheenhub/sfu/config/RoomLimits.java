package io.cheenhub.sfu.config;

/**
 * Limits on rooms and the names people use in them.
 *
 * @param maxParticipantsPerRoom participants one room holds; the next join gets {@code room-full}
 * @param maxDisplayNameLength longest display name, in Unicode code points, after trimming
 */
public record RoomLimits(int maxParticipantsPerRoom, int maxDisplayNameLength) {

  /** The documented defaults (see docs/deployment.md). */
  public static final RoomLimits DEFAULTS = new RoomLimits(100, 64);

  /** Checks the values and fails with a message naming the config key. */
  public RoomLimits {
    ConfigChecks.positive("sfu.room.max-participants", maxParticipantsPerRoom);
    ConfigChecks.positive("sfu.room.max-display-name-length", maxDisplayNameLength);
  }
}
