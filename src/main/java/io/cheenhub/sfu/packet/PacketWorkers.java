package io.cheenhub.sfu.packet;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The threads of the packet path: a fixed number of long-running loops, submitted once to a
 * container-managed executor, that drain whichever {@link SerialQueue} has work. One room never
 * blocks another, and the fan-out of a big room spreads over all workers (JVB's CPU-pool model).
 */
public final class PacketWorkers implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(PacketWorkers.class.getName());

  /** Queues that have work; sized far above any realistic number of transports. */
  private static final int READY_CAPACITY = 1 << 16;

  private final RingQueue<SerialQueue<?>> ready = new RingQueue<>(READY_CAPACITY);
  private final Semaphore work = new Semaphore(0);
  private final int workerCount;
  private final CountDownLatch stopped;
  private final AtomicInteger started = new AtomicInteger();
  private volatile boolean running = true;

  /** Starts {@code workerCount} loops on {@code executor}. */
  public PacketWorkers(ExecutorService executor, int workerCount) {
    this.workerCount = workerCount;
    this.stopped = new CountDownLatch(workerCount);
    for (int i = 0; i < workerCount; i++) {
      executor.execute(this::loop);
    }
  }

  /** Number of worker loops. */
  public int workerCount() {
    return workerCount;
  }

  void schedule(SerialQueue<?> queue) {
    while (!ready.offer(queue)) {
      // Cannot happen with fewer queues than READY_CAPACITY: each queue is in here at most once.
      Thread.onSpinWait();
    }
    work.release();
  }

  private void loop() {
    started.incrementAndGet();
    try {
      while (running) {
        if (!work.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue;
        }
        SerialQueue<?> queue = ready.poll();
        if (queue == null) {
          // Our permit's entry is claimed but not yet published (a producer between its claim and
          // its write; a later slot may already be visible). Put the permit back and retry.
          work.release();
          Thread.onSpinWait();
          continue;
        }
        queue.drain();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "packet worker died", e);
      throw e;
    } finally {
      stopped.countDown();
    }
  }

  /** Stops the loops and waits (bounded) until they have returned to the executor. */
  @Override
  public void close() {
    running = false;
    work.release(workerCount);
    try {
      if (!stopped.await(5, TimeUnit.SECONDS)) {
        LOG.warning("packet workers did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether every loop has started and none has ended (used by health checks): an executor that ran
   * fewer loops at once than asked would leave queues waiting behind one busy worker.
   */
  public boolean isRunning() {
    return running && started.get() == workerCount && stopped.getCount() == workerCount;
  }

  /** Loops that have started so far. */
  public int startedCount() {
    return started.get();
  }
}
