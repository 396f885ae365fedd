package io.cheenhub.sfu.media;

import java.util.Arrays;
import java.util.Random;

/**
 * Level traces like the ones a browser sends, one RFC 6464 reading per 20 ms packet, built from
 * segments: speech (phrases of syllables with quieter gaps and pauses), steady noise, digital
 * silence, DTX, no packets, unvoiced packets and constant bursts (a cough).
 *
 * <p>A frame is an int: 0..127 the level in -dBov with the V flag set, {@link #unvoiced} adds the
 * V-clear marker, {@link #NO_PACKET} means nothing was sent.
 */
final class SpeakerTraces {

  static final int FRAME_MILLIS = 20;
  static final int NO_PACKET = -1;
  static final int SILENCE = 127;
  private static final int UNVOICED = 0x100;
  private static final int DTX_FRAMES = 20; // 400 ms

  private SpeakerTraces() {}

  static int unvoiced(int level) {
    return level | UNVOICED;
  }

  static boolean hasPacket(int frame) {
    return frame >= 0;
  }

  static int level(int frame) {
    return frame & 0x7F;
  }

  static boolean voice(int frame) {
    return (frame & UNVOICED) == 0;
  }

  static int frameCount(long millis) {
    return (int) (millis / FRAME_MILLIS);
  }

  /** A trace under construction; every random choice comes from the seed. */
  static final class Trace {
    private final Random random;
    private int[] frames = new int[256];
    private int length;

    Trace(long seed) {
      random = new Random(seed);
    }

    /**
     * Speech: phrases of 1.5 to 4 s separated by 200 to 700 ms pauses at the noise level; within a
     * phrase, syllables of 100 to 220 ms at {@code speechDbov} ± 3 dB (± 2 dB per frame) and gaps
     * of 20 to 100 ms 12 to 25 dB quieter (never quieter than the noise).
     */
    Trace speech(long millis, int speechDbov, int noiseDbov) {
      int end = length + frameCount(millis);
      while (length < end) {
        int phraseEnd = Math.min(end, length + frameCount(1_500 + random.nextInt(2_500)));
        while (length < phraseEnd) {
          int syllable = speechDbov + random.nextInt(7) - 3;
          int syllableEnd = Math.min(phraseEnd, length + frameCount(100 + random.nextInt(121)));
          while (length < syllableEnd) {
            append(clamp(syllable + random.nextInt(5) - 2));
          }
          int gapEnd = Math.min(phraseEnd, length + 1 + random.nextInt(5));
          int gap = Math.min(noiseDbov, speechDbov + 12 + random.nextInt(14));
          while (length < gapEnd) {
            append(clamp(gap + random.nextInt(3) - 1));
          }
        }
        if (length < end) {
          noise(
              Math.min(200 + random.nextInt(501), (end - length) * (long) FRAME_MILLIS), noiseDbov);
        }
      }
      return this;
    }

    /** Steady noise at {@code noiseDbov} ± 1 dB (digital silence stays 127). */
    Trace noise(long millis, int noiseDbov) {
      for (int i = frameCount(millis); i > 0; i--) {
        append(noiseDbov == SILENCE ? SILENCE : clamp(noiseDbov + random.nextInt(3) - 1));
      }
      return this;
    }

    /** Packets at level 127. */
    Trace silence(long millis) {
      return constant(millis, SILENCE);
    }

    /** No packets at all (a stalled sender, a network outage). */
    Trace nothing(long millis) {
      return constant(millis, NO_PACKET);
    }

    /**
     * Opus DTX as libwebrtc sends it: one comfort-noise packet every 400 ms with the V flag clear
     * and the level of the background noise, nothing in between.
     */
    Trace dtx(long millis, int noiseDbov) {
      for (int i = 0; i < frameCount(millis); i++) {
        append(i % DTX_FRAMES == 0 ? unvoiced(noiseDbov) : NO_PACKET);
      }
      return this;
    }

    /** Packets at {@code dbov} with the V flag clear. */
    Trace unvoicedAt(long millis, int dbov) {
      return constant(millis, unvoiced(dbov));
    }

    /** Packets at exactly {@code dbov}, V set: a cough, a door, a tone. */
    Trace constant(long millis, int frame) {
      for (int i = frameCount(millis); i > 0; i--) {
        append(frame);
      }
      return this;
    }

    int millis() {
      return length * FRAME_MILLIS;
    }

    int[] toArray() {
      return Arrays.copyOf(frames, length);
    }

    private void append(int frame) {
      if (length == frames.length) {
        frames = Arrays.copyOf(frames, length * 2);
      }
      frames[length++] = frame;
    }

    private static int clamp(int dbov) {
      return Math.max(0, Math.min(126, dbov));
    }
  }
}
