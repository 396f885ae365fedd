package io.cheenhub.sfu.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Idle workers park without a timeout (issue 17), so a lost wake-up would leave work waiting for
 * ever. These tests race producers against workers that are going to sleep.
 */
class PacketWorkersTest {

  private static final int WORKERS = 2;
  private static final int PRODUCERS = 2;
  private static final int QUEUES_PER_PRODUCER = 8;
  private static final int ITEMS = 1_000_000;

  /** A round that takes longer than this lost a wake-up (a round takes microseconds). */
  private static final long STALL_MS = 5_000;

  private final List<Thread> workerThreads = new CopyOnWriteArrayList<>();
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "packet-worker-" + workerThreads.size());
            thread.setDaemon(true); // a lost wake-up must fail the test, not hang the JVM
            workerThreads.add(thread);
            return thread;
          });

  private final List<PacketWorkers> started = new ArrayList<>();

  private PacketWorkers start(int workerCount) {
    var workers = new PacketWorkers(executor, workerCount);
    started.add(workers);
    return workers;
  }

  @AfterEach
  void stop() throws InterruptedException {
    started.forEach(PacketWorkers::close);
    executor.shutdown();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * Rounds: each producer thread offers one element to each of its idle queues (each offer
   * schedules its queue), then waits until every producer's elements of the round are handled. No
   * schedule follows the last one of a round until the round is complete, so a wake-up lost there
   * is never repaired and the round stalls. Producers spin while they wait, so a round starts the
   * moment the previous one ends, and after a random pause of 0 to 20 µs: their schedules sweep
   * across the workers' spin, their last look at the pending count and their park. One worker and
   * two, since a second worker that is awake hides a wake-up lost for the first.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, WORKERS})
  void everyScheduledElementIsHandledWhileWorkersParkAndWake(int workerCount) throws Exception {
    var workers = start(workerCount);
    var handled = new AtomicLong();
    var refused = new AtomicLong();
    int perRound = PRODUCERS * QUEUES_PER_PRODUCER;
    int rounds = ITEMS / perRound;
    var stalledAtRound = new AtomicLong(-1);
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      List<SerialQueue<Integer>> own = new ArrayList<>();
      for (int q = 0; q < QUEUES_PER_PRODUCER; q++) {
        own.add(
            new SerialQueue<>(
                "p" + p + "q" + q,
                4,
                workers,
                element -> handled.incrementAndGet(),
                element -> refused.incrementAndGet()));
      }
      Thread producer =
          new Thread(
              () -> {
                Integer element = 1;
                var random = ThreadLocalRandom.current();
                for (int round = 0; round < rounds && stalledAtRound.get() < 0; round++) {
                  pause(random.nextInt(20_000));
                  for (SerialQueue<Integer> queue : own) {
                    queue.offer(element);
                  }
                  if (!awaitHandled(handled, (long) (round + 1) * perRound)) {
                    stalledAtRound.compareAndSet(-1, round);
                  }
                }
              },
              "producer-" + p);
      producer.setDaemon(true);
      producers.add(producer);
    }
    long began = System.nanoTime();
    producers.forEach(Thread::start);
    for (Thread producer : producers) {
      producer.join(TimeUnit.MINUTES.toMillis(5));
      assertThat(producer.isAlive()).as("%s finished", producer.getName()).isFalse();
    }
    System.out.printf(
        "%d workers: %d of %d elements handled in %d rounds, %d ms%n",
        workerCount,
        handled.get(),
        (long) rounds * perRound,
        rounds,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));

    assertThat(stalledAtRound.get()).as("round that lost a wake-up").isEqualTo(-1);
    assertThat(handled.get()).isEqualTo((long) rounds * perRound);
    assertThat(refused.get()).isZero();

    long closing = System.nanoTime();
    workers.close();
    // close() waits up to 5 s for the loops to end: a missed unpark would show here.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing)).isLessThan(2_000);
    assertThat(workers.isRunning()).isFalse();
  }

  /** Idle workers wait for an unpark, not for a timeout: they do not wake on their own. */
  @Test
  void idleWorkersParkWithoutATimeoutAndCloseWakesThem() throws Exception {
    var workers = start(WORKERS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!allWaiting() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(workerThreads).hasSize(WORKERS);
    assertThat(workerThreads).extracting(Thread::getState).containsOnly(Thread.State.WAITING);

    long closing = System.nanoTime();
    workers.close();
    // close() waits up to 5 s for the loops to end: a missed unpark would show here.
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closing)).isLessThan(2_000);
    assertThat(workers.isRunning()).isFalse();
  }

  private boolean allWaiting() {
    return workerThreads.size() == WORKERS
        && workerThreads.stream().allMatch(t -> t.getState() == Thread.State.WAITING);
  }

  /**
   * Spins until {@code handled} reaches {@code target}, yielding now and then so that the workers
   * get a core on a machine with fewer cores than threads; false after {@link #STALL_MS}.
   */
  private static boolean awaitHandled(AtomicLong handled, long target) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STALL_MS);
    for (int spins = 1; handled.get() < target; spins++) {
      if ((spins & 0xFF) == 0) {
        if (System.nanoTime() > deadline) {
          return false;
        }
        Thread.yield();
      } else {
        Thread.onSpinWait();
      }
    }
    return true;
  }

  private static void pause(long nanos) {
    long until = System.nanoTime() + nanos;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }
}
