package io.cheenhub.sfu.media;

import static io.cheenhub.sfu.media.SpeakerSelector.NONE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * Receive workers feed their own publishers' meters without locks while a room timer runs passes
 * and a signalling thread joins, leaves and mutes publishers: every pass's output stays consistent
 * and only talkers are ever selected.
 */
class SpeakerSelectorConcurrencyTest {

  private static final int WORKERS = 4;
  private static final int PUBLISHERS_PER_WORKER = 25;
  private static final long RUN_MILLIS = 1_000;
  private static final int SLOTS = 3;

  private final SpeakerSelector selector = new SpeakerSelector(SLOTS);
  private final Queue<String> violations = new ConcurrentLinkedQueue<>();
  private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;
  private SpeakerMeter mutedTalker;

  /** Keys of talkers: the first publisher of each worker. */
  private static boolean isTalker(int key) {
    return key % PUBLISHERS_PER_WORKER == 0 && key < WORKERS * PUBLISHERS_PER_WORKER;
  }

  @Test
  void lockFreeFeedingNextToPassesJoinsAndMutes() throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      SpeakerMeter[] own = new SpeakerMeter[PUBLISHERS_PER_WORKER];
      for (int i = 0; i < own.length; i++) {
        own[i] = selector.add(w * PUBLISHERS_PER_WORKER + i);
      }
      if (w == 0) {
        mutedTalker = own[0]; // muting goes through the selector: the meter keeps one writer
      }
      threads.add(new Thread(() -> feed(own), "receive-worker-" + w));
    }
    threads.add(new Thread(this::joinLeaveAndMute, "signalling"));
    Thread timer = new Thread(this::passes, "room-timer");
    threads.add(timer);
    threads.forEach(Thread::start);
    Thread.sleep(RUN_MILLIS);
    running = false;
    for (Thread thread : threads) {
      thread.join(5_000);
    }

    assertThat(failures).isEmpty();
    assertThat(violations).isEmpty();
    Set<Integer> holders = new HashSet<>();
    for (int slot = 0; slot < SLOTS; slot++) {
      holders.add(selector.slotKey(slot));
    }
    assertThat(holders).allMatch(key -> key == NONE || isTalker(key));
    assertThat(holders).anyMatch(SpeakerSelectorConcurrencyTest::isTalker);
  }

  /** One receive worker: a talker (syllables and dips) and noise, as fast as it can. */
  private void feed(SpeakerMeter[] own) {
    try {
      long frame = 0;
      while (running) {
        boolean syllable = frame % 11 < 8;
        long now = System.nanoTime();
        own[0].onAudioLevel(syllable ? 30 : 55, true, now);
        for (int i = 1; i < own.length; i++) {
          own[i].onAudioLevel(40 + i + (int) (frame % 3), true, now);
        }
        frame++;
      }
    } catch (Throwable e) {
      failures.add(e);
    }
  }

  /** Joins and leaves noise publishers, and mutes one talker on and off. */
  private void joinLeaveAndMute() {
    try {
      int next = 10_000;
      while (running) {
        SpeakerMeter guest = selector.add(next++);
        for (int i = 0; i < 100; i++) {
          guest.onAudioLevel(60 + i % 2, true, System.nanoTime());
        }
        selector.remove(guest);
        selector.setMuted(mutedTalker, next % 2 == 0);
      }
    } catch (Throwable e) {
      failures.add(e);
    }
  }

  private void passes() {
    try {
      while (running) {
        synchronized (selector) {
          selector.select(System.nanoTime());
          checkOutput();
        }
        Thread.sleep(1);
      }
    } catch (Throwable e) {
      failures.add(e);
    }
  }

  private void checkOutput() {
    Set<Integer> seen = new HashSet<>();
    for (int slot = 0; slot < SLOTS; slot++) {
      int key = selector.slotKey(slot);
      if (key != NONE && !seen.add(key)) {
        violations.add("key " + key + " in two slots");
      }
      if (key != NONE && !isTalker(key)) {
        violations.add("non-talker " + key + " selected");
      }
    }
    int dominant = selector.dominantKey();
    if (dominant != NONE && !seen.contains(dominant)) {
      violations.add("dominant " + dominant + " holds no slot");
    }
  }
}
