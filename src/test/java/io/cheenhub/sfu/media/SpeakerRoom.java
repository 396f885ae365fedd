package io.cheenhub.sfu.media;

import static io.cheenhub.sfu.media.SpeakerTraces.FRAME_MILLIS;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Plays {@link SpeakerTraces} into a {@link SpeakerSelector} the way a server would: every
 * publisher's packet of each 20 ms frame arrives at its own offset within the frame plus up to 4 ms
 * of jitter, and a pass runs every {@link SpeakerSelector#PASS_INTERVAL_MILLIS}. Records every
 * pass.
 */
final class SpeakerRoom {

  /** One pass's output; times are milliseconds since the start of the room. */
  record Pass(long millis, int[] keys, int[] levels, int dominant, long changes, boolean reported) {

    boolean holds(int key) {
      return slotOf(key) != SpeakerSelector.NONE;
    }

    int slotOf(int key) {
      for (int slot = 0; slot < keys.length; slot++) {
        if (keys[slot] == key) {
          return slot;
        }
      }
      return SpeakerSelector.NONE;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Pass p
          && millis == p.millis
          && Arrays.equals(keys, p.keys)
          && Arrays.equals(levels, p.levels)
          && dominant == p.dominant
          && changes == p.changes
          && reported == p.reported;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(millis) * 31 + Arrays.hashCode(keys);
    }

    @Override
    public String toString() {
      return millis
          + " ms: "
          + Arrays.toString(keys)
          + " levels "
          + Arrays.toString(levels)
          + " dominant "
          + dominant
          + " changes "
          + changes;
    }
  }

  private static final long MILLIS = 1_000_000L;
  private static final int FRAMES_PER_PASS = SpeakerSelector.PASS_INTERVAL_MILLIS / FRAME_MILLIS;

  final SpeakerSelector selector;
  private final long startNanos;
  private final Random jitter;
  private final List<SpeakerMeter> meters = new ArrayList<>();
  private final List<int[]> traces = new ArrayList<>();
  private final List<Integer> offsets = new ArrayList<>();
  private final List<Pass> passes = new ArrayList<>();
  private int frame;

  SpeakerRoom(int slots) {
    this(slots, 7_000_000_000L, 16);
  }

  SpeakerRoom(int slots, long startNanos, long jitterSeed) {
    this.selector = new SpeakerSelector(slots);
    this.startNanos = startNanos;
    this.jitter = new Random(jitterSeed);
  }

  /** Adds a publisher whose trace starts at the current frame. */
  SpeakerMeter add(int key, SpeakerTraces.Trace trace) {
    SpeakerMeter meter = selector.add(key);
    meters.add(meter);
    int[] frames = trace.toArray();
    int[] padded = new int[frame + frames.length];
    Arrays.fill(padded, 0, frame, SpeakerTraces.NO_PACKET);
    System.arraycopy(frames, 0, padded, frame, frames.length);
    traces.add(padded);
    offsets.add((key * 7) % (FRAME_MILLIS - 4));
    return meter;
  }

  /** Plays {@code millis} of every trace (a trace that ended sends nothing) and the passes. */
  SpeakerRoom run(long millis) {
    int end = frame + SpeakerTraces.frameCount(millis);
    for (; frame < end; frame++) {
      long frameNanos = startNanos + frame * FRAME_MILLIS * MILLIS;
      for (int p = 0; p < meters.size(); p++) {
        int[] trace = traces.get(p);
        if (frame < trace.length && SpeakerTraces.hasPacket(trace[frame])) {
          long at =
              frameNanos + (offsets.get(p) + jitter.nextInt(4)) * MILLIS + jitter.nextInt(1000);
          meters
              .get(p)
              .onAudioLevel(
                  SpeakerTraces.level(trace[frame]), SpeakerTraces.voice(trace[frame]), at);
        }
      }
      if ((frame + 1) % FRAMES_PER_PASS == 0) {
        pass();
      }
    }
    return this;
  }

  private void pass() {
    long millis = (long) (frame + 1) * FRAME_MILLIS;
    boolean reported = selector.select(startNanos + millis * MILLIS);
    int[] keys = new int[selector.slots()];
    int[] levels = new int[selector.slots()];
    for (int slot = 0; slot < keys.length; slot++) {
      keys[slot] = selector.slotKey(slot);
      levels[slot] = selector.slotLevel(slot);
    }
    passes.add(
        new Pass(millis, keys, levels, selector.dominantKey(), selector.changes(), reported));
  }

  /** Milliseconds since the start. */
  long millis() {
    return (long) frame * FRAME_MILLIS;
  }

  List<Pass> passes() {
    return passes;
  }

  Pass last() {
    return passes.get(passes.size() - 1);
  }

  /** The first pass at or after {@code fromMillis} at which {@code key} holds a slot, or null. */
  Pass firstHolding(int key, long fromMillis) {
    for (Pass pass : passes) {
      if (pass.millis() >= fromMillis && pass.holds(key)) {
        return pass;
      }
    }
    return null;
  }

  /** The first pass at or after {@code fromMillis} at which {@code key} is dominant, or null. */
  Pass firstDominant(int key, long fromMillis) {
    for (Pass pass : passes) {
      if (pass.millis() >= fromMillis && pass.dominant() == key) {
        return pass;
      }
    }
    return null;
  }

  /** Whether {@code key} held a slot at any pass in [{@code fromMillis}, {@code toMillis}). */
  boolean everHeld(int key, long fromMillis, long toMillis) {
    for (Pass pass : passes) {
      if (pass.millis() >= fromMillis && pass.millis() < toMillis && pass.holds(key)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Passes in [{@code fromMillis}, {@code toMillis}) whose slot holders or dominant differ from the
   * previous pass.
   */
  int changesBetween(long fromMillis, long toMillis) {
    int count = 0;
    Pass previous = null;
    for (Pass pass : passes) {
      if (previous != null
          && pass.millis() >= fromMillis
          && pass.millis() < toMillis
          && (!Arrays.equals(pass.keys(), previous.keys())
              || pass.dominant() != previous.dominant())) {
        count++;
      }
      previous = pass;
    }
    return count;
  }
}
