package io.cheenhub.sfu.transport.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This instance's relay UDP port for cascaded rooms ({@code sfu.cluster.relay-port}): one socket
 * that every room's relay to every other instance sends from and receives on. Packets are SRTP
 * (AES-GCM, {@link RelayKeys}); no ICE, no DTLS: both ends are instances of one cluster on a
 * private network, and their keys come through the Data Grid.
 *
 * <p>One thread receives ({@link #receive}, a long-running task of the container's relay executor)
 * and hands each datagram to the {@link Receiver} in the port's own buffer. Sends come from the
 * packet workers draining the relays' queues ({@link RelayLink#sendRtp}).
 */
public final class RelayPort implements AutoCloseable {

  /** Largest datagram accepted (an Opus packet with its header and SRTP tag is far smaller). */
  public static final int MAX_DATAGRAM_BYTES = 1500;

  private static final Logger LOG = Logger.getLogger(RelayPort.class.getName());

  /** Gets every datagram the port receives, on the receive thread. */
  @FunctionalInterface
  public interface Receiver {
    /** {@code buf} is the port's own buffer: valid only during the call. */
    void onDatagram(byte[] buf, int off, int len, long receivedNanos);
  }

  /** Why a relay packet was not sent or not taken. Wire values are metric labels. */
  public enum Drop {
    /** Not RTP (first byte), or RTCP (the relays send none), or too short. */
    NOT_RTP("not-rtp"),
    /** An SSRC no relayed speaker has (one that just left, or a stray sender). */
    UNKNOWN_SSRC("unknown-ssrc"),
    /** SRTP authentication failed (a wrong key: another cluster, a stale span, tampering). */
    AUTH_FAILED("auth-failed"),
    /** Encryption or the socket refused an outgoing packet. */
    SEND_FAILED("send-failed");

    private final String wireValue;

    Drop(String wireValue) {
      this.wireValue = wireValue;
    }

    /** The metric label value. */
    public String wireValue() {
      return wireValue;
    }
  }

  private final DatagramChannel channel;
  private final byte[] buffer = new byte[MAX_DATAGRAM_BYTES + 1];
  private final ByteBuffer receiveView = ByteBuffer.wrap(buffer);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLongArray drops = new AtomicLongArray(Drop.values().length);
  // Odd while the receive thread handles a datagram (see awaitReceiveStep).
  private volatile long receiveSteps;
  private volatile boolean closed;

  private RelayPort(DatagramChannel channel) {
    this.channel = channel;
  }

  /**
   * Binds UDP port {@code port} on every interface ({@code 0}: any free port).
   *
   * @throws IOException if the port is taken
   */
  public static RelayPort bind(int port) throws IOException {
    DatagramChannel channel = DatagramChannel.open();
    try {
      channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
      channel.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
      channel.bind(new InetSocketAddress(port));
      return new RelayPort(channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The bound port. */
  public int port() {
    try {
      return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Receives until {@link #close}: each datagram goes to {@code receiver}. Run it on a thread of
   * its own (it blocks in the socket).
   */
  public void receive(Receiver receiver) {
    while (!closed) {
      receiveView.clear();
      try {
        if (channel.receive(receiveView) == null) {
          continue;
        }
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        LOG.log(Level.WARNING, "relay receive failed", e);
        continue;
      }
      int length = receiveView.position();
      if (length > MAX_DATAGRAM_BYTES) {
        drop(Drop.NOT_RTP);
        continue;
      }
      receiveSteps++; // odd: handling
      try {
        receiver.onDatagram(buffer, 0, length, System.nanoTime());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "relay packet handling failed", e);
      } finally {
        receiveSteps++; // even: between datagrams
      }
    }
  }

  /**
   * Waits until the receive thread is between datagrams (bounded): after a route was removed, no
   * datagram is still being handled with it.
   */
  public void awaitReceiveStep() {
    long step = receiveSteps;
    if ((step & 1) == 0) {
      return;
    }
    long deadline = System.nanoTime() + 1_000_000_000L;
    while (receiveSteps == step && System.nanoTime() - deadline < 0) {
      Thread.onSpinWait();
    }
  }

  /** Sends {@code datagram} (position to limit) to {@code to}; false (counted) if it could not. */
  boolean send(ByteBuffer datagram, InetSocketAddress to) {
    try {
      if (channel.send(datagram, to) > 0) {
        sent.incrementAndGet();
        return true;
      }
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        LOG.log(Level.FINE, "relay send failed", e);
      }
    }
    drop(Drop.SEND_FAILED);
    return false;
  }

  /** Counts a packet not sent or not taken. */
  public void drop(Drop reason) {
    drops.incrementAndGet(reason.ordinal());
  }

  /** Counts a packet taken (decrypted and handed to its speaker). */
  public void countReceived() {
    received.incrementAndGet();
  }

  /** Packets sent to other instances. */
  public long sent() {
    return sent.get();
  }

  /** Packets from other instances taken. */
  public long received() {
    return received.get();
  }

  /** Packets dropped for {@code reason}. */
  public long dropped(Drop reason) {
    return drops.get(reason.ordinal());
  }

  /** Closes the socket; the receive loop ends. Idempotent. */
  @Override
  public void close() {
    closed = true;
    try {
      channel.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "relay close", e);
    }
  }
}
