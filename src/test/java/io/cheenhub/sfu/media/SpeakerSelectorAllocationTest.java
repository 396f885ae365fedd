package io.cheenhub.sfu.media;

import static io.cheenhub.sfu.media.SpeakerTraces.FRAME_MILLIS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cheenhub.sfu.media.SpeakerTraces.Trace;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Proves that feeding the meters and running the selection pass allocate nothing in a room of 200
 * publishers, measured on this thread with {@code ThreadMXBean#getThreadAllocatedBytes}, and that a
 * pass visits each publisher a bounded number of times (O(publishers)).
 */
class SpeakerSelectorAllocationTest {

  private static final int PUBLISHERS = 200;
  private static final int TALKERS = 6;
  private static final int SLOTS = SpeakerSelector.DEFAULT_SLOTS;
  private static final int FRAMES_PER_PASS = SpeakerSelector.PASS_INTERVAL_MILLIS / FRAME_MILLIS;
  private static final int WARM_UP_PASSES = 600; // 60 s
  private static final int MEASURED_PASSES = 3_000; // 300 s, 3 M packets
  // Slack for the measurement itself (thread-local buffer refills, JIT bookkeeping), not per pass.
  private static final long MAX_ALLOCATED_BYTES = 64 * 1024;
  private static final long MILLIS = 1_000_000L;

  @Test
  void feedingAndSelectingAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported(), "allocation counting unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);
    Room room = new Room(PUBLISHERS);

    room.run(0, WARM_UP_PASSES);
    long changesBefore = room.selector.changes();
    long before = threads.getCurrentThreadAllocatedBytes();
    long started = System.nanoTime();
    long checksum = room.run(WARM_UP_PASSES, MEASURED_PASSES);
    long elapsed = System.nanoTime() - started;
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    System.out.printf(
        "speaker selection: %d publishers, %d passes and %d packets allocated %d B in %d ms%n",
        PUBLISHERS,
        MEASURED_PASSES,
        (long) MEASURED_PASSES * FRAMES_PER_PASS * PUBLISHERS,
        allocated,
        elapsed / MILLIS);
    assertThat(checksum).isNotZero();
    assertThat(room.selector.changes() - changesBefore)
        .as("talkers took turns, so slots changed")
        .isGreaterThan(10);
    assertThat(allocated)
        .as("bytes allocated by %d passes", MEASURED_PASSES)
        .isLessThan(MAX_ALLOCATED_BYTES);
  }

  @Test
  void aPassVisitsEachPublisherAtMostTwoPlusSlotsTimes() {
    for (int publishers : new int[] {25, 50, 100, 200, 400, 800}) {
      Room room = new Room(publishers);
      room.run(0, 300);
      assertThat(room.maxVisits)
          .as("%d publishers", publishers)
          .isGreaterThanOrEqualTo(2 * publishers)
          .isLessThanOrEqualTo((2 + SLOTS) * publishers);
    }
  }

  /** Talkers taking turns (one of them muting now and then) among noise, DTX and silence. */
  private static final class Room {
    final SpeakerSelector selector = new SpeakerSelector(SLOTS);
    final SpeakerMeter[] meters;
    final int[][] traces;
    int maxVisits;

    Room(int publishers) {
      meters = new SpeakerMeter[publishers];
      traces = new int[publishers][];
      for (int p = 0; p < publishers; p++) {
        meters[p] = selector.add(p + 1);
        Trace trace = new Trace(p);
        if (p < TALKERS) {
          // 12 s of noise between 8 s turns, each talker at its own offset: a 60 s cycle.
          trace.noise(p * 10_000L, 65).speech(8_000, 30 - p, 65).noise(52_000 - p * 10_000L, 65);
        } else if (p % 10 == 0) {
          trace.dtx(60_000, 60);
        } else if (p % 10 == 1) {
          trace.silence(60_000);
        } else {
          trace.noise(60_000, 20 + p % 80);
        }
        traces[p] = trace.toArray();
      }
    }

    long run(int firstPass, int passes) {
      long checksum = 0;
      for (int pass = firstPass; pass < firstPass + passes; pass++) {
        for (int f = pass * FRAMES_PER_PASS; f < (pass + 1) * FRAMES_PER_PASS; f++) {
          long frameNanos = f * FRAME_MILLIS * MILLIS;
          for (int p = 0; p < meters.length; p++) {
            int[] trace = traces[p];
            int frame = trace[f % trace.length];
            if (SpeakerTraces.hasPacket(frame)) {
              meters[p].onAudioLevel(
                  SpeakerTraces.level(frame),
                  SpeakerTraces.voice(frame),
                  frameNanos + (p % 17) * MILLIS);
            }
          }
        }
        if (pass % 200 == 0) {
          selector.setMuted(meters[0], pass % 400 == 0);
        }
        if (selector.select((pass + 1) * FRAMES_PER_PASS * FRAME_MILLIS * MILLIS)) {
          checksum += selector.changes();
        }
        for (int slot = 0; slot < SLOTS; slot++) {
          checksum += selector.slotKey(slot) + selector.slotLevel(slot);
        }
        checksum += selector.dominantKey();
        maxVisits = Math.max(maxVisits, selector.lastPassVisits());
      }
      return checksum;
    }
  }
}
