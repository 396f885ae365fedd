package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.packet.SerialQueue;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every frame the server writes on one WebSocket, from one place: a bounded queue drained in order
 * by the signaling writer threads, so producers (room events under a room lock, the ping sweep)
 * never block on a client and never write themselves.
 *
 * <p>Each write, and each close this server starts, happens under {@link #writeLock} and only while
 * the socket has not been reported closed. The container reports a close through {@code @OnClose}
 * or {@code @OnError} ({@link #closedByContainer}), which takes the same lock before it returns:
 * after that the container recycles the connection's request and response objects, and the servlet
 * output stream Tyrus writes frames to is handed to the next HTTP request or WebSocket upgrade on
 * any connection. A frame written through it then would land in another user's answer (issue 13;
 * docs/troubleshooting.md#websocket-frames-in-http-answers). Holding the lock across the write
 * makes the close wait for a write in progress, and the flag refuses every write after it.
 *
 * <p>A client that does not read leaves its frames in the container's write queue; once {@code
 * capacity} frames wait unacknowledged or queued here, it is too slow to keep: {@code onOverflow}
 * ends its state and the socket is closed with 1013, on a writer thread, never on the producer's
 * (which may hold a room lock).
 */
final class Outbox {

  private static final Logger LOG = Logger.getLogger(Outbox.class.getName());
  private static final Object PING = new Object();
  private static final ByteBuffer NO_PAYLOAD = ByteBuffer.allocate(0);

  /** A close frame queued behind the messages before it. */
  private record Close(CloseReason reason) {}

  /** A marker: completes {@code done} once every frame queued before it has been handed over. */
  private record Flush(CompletableFuture<Void> done) {}

  /** The overflow decision, queued last; the frames before it are skipped (see {@link #write}). */
  private static final Object OVERFLOW = new Object();

  private static final CloseReason TOO_SLOW =
      new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "too slow: outbound queue full");

  private final Session session;
  private final Function<Message, String> encoder;
  private final int capacity;
  private final Runnable onOverflow;
  private final SerialQueue<Object> queue;
  private final AtomicInteger unacknowledged = new AtomicInteger();
  private final AtomicBoolean overflowed = new AtomicBoolean();

  /**
   * When the first ping still unanswered was handed to the container ({@link System#nanoTime()}),
   * or {@link #ANSWERED}. Set by the writer thread when it actually writes the ping, not when the
   * sweep queues it: a peer is only blamed for the time it had a ping to answer, so a sweep or a
   * writer that ran late (a busy machine, a long GC pause) cannot time out live connections.
   */
  private final AtomicLong unansweredPingNanos = new AtomicLong(ANSWERED);

  private static final long ANSWERED = Long.MIN_VALUE;
  private final AtomicBoolean closing = new AtomicBoolean();

  private final Object writeLock = new Object();

  /** The socket is closed (by the container, or by us): nothing more is written. */
  private boolean closed; // guarded by writeLock

  Outbox(
      Session session,
      PacketWorkers writers,
      Function<Message, String> encoder,
      int capacity,
      Runnable onOverflow) {
    this.session = session;
    this.encoder = encoder;
    this.capacity = capacity;
    this.onOverflow = onOverflow;
    // One slot more than the limit, so the overflow decision itself always fits.
    this.queue = new SerialQueue<>("outbox", capacity + 1, writers, this::write, Outbox::released);
  }

  /** Queues a message; returns false if it was dropped (connection closing or overflowing). */
  boolean send(Message message) {
    return enqueue(message);
  }

  /** Queues a WebSocket ping frame (the peer's pong proves it is alive). */
  boolean ping() {
    return enqueue(PING);
  }

  /** The peer sent a frame (a pong or anything else): every ping written so far is answered. */
  void answered() {
    unansweredPingNanos.set(ANSWERED);
  }

  /**
   * How long the oldest ping written since the peer last sent anything has been waiting for an
   * answer at {@code nowNanos}; 0 when none is waiting.
   */
  long unansweredPingNanos(long nowNanos) {
    long since = unansweredPingNanos.get();
    return since == ANSWERED ? 0 : Math.max(0, nowNanos - since);
  }

  /**
   * Closes the session once everything queued before has been written, so the client sees the error
   * that explains the close before the close itself.
   */
  void closeAfterPending(CloseReason reason) {
    if (closing.compareAndSet(false, true)) {
      queue.offer(new Close(reason));
    }
  }

  /**
   * The container reports the socket closed ({@code @OnClose}, {@code @OnError}), on its own thread
   * and before it recycles the connection: waits for a write in progress, then refuses all others.
   */
  void closedByContainer() {
    closing.set(true);
    synchronized (writeLock) {
      closed = true;
    }
    queue.close();
  }

  /**
   * Completes once every frame queued so far has been handed to the container, or once the queue is
   * closed (nothing more will be written). A drain waits for it before {@link #sendNow}, which
   * stops the queue: the cluster's {@code redirect}s queued just before must not be thrown away.
   */
  CompletableFuture<Void> flushed() {
    var flush = new Flush(new CompletableFuture<>());
    if (closing.get() || !queue.offer(flush)) {
      flush.done().complete(null);
    }
    return flush.done();
  }

  /** An item the queue let go unwritten (closed, full): a flush waiting on it is over. */
  private static void released(Object item) {
    if (item instanceof Flush flush) {
      flush.done().complete(null);
    }
  }

  /**
   * Drain: stops the queue (later {@link #send}s are dropped) and writes {@code text} at once on
   * the caller's thread: the writer threads may be stopping with the application.
   *
   * @return the write in flight (already completed if it could not start)
   */
  Future<Void> sendNow(String text) {
    closing.set(true);
    queue.close();
    synchronized (writeLock) {
      if (!closed) {
        try {
          return session.getAsyncRemote().sendText(text);
        } catch (RuntimeException e) {
          // The socket is closing: the close follows anyway.
          LOG.log(Level.FINE, "drain message not sent", e);
        }
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Drain: closes the session now with {@code reason}. */
  void closeNow(CloseReason reason) {
    closing.set(true);
    queue.close();
    closeSession(reason);
  }

  private boolean enqueue(Object item) {
    if (closing.get() || overflowed.get()) {
      return false;
    }
    if (queue.size() + unacknowledged.get() >= capacity) {
      if (overflowed.compareAndSet(false, true)) {
        queue.offer(OVERFLOW);
      }
      return false;
    }
    return queue.offer(item);
  }

  /** One item, on a signaling writer thread; items of this outbox come one at a time, in order. */
  private void write(Object item) {
    if (item instanceof Flush flush) {
      flush.done().complete(null);
      return;
    }
    if (overflowed.get() && item != OVERFLOW) {
      return; // a client too slow to keep gets no more frames, only the close
    }
    if (item == OVERFLOW) {
      queue.close();
      onOverflow.run();
      closeSession(TOO_SLOW);
      return;
    }
    if (item instanceof Close close) {
      queue.close();
      closeSession(close.reason());
      return;
    }
    String text = item == PING ? null : encoder.apply((Message) item);
    Thread thread = Thread.currentThread();
    ClassLoader loader = thread.getContextClassLoader();
    synchronized (writeLock) {
      if (closed) {
        return;
      }
      // Tyrus re-arms its idle timer on the container's managed scheduler for every frame, and
      // Payara captures the thread's context for each such task by scanning the context class
      // loader for ThreadContextProvider services: with the application's loader that is a lookup
      // in every jar of WEB-INF/lib per frame. No application class is needed below this line.
      thread.setContextClassLoader(ClassLoader.getPlatformClassLoader());
      try {
        if (text == null) {
          session.getAsyncRemote().sendPing(NO_PAYLOAD.duplicate());
          unansweredPingNanos.compareAndSet(ANSWERED, System.nanoTime());
        } else {
          unacknowledged.incrementAndGet();
          session.getAsyncRemote().sendText(text, this::sent);
        }
      } catch (IOException | RuntimeException e) {
        // The socket is closing under us; the container's close callback follows.
        LOG.log(Level.FINE, "send failed, session closing", e);
      } finally {
        thread.setContextClassLoader(loader);
      }
    }
  }

  private void closeSession(CloseReason reason) {
    synchronized (writeLock) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (session.isOpen()) {
          session.close(reason);
        }
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.FINE, "close failed", e);
      }
    }
  }

  /** Completion of a text frame: written, or failed because the socket went away. */
  private void sent(SendResult result) {
    unacknowledged.decrementAndGet();
    if (!result.isOK()) {
      LOG.log(Level.FINE, "send failed, session closing", result.getException());
    }
  }
}
