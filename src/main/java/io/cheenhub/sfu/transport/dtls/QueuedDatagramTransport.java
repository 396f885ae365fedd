package io.cheenhub.sfu.transport.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.DatagramTransport;

/**
 * BC's view of the ICE path: datagrams pushed by the receive path wait in a bounded queue until BC
 * asks for them; what BC sends goes straight to the session's sender.
 *
 * <p>{@link #offer} is called by the ICE receive thread, {@link #receive} and {@link #send} by
 * whichever executor thread runs the handshake or the pump, {@link #close} by anyone.
 */
final class QueuedDatagramTransport implements DatagramTransport {

  /** ice4j's push API receives into 1500-byte arrays; a larger datagram arrived truncated. */
  static final int RECEIVE_LIMIT_BYTES = 1500;

  /** Datagram size BC may send: browsers' own DTLS MTU, below common tunnel MTUs (≈1400). */
  static final int SEND_LIMIT_BYTES = 1200;

  /**
   * A flight is at most a handful of datagrams (Chrome's ClientHello is two); the rest of the room
   * is for retransmissions that pile up before the handshake thread runs.
   */
  static final int QUEUE_CAPACITY = 64;

  // Put in the queue by close() to wake a receive() blocked on it.
  private static final byte[] WAKE_UP = new byte[0];

  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final DtlsSession.Sender sender;
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean collapseDuplicates = true;
  private volatile boolean closed;

  QueuedDatagramTransport(DtlsSession.Sender sender) {
    this.sender = sender;
  }

  /**
   * Copies a received datagram into the queue; false (and counted) if it was dropped: queue full,
   * empty or oversized, a duplicate waiting for the handshake to start, or closed.
   */
  boolean offer(byte[] buf, int off, int len) {
    if (closed || len < 1 || len > RECEIVE_LIMIT_BYTES || isQueuedDuplicate(buf, off, len)) {
      dropped.incrementAndGet();
      return false;
    }
    if (!queue.offer(Arrays.copyOfRange(buf, off, off + len))) {
      dropped.incrementAndGet();
      return false;
    }
    return true;
  }

  /**
   * Browsers retransmit their ClientHello while the server waits for ICE (browser-interop.md P4);
   * BC would answer every copy with its whole flight. Until the handshake starts, identical copies
   * are dropped.
   */
  private boolean isQueuedDuplicate(byte[] buf, int off, int len) {
    if (!collapseDuplicates) {
      return false;
    }
    for (byte[] queued : queue) {
      if (Arrays.equals(queued, 0, queued.length, buf, off, off + len)) {
        return true;
      }
    }
    return false;
  }

  /** The handshake has started: from now on every datagram counts. */
  void handshakeStarted() {
    collapseDuplicates = false;
  }

  /** Whether a datagram waits to be read. */
  boolean hasPending() {
    return !queue.isEmpty();
  }

  boolean isClosed() {
    return closed;
  }

  long dropped() {
    return dropped.get();
  }

  @Override
  public int getReceiveLimit() {
    return RECEIVE_LIMIT_BYTES;
  }

  @Override
  public int getSendLimit() {
    return SEND_LIMIT_BYTES;
  }

  /**
   * Waits up to {@code waitMillis} (0: until data or close, as a socket timeout of 0 would) for a
   * datagram; -1 if none came. Throws once closed, which is how close() aborts a handshake.
   */
  @Override
  public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
    if (closed) {
      throw new IOException("DTLS transport closed");
    }
    byte[] datagram;
    try {
      datagram = waitMillis > 0 ? queue.poll(waitMillis, TimeUnit.MILLISECONDS) : queue.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a DTLS datagram");
    }
    if (closed || datagram == WAKE_UP) {
      throw new IOException("DTLS transport closed");
    }
    if (datagram == null) {
      return -1;
    }
    if (datagram.length > len) {
      dropped.incrementAndGet();
      return -1;
    }
    System.arraycopy(datagram, 0, buf, off, datagram.length);
    return datagram.length;
  }

  /** Hands a datagram to the sender; dropped once closed (BC may still try to send an alert). */
  @Override
  public void send(byte[] buf, int off, int len) throws IOException {
    if (!closed) {
      sender.send(buf, off, len);
    }
  }

  /** Drops what is queued and wakes a blocked {@link #receive}. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    queue.clear();
    queue.offer(WAKE_UP);
  }
}
