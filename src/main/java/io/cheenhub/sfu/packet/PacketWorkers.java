package io.cheenhub.sfu.packet;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
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

  /** Short spin before parking: a packet often arrives within microseconds of the last one. */
  private static final int SPINS_BEFORE_PARK = 128;

  private final RingQueue<SerialQueue<?>> ready = new RingQueue<>(READY_CAPACITY);

  /**
   * Scheduled queues not yet taken by a worker. With {@link #parked} this replaces a semaphore,
   * whose timed wait allocates a queue node each time a worker goes idle, i.e. about once per
   * packet at audio rates.
   */
  private final AtomicInteger pending = new AtomicInteger();

  /** Slot i holds worker i's thread while it is parked (or about to park), else null. */
  private final AtomicReferenceArray<Thread> parked;

  private final AtomicInteger nextIndex = new AtomicInteger();
  private final int workerCount;
  private final CountDownLatch stopped;
  private final AtomicInteger started = new AtomicInteger();
  private volatile boolean running = true;

  /** Starts {@code workerCount} loops on {@code executor}. */
  public PacketWorkers(ExecutorService executor, int workerCount) {
    this.workerCount = workerCount;
    this.parked = new AtomicReferenceArray<>(workerCount);
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
    // Raised before wakeOne looks at the parked slots, never after: see idle().
    int waiting = pending.incrementAndGet();
    // A worker schedules only a queue it drained a batch of and found more in (it drains an idle
    // queue it adds to at once, see SerialQueue.offer); it takes that itself after its current
    // queue: no hand-off to another thread, whose wake-up on a busy machine can cost milliseconds.
    // Only a backlog bigger than that wakes a helper.
    if (!isWorkerThread() || waiting > LOCAL_BACKLOG) {
      wakeOne();
    }
  }

  /** Queues a worker may leave for itself before it wakes another worker. */
  private static final int LOCAL_BACKLOG = 8;

  /**
   * The workers whose loop the current thread runs, or null (a one-element array: set once, no
   * allocation per lookup). Per instance: a packet worker that queues a signaling frame must wake a
   * signaling writer, not count on taking the work itself.
   */
  private static final ThreadLocal<PacketWorkers[]> WORKER_OF =
      ThreadLocal.withInitial(() -> new PacketWorkers[1]);

  /** Whether the calling thread runs one of these workers' loops. */
  boolean isWorkerThread() {
    return WORKER_OF.get()[0] == this;
  }

  /** Unparks one parked worker, if any (no allocation: LockSupport, atomic slots). */
  private void wakeOne() {
    for (int i = 0; i < workerCount; i++) {
      Thread thread = parked.get(i);
      if (thread != null && parked.compareAndSet(i, thread, null)) {
        LockSupport.unpark(thread);
        return;
      }
    }
  }

  private boolean takeWork() {
    int count;
    while ((count = pending.get()) > 0) {
      if (pending.compareAndSet(count, count - 1)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Waits for work: spin briefly, then park until {@link #schedule} or {@link #close} unparks this
   * thread. The park has no timeout (issue 17: an idle server's workers do not wake at all), so
   * nothing may be missed: publishing this thread in {@link #parked} before the last look at {@link
   * #pending} pairs with {@link #schedule}, which raises pending before it looks at the parked
   * slots, and with {@link #close}, which clears running before it does. One of the two always sees
   * the other, so no wake-up is lost ({@code PacketWorkersTest} races them). A spurious return only
   * costs one more turn of the loop.
   */
  private void idle(int index, Thread self) {
    for (int spin = 0; spin < SPINS_BEFORE_PARK; spin++) {
      if (pending.get() > 0 || !running) {
        return;
      }
      Thread.onSpinWait();
    }
    parked.set(index, self);
    if (pending.get() == 0 && running) {
      LockSupport.park(this);
    }
    parked.compareAndSet(index, self, null);
  }

  private void loop() {
    int index = nextIndex.getAndIncrement();
    Thread self = Thread.currentThread();
    PacketWorkers[] worker = WORKER_OF.get();
    worker[0] = this;
    started.incrementAndGet();
    try {
      while (running && !self.isInterrupted()) {
        if (!takeWork()) {
          idle(index, self);
          continue;
        }
        SerialQueue<?> queue = ready.poll();
        if (queue == null) {
          // Our unit of work is claimed but not yet published (a producer between its claim and
          // its write; a later slot may already be visible). Give it back and retry.
          pending.incrementAndGet();
          Thread.onSpinWait();
          continue;
        }
        queue.drain();
      }
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "packet worker died", e);
      throw e;
    } finally {
      worker[0] = null; // the executor's thread may run other tasks later
      stopped.countDown();
    }
  }

  /** Stops the loops and waits (bounded) until they have returned to the executor. */
  @Override
  public void close() {
    running = false;
    for (int i = 0; i < workerCount; i++) {
      Thread thread = parked.getAndSet(i, null);
      if (thread != null) {
        LockSupport.unpark(thread);
      }
    }
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
