package io.cheenhub.sfu.config;

/**
 * Large rooms (docs/architecture.md, "Large rooms"): a room of more than {@code threshold}
 * participants forwards its {@code slots} loudest speakers on fixed slots instead of every
 * participant to everyone.
 *
 * @param slots speaker slots per listener ({@code sfu.room.speaker-slots}), 1..8
 * @param threshold participants above which a room uses slots ({@code sfu.room.slot-threshold})
 * @param decryptSilent decrypt the packets of publishers in no slot all the same ({@code
 *     sfu.room.decrypt-silent}, default false: they are not decrypted; true only measures what that
 *     saves)
 */
public record SpeakerSlots(int slots, int threshold, boolean decryptSilent) {

  /** Most slots a listener can have (the selector's limit). */
  public static final int MAX_SLOTS = 8;

  /** The documented defaults (see docs/deployment.md). */
  public static final SpeakerSlots DEFAULTS = new SpeakerSlots(3, 8, false);

  /** Checks the values and fails with a message naming the config key. */
  public SpeakerSlots {
    ConfigChecks.positive("sfu.room.speaker-slots", slots);
    if (slots > MAX_SLOTS) {
      throw new IllegalArgumentException(
          "sfu.room.speaker-slots must be at most " + MAX_SLOTS + ", was " + slots);
    }
    ConfigChecks.positive("sfu.room.slot-threshold", threshold);
  }
}
