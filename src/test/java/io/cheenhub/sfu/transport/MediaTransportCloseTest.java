package io.cheenhub.sfu.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.ice4j.ice.CheckList;
import org.junit.jupiter.api.Test;

/**
 * Closing a transport ends everything its ice4j agent runs (issue 17): in particular ICE's pacer,
 * which takes a turn every 20 ms until it is stopped and, when a turn finds nothing to check, tells
 * the check list's checks listeners. A listener here counts the turns of each agent's pacer.
 */
class MediaTransportCloseTest {

  /** Real agents on the shared loopback port, connected or not, closed while their pacers run. */
  @Test
  void closedTransportsLeaveNoPacerRunning() throws Exception {
    List<TestPeer> peers = new ArrayList<>();
    try (var server = new TestTransports()) {
      List<MediaTransport> transports = new ArrayList<>();
      List<AtomicLong> turns = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        var peer = new TestPeer(List.of(SrtpProfile.AEAD_AES_128_GCM));
        peers.add(peer);
        MediaTransport transport = server.create("t" + i, remote(peer));
        turns.add(countTurns(transport.iceCheckList()));
        if (i % 2 == 0) {
          // ICE completes; the pacer runs on until ICE terminates 3 s later.
          peer.connect(
              transport.iceUfrag(),
              transport.icePassword(),
              transport.fingerprint(),
              server.address());
        }
        transports.add(transport);
      }
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> turns.stream().allMatch(count -> count.get() > 0));

      transports.forEach(transport -> server.close(transport, "bye"));

      assertThat(turnsInASecond(turns)).as("pacer turns after close").containsOnly(0L);
    } finally {
      peers.forEach(TestPeer::close);
    }
  }

  /**
   * The race in ice4j's PeriodicRunnable, made to happen: the pacer ends a turn and, before it
   * reschedules, the transport closes and ice4j cancels it. The test holds the check list's monitor
   * so that the pacer waits right there (asking for its next delay, it reads the check list),
   * closes the transport until the close waits for a lock the pacer holds (ice4j has cancelled the
   * pacer by then), and lets go. ice4j's reschedule then revives the pacer, and without the ending
   * Ta of {@code MediaTransport.endPacer} it took a turn every 20 ms for ever.
   */
  @Test
  void aPacerThatOutlivesItsCancelEndsAtItsNextTurn() throws Exception {
    try (var server = new TestTransports();
        var peer = new TestPeer(List.of(SrtpProfile.AEAD_AES_128_GCM))) {
      MediaTransport transport = server.create("race", remote(peer));
      CheckList checkList = transport.iceCheckList();
      var turns = new AtomicLong();
      var armed = new AtomicBoolean();
      var pacer = new AtomicReference<Thread>();
      var turnEnding = new CountDownLatch(1);
      var listHeld = new CountDownLatch(1);
      checkList.addChecksListener(
          event -> {
            turns.incrementAndGet();
            if (armed.compareAndSet(true, false)) {
              pacer.set(Thread.currentThread());
              turnEnding.countDown();
              awaitQuietly(listHeld);
            }
          });
      await().atMost(Duration.ofSeconds(5)).until(() -> turns.get() > 0);

      armed.set(true);
      assertThat(turnEnding.await(5, TimeUnit.SECONDS)).as("the pacer took a turn").isTrue();
      Thread closer = new Thread(() -> server.close(transport, "race"), "closer");
      synchronized (checkList) {
        listHeld.countDown();
        awaitBlockedBy(pacer.get(), Thread.currentThread(), "the pacer, asking for its next delay");
        closer.start();
        awaitBlockedBy(closer, pacer.get(), "the close, after ice4j cancelled the pacer");
      }
      closer.join(10_000);
      assertThat(closer.isAlive()).isFalse();
      assertThat(transport.closeReason()).isEqualTo("race");

      assertThat(turnsInASecond(List.of(turns))).as("pacer turns after close").containsOnly(0L);
    }
  }

  private static RemoteParameters remote(TestPeer peer) {
    return new RemoteParameters(peer.ice.ufrag, peer.ice.password, List.of(peer.fingerprint()));
  }

  private static AtomicLong countTurns(CheckList checkList) {
    var count = new AtomicLong();
    checkList.addChecksListener(event -> count.incrementAndGet());
    return count;
  }

  /** Turns taken in one second, after 200 ms for a turn already under way to finish. */
  private static List<Long> turnsInASecond(List<AtomicLong> turns) throws InterruptedException {
    Thread.sleep(200);
    long[] before = turns.stream().mapToLong(AtomicLong::get).toArray();
    Thread.sleep(1_000);
    List<Long> taken = new ArrayList<>();
    for (int i = 0; i < before.length; i++) {
      taken.add(turns.get(i).get() - before[i]);
    }
    return taken;
  }

  /** Waits until {@code thread} is blocked on a monitor that {@code owner} holds. */
  private static void awaitBlockedBy(Thread thread, Thread owner, String what)
      throws InterruptedException {
    var threads = ManagementFactory.getThreadMXBean();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      ThreadInfo info = threads.getThreadInfo(thread.getId());
      if (info != null
          && info.getThreadState() == Thread.State.BLOCKED
          && info.getLockOwnerId() == owner.getId()) {
        return;
      }
      Thread.sleep(1);
    }
    fail(what + " never waited for " + owner.getName() + " (has ice4j changed?)");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
