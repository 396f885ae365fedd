package io.cheenhub.sfu.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialQueueTest {

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final PacketWorkers workers = new PacketWorkers(executor, 4);

  @AfterEach
  void stop() throws InterruptedException {
    workers.close();
    executor.shutdown();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void eachQueueIsHandledInOrderAndNeverByTwoWorkersAtOnce() throws Exception {
    int queues = 32;
    int perQueue = 20_000;
    List<SerialQueue<Integer>> all = new ArrayList<>();
    var lastSeen = new ConcurrentHashMap<Integer, Integer>();
    var inside = new AtomicInteger[queues];
    var violations = new AtomicInteger();
    var handled = new AtomicLong();
    for (int q = 0; q < queues; q++) {
      int id = q;
      inside[q] = new AtomicInteger();
      lastSeen.put(id, -1);
      all.add(
          new SerialQueue<>(
              "q" + q,
              64,
              workers,
              value -> {
                if (inside[id].incrementAndGet() != 1) {
                  violations.incrementAndGet();
                }
                if (lastSeen.get(id) != value - 1) {
                  violations.incrementAndGet();
                }
                lastSeen.put(id, value);
                inside[id].decrementAndGet();
                handled.incrementAndGet();
              },
              value -> {}));
    }
    ExecutorService producers = Executors.newFixedThreadPool(4);
    for (int p = 0; p < 4; p++) {
      int first = p * (queues / 4);
      producers.execute(
          () -> {
            for (int i = 0; i < perQueue; i++) {
              for (int q = first; q < first + queues / 4; q++) {
                while (all.get(q).size() >= 60) {
                  Thread.onSpinWait();
                }
                all.get(q).offer(i);
              }
            }
          });
    }
    producers.shutdown();
    assertThat(producers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (handled.get() < (long) queues * perQueue && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }

    assertThat(handled.get()).isEqualTo((long) queues * perQueue);
    assertThat(violations.get()).isZero();
    assertThat(all).allSatisfy(q -> assertThat(q.dropped()).isZero());
  }

  /**
   * Run to completion: a worker that adds to an idle queue (a publisher's fan-out) handles the
   * element itself before {@code offer} returns, so no other worker is woken for it; an offer from
   * any other thread (ice4j's receive thread, a timer) goes to a worker.
   */
  @Test
  void aWorkersOwnFanOutIsHandledOnItsThreadAndOtherOffersGoToAWorker() throws Exception {
    var handledOn = new java.util.concurrent.LinkedBlockingQueue<Thread>();
    var fanOut =
        new SerialQueue<Integer>(
            "fan-out", 8, workers, v -> handledOn.add(Thread.currentThread()), v -> {});
    var inlineBeforeReturn = new java.util.concurrent.CompletableFuture<Boolean>();
    var producerThread = new java.util.concurrent.CompletableFuture<Thread>();
    var receive =
        new SerialQueue<Integer>(
            "receive",
            8,
            workers,
            v -> {
              producerThread.complete(Thread.currentThread());
              fanOut.offer(v);
              inlineBeforeReturn.complete(handledOn.peek() == Thread.currentThread());
            },
            v -> {});

    receive.offer(1);
    assertThat(inlineBeforeReturn.get(5, TimeUnit.SECONDS)).isTrue();
    Thread worker = producerThread.get();
    assertThat(worker).isNotSameAs(Thread.currentThread());
    assertThat(handledOn.take()).isSameAs(worker);

    fanOut.offer(2); // from the test thread: a worker handles it, not this thread
    assertThat(handledOn.poll(5, TimeUnit.SECONDS)).isNotNull().isNotSameAs(Thread.currentThread());
  }

  @Test
  void aFullQueueDropsCountsAndReturnsTheElement() throws Exception {
    var block = new java.util.concurrent.CountDownLatch(1);
    var returned = new ArrayList<Integer>();
    var queue =
        new SerialQueue<Integer>(
            "full",
            2,
            workers,
            value -> {
              try {
                block.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            returned::add);

    queue.offer(1); // taken by a worker, which blocks on it
    Thread.sleep(100);
    assertThat(queue.offer(2)).isTrue();
    assertThat(queue.offer(3)).isTrue();
    assertThat(queue.offer(4)).isFalse();
    block.countDown();

    assertThat(queue.dropped()).isEqualTo(1);
    assertThat(returned).containsExactly(4);
  }

  @Test
  void closingReleasesWaitingElementsAndRefusesNewOnes() {
    var returned = new ArrayList<Integer>();
    var closedQueue = new SerialQueue<Integer>("closed", 8, workers, value -> {}, returned::add);
    closedQueue.close();

    assertThat(closedQueue.offer(7)).isFalse();
    assertThat(returned).containsExactly(7);
  }

  @Test
  void everyWorkerLoopRuns() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!workers.isRunning() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(workers.startedCount()).isEqualTo(4);
    assertThat(workers.isRunning()).isTrue();
  }

  @Test
  void workersStopWhenClosed() {
    workers.close();
    assertThat(workers.isRunning()).isFalse();
  }
}
