package io.cheenhub.sfu.packet;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A bounded queue whose elements are handled one at a time, in order, by the shared {@link
 * PacketWorkers}: whoever adds to an idle queue schedules it, and at most one worker drains it at a
 * time. A packet worker that adds to an idle queue drains it itself, right away (run to completion:
 * a publisher's worker sends its fan-out's copies). Full means dropped and counted, never blocked.
 * Allocation-free in steady state.
 */
public final class SerialQueue<E> {

  private static final Logger LOG = Logger.getLogger(SerialQueue.class.getName());

  /**
   * Elements handled per turn before the worker moves on, so one busy queue cannot starve others.
   */
  static final int BATCH = 64;

  private final String name;
  private final RingQueue<E> elements;
  private final Consumer<? super E> handler;
  private final Consumer<? super E> onDrop;
  private final PacketWorkers workers;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;

  /**
   * @param handler handles each element, on a worker thread, one at a time
   * @param onDrop receives elements that were refused (queue full or closed), so pooled buffers go
   *     back
   */
  public SerialQueue(
      String name,
      int capacity,
      PacketWorkers workers,
      Consumer<? super E> handler,
      Consumer<? super E> onDrop) {
    this.name = name;
    this.elements = new RingQueue<>(capacity);
    this.workers = workers;
    this.handler = handler;
    this.onDrop = onDrop;
  }

  /** Queues {@code element}; returns false (and hands it to onDrop) if full or closed. */
  public boolean offer(E element) {
    if (closed || !elements.offer(element)) {
      dropped.incrementAndGet();
      onDrop.accept(element);
      return false;
    }
    if (scheduled.compareAndSet(false, true)) {
      if (workers.isWorkerThread()) {
        // A packet worker's own fan-out: it handles the element now, on this thread. Handing it to
        // the ready ring would wake a second worker for every packet a big room fans out, and on
        // a VM a wake-up costs more CPU than the send itself (issue 17).
        drain();
      } else {
        workers.schedule(this);
      }
    }
    return true;
  }

  /** Elements dropped because the queue was full or closed. */
  public long dropped() {
    return dropped.get();
  }

  /** Elements waiting. */
  public int size() {
    return elements.size();
  }

  /** Stops accepting elements and releases those still waiting. */
  public void close() {
    closed = true;
    E element;
    while ((element = elements.poll()) != null) {
      onDrop.accept(element);
    }
  }

  /** Called by a worker that owns this queue's turn. */
  void drain() {
    for (int i = 0; i < BATCH; i++) {
      E element = elements.poll();
      if (element == null) {
        break;
      }
      if (closed) {
        onDrop.accept(element);
        continue;
      }
      try {
        handler.accept(element);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "packet handler failed queue=" + name, e);
      }
    }
    scheduled.set(false);
    // An element added after our last poll found scheduled == true and did not schedule us.
    if (!elements.isEmpty() && scheduled.compareAndSet(false, true)) {
      workers.schedule(this);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
