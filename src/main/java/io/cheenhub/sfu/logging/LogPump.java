package io.cheenhub.sfu.logging;

import io.cheenhub.sfu.packet.RingQueue;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorDefinition;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Hands {@link EventLog} records to the log handlers from one thread of its own, so a signaling or
 * media thread never waits for a handler: Payara's console handler formats and writes under one
 * lock, and a churn of connections once left 132 threads waiting on it and the ping sweep stalled
 * for 96 s (issue 13). A full queue drops the record and counts it ({@code
 * sfu_log_records_dropped_total}); records are written in the order they were queued.
 */
@ManagedExecutorDefinition(name = LogPump.EXECUTOR, maxAsync = 1, hungTaskThreshold = -1)
@ApplicationScoped
public class LogPump {

  static final String EXECUTOR = "java:app/concurrent/sfu-log-pump";

  /** Records waiting; at about 200 bytes each a full queue holds a few MB. */
  static final int CAPACITY = 16_384;

  /** Upper bound of one idle park; a queued record wakes the pump at once. */
  private static final long IDLE_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final Logger LOG = Logger.getLogger(LogPump.class.getName());

  /** A record and the logger it is for. */
  private record Entry(Logger logger, LogRecord record) {}

  @Resource(lookup = EXECUTOR)
  ManagedExecutorService executor;

  private final RingQueue<Entry> queue = new RingQueue<>(CAPACITY);
  private final AtomicLong dropped = new AtomicLong();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running;
  private volatile Thread thread;

  /** The pump is parked or about to park: a producer must wake it. */
  private volatile boolean idle;

  void start(@Observes @Initialized(ApplicationScoped.class) Object event) {
    running = true;
    executor.execute(this::loop);
    EventLog.install(this);
  }

  @PreDestroy
  void stop() {
    EventLog.install(null);
    running = false;
    Thread current = thread;
    if (current != null) {
      LockSupport.unpark(current);
    }
    try {
      if (!stopped.await(5, TimeUnit.SECONDS)) {
        LOG.warning("log pump did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Queues a record; false (and counted) if the queue is full. Once the pump has stopped (undeploy,
   * or the container ending its thread at JVM shutdown, when the drain still logs) the record is
   * written on the caller's thread.
   */
  boolean offer(Logger logger, LogRecord record) {
    if (!running) {
      logger.log(record);
      return true;
    }
    if (queue.offer(new Entry(logger, record))) {
      Thread pump = thread;
      if (idle && pump != null) {
        LockSupport.unpark(pump);
      }
      return true;
    }
    dropped.incrementAndGet();
    return false;
  }

  /** Records dropped because the queue was full. */
  public long dropped() {
    return dropped.get();
  }

  private void loop() {
    Thread self = Thread.currentThread();
    thread = self;
    try {
      while (running && !self.isInterrupted()) {
        Entry entry = queue.poll();
        if (entry == null) {
          // Publish idle before the last look, so a record queued meanwhile either is seen here
          // or sees idle and unparks us.
          idle = true;
          if (queue.isEmpty() && running) {
            LockSupport.parkNanos(this, IDLE_PARK_NANOS);
          }
          idle = false;
          continue;
        }
        write(entry);
      }
    } finally {
      // From now on records are written by their callers; what is queued goes out first.
      running = false;
      for (Entry entry = queue.poll(); entry != null; entry = queue.poll()) {
        write(entry);
      }
      thread = null;
      stopped.countDown();
    }
  }

  private static void write(Entry entry) {
    try {
      entry.logger().log(entry.record());
    } catch (RuntimeException e) {
      // A handler that throws must not end the pump; JUL's own ErrorManager reports most.
      LOG.log(java.util.logging.Level.FINE, "log handler failed", e);
    }
  }
}
