package io.cheenhub.sfu.media;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Which layers a layered publisher is asked to send (LiveKit calls this dynacast): a layer no
 * listener selects is paused at the publisher, so in a room where every link is good the
 * publisher's uplink is one 64 kbit/s stream, as without layers.
 *
 * <p>A layer some listener needs is asked for at once (it starts within a round trip and an
 * encoder's start); one nobody needs is paused only after {@link #PAUSE_AFTER_NANOS}, so a listener
 * whose selection moves back and forth does not switch the publisher's encoders on and off. With no
 * listener at all the best layer stays on, ready for the next one (a new listener starts on the
 * best layer). Confined to the quality tick; {@link #activeMask()} may be read anywhere.
 */
final class LayerPauses {

  /** How long a layer nobody selects keeps being sent. */
  static final long PAUSE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);

  private static final long NEEDED = Long.MIN_VALUE;

  private final long[] unneededSince = {NEEDED, NEEDED, NEEDED};
  private int count = 1;
  private volatile int activeMask = 1;

  /** Bit i set: layer i is to be sent. A publisher starts with its best layer only. */
  int activeMask() {
    return activeMask;
  }

  /**
   * One tick: {@code needed} has bit i set when some listener needs layer i.
   *
   * @param layers the publisher's layer count now (a re-offer may change it)
   * @return whether the layers to send changed (the publisher must be told)
   */
  boolean update(int needed, int layers, long nowNanos) {
    int all = (1 << layers) - 1;
    int active = activeMask;
    if (layers != count) {
      count = layers;
      active = 1; // a new negotiation starts over: best layer only
      Arrays.fill(unneededSince, NEEDED);
    }
    needed &= all;
    if (needed == 0) {
      needed = 1;
    }
    int next = active & all;
    for (int i = 0; i < layers; i++) {
      int bit = 1 << i;
      if ((needed & bit) != 0) {
        next |= bit;
        unneededSince[i] = NEEDED;
      } else if ((next & bit) != 0) {
        if (unneededSince[i] == NEEDED) {
          unneededSince[i] = nowNanos;
        } else if (nowNanos - unneededSince[i] >= PAUSE_AFTER_NANOS) {
          next &= ~bit;
          unneededSince[i] = NEEDED;
        }
      }
    }
    boolean changed = next != activeMask;
    activeMask = next;
    return changed;
  }
}
