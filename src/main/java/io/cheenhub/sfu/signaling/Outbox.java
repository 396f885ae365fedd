package io.cheenhub.sfu.signaling;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Outgoing frames of one connection: a bounded queue written with at most one asynchronous send in
 * flight, so producers (room events under a room lock, the ping sweep) never block on a slow
 * client, and frames go out in the order they were queued. A client that lets more than {@code
 * capacity} frames pile up is too slow to keep; {@code onOverflow} closes it.
 */
final class Outbox {

  private static final Logger LOG = Logger.getLogger(Outbox.class.getName());
  private static final Object PING = new Object();

  /** A close frame queued behind the messages before it. */
  private record Close(CloseReason reason) {}

  private final Session session;
  private final Executor executor;
  private final int capacity;
  private final Runnable onOverflow;
  private final Queue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicBoolean sending = new AtomicBoolean();
  private final AtomicBoolean overflowed = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();

  Outbox(Session session, Executor executor, int capacity, Runnable onOverflow) {
    this.session = session;
    this.executor = executor;
    this.capacity = capacity;
    this.onOverflow = onOverflow;
  }

  /** Queues a message; returns false if it was dropped (connection closed or overflowing). */
  boolean send(Message message) {
    return enqueue(message);
  }

  /** Queues a WebSocket ping frame (the peer's pong proves it is alive). */
  boolean ping() {
    return enqueue(PING);
  }

  /**
   * Closes the session once everything queued before has been written, so the client sees the error
   * that explains the close before the close itself.
   */
  void closeAfterPending(CloseReason reason) {
    if (closing.compareAndSet(false, true) && session.isOpen()) {
      queue.add(new Close(reason));
      size.incrementAndGet();
      startNext();
    }
  }

  /**
   * Drain: stops the queue (later {@link #send}s are dropped) and writes {@code text} at once on
   * the caller's thread, not the executor, which may already be shutting down with the application.
   *
   * @return the write in flight (already completed if it could not start)
   */
  Future<Void> sendNow(String text) {
    closing.set(true);
    queue.clear();
    size.set(0);
    try {
      if (session.isOpen()) {
        return session.getAsyncRemote().sendText(text);
      }
    } catch (RuntimeException e) {
      // A send of the executor still in flight, or the socket closing: the close follows anyway.
      LOG.log(Level.FINE, "drain message not sent", e);
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Drain: closes the session now with {@code reason}. */
  void closeNow(CloseReason reason) {
    closing.set(true);
    try {
      if (session.isOpen()) {
        session.close(reason);
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "drain close failed", e);
    }
  }

  private boolean enqueue(Object item) {
    if (closing.get() || overflowed.get() || !session.isOpen()) {
      return false;
    }
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      if (overflowed.compareAndSet(false, true)) {
        queue.clear();
        onOverflow.run();
      }
      return false;
    }
    queue.add(item);
    startNext();
    return true;
  }

  /** Starts the next send unless one is in flight; the send itself runs on the executor. */
  private void startNext() {
    if (queue.isEmpty() || !sending.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(this::sendNext);
    } catch (RejectedExecutionException e) {
      // The application is stopping; the session closes with it.
      sending.set(false);
    }
  }

  private void sendNext() {
    Object item = queue.poll();
    if (item == null) {
      finished();
      return;
    }
    size.decrementAndGet();
    if (!session.isOpen()) {
      queue.clear();
      size.set(0);
      sending.set(false);
      return;
    }
    try {
      if (item == PING) {
        session.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
        finished();
      } else if (item instanceof Close close) {
        queue.clear();
        size.set(0);
        session.close(close.reason());
        sending.set(false);
      } else {
        session.getAsyncRemote().sendObject(item, this::sent);
      }
    } catch (Exception e) {
      LOG.log(Level.FINE, "send failed, session closing", e);
      finished();
    }
  }

  private void sent(SendResult result) {
    if (!result.isOK()) {
      LOG.log(Level.FINE, "send failed, session closing", result.getException());
    }
    finished();
  }

  private void finished() {
    sending.set(false);
    startNext();
  }
}
