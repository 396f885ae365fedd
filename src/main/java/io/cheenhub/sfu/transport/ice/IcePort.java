package io.cheenhub.sfu.transport.ice;

import io.cheenhub.sfu.packet.RingQueue;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import kotlin.Unit;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.harvest.AbstractUdpListener;
import org.ice4j.ice.harvest.SinglePortUdpHarvester;
import org.ice4j.util.Buffer;
import org.ice4j.util.BufferPool;
import org.jitsi.config.JitsiConfig;

/**
 * The one UDP port that every PeerConnection shares (ice4j {@link SinglePortUdpHarvester} with the
 * push API). ice4j routes each datagram to its agent by remote address, or by the ufrag in a first
 * STUN request; everything but STUN is pushed to the agent's component callback.
 *
 * <p>Also installs the receive buffer pool: ice4j takes every datagram's {@link Buffer} from {@link
 * BufferPool#getBuffer} and the packet path gives it back after use, so receiving allocates no
 * arrays in steady state.
 */
public final class IcePort implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(IcePort.class.getName());

  /** Room before the packet for later header growth; ice4j reserves it at receive. */
  public static final int HEADROOM_BEFORE = 16;

  /** Room after the packet for the SRTP tag (16 bytes for AES-GCM) and SRTCP index. */
  public static final int HEADROOM_AFTER = 32;

  /** ice4j's push loop receives into 1500-byte arrays; larger datagrams are truncated. */
  public static final int MAX_DATAGRAM_BYTES = 1_500;

  private static final int BUFFER_BYTES = HEADROOM_BEFORE + MAX_DATAGRAM_BYTES + HEADROOM_AFTER;

  /** Pooled receive buffers; 4096 × 1.5 KB = 6 MB covers bursts over hundreds of transports. */
  static final int POOLED_BUFFERS = 4_096;

  private static final RingQueue<Buffer> POOL = new RingQueue<>(POOLED_BUFFERS);

  private final List<SinglePortUdpHarvester> harvesters;
  private final DirectSend directSend;

  private IcePort(List<SinglePortUdpHarvester> harvesters, boolean direct) {
    this.harvesters = List.copyOf(harvesters);
    this.directSend =
        direct
            ? DirectSend.of(this.harvesters)
            : DirectSend.unavailable("sfu.media.direct-send is false");
  }

  /**
   * Binds the shared port. Must run before the first {@code Agent} exists, on an application thread
   * (ice4j reads its configuration through the context class loader on first use).
   *
   * @param bindAddress one address to bind, or empty for every allowed non-loopback interface
   */
  public static IcePort bind(String bindAddress, int port) throws IOException {
    return bind(bindAddress, port, true);
  }

  /**
   * Binds the shared port, as {@link #bind(String, int)}; with {@code direct} false media is sent
   * through ice4j even where {@link DirectSend} could reach the sockets.
   */
  public static IcePort bind(String bindAddress, int port, boolean direct) throws IOException {
    JitsiConfig.Companion.getNewConfig();
    AbstractUdpListener.USE_PUSH_API = true;
    AbstractUdpListener.BYTES_TO_LEAVE_AT_START_OF_PACKET = HEADROOM_BEFORE;
    AbstractUdpListener.BYTES_TO_LEAVE_AT_END_OF_PACKET = HEADROOM_AFTER;
    BufferPool.getBuffer = IcePort::take;
    BufferPool.returnBuffer =
        buffer -> {
          give(buffer);
          return Unit.INSTANCE;
        };
    if (port != 0) {
      ensureFree(bindAddress, port);
    }
    List<SinglePortUdpHarvester> harvesters = new ArrayList<>();
    if (bindAddress.isEmpty()) {
      harvesters.addAll(SinglePortUdpHarvester.createHarvesters(port));
    } else {
      harvesters.add(
          new SinglePortUdpHarvester(new TransportAddress(bindAddress, port, Transport.UDP)));
    }
    if (harvesters.isEmpty()) {
      throw new IOException("no usable address to bind UDP port " + port);
    }
    var icePort = new IcePort(harvesters, direct);
    LOG.info(() -> "media port bound addresses=" + icePort.boundAddresses());
    return icePort;
  }

  /**
   * Fails if another process (or another instance of this server) holds the port. ice4j binds its
   * socket pool with SO_REUSEADDR, which on Linux would silently share a port whose other holders
   * set it too, splitting the traffic between two servers. A probe bind without SO_REUSEADDR fails
   * on any existing holder.
   */
  private static void ensureFree(String bindAddress, int port) throws IOException {
    var address =
        bindAddress.isEmpty()
            ? new InetSocketAddress(port)
            : new InetSocketAddress(InetAddress.getByName(bindAddress), port);
    try (var probe = new DatagramSocket(null)) {
      probe.setReuseAddress(false);
      probe.bind(address);
    } catch (SocketException e) {
      throw new IOException("UDP port " + port + " is in use: " + e.getMessage(), e);
    }
  }

  /** A receive buffer of at least {@code size} bytes, from the pool when possible. */
  public static Buffer take(int size) {
    Buffer buffer = size <= BUFFER_BYTES ? POOL.poll() : null;
    if (buffer == null) {
      buffer = new Buffer(new byte[Math.max(size, BUFFER_BYTES)], 0, 0);
    }
    buffer.setOffset(0);
    buffer.setLength(0);
    return buffer;
  }

  /** Gives a buffer back; it must not be used afterwards. */
  public static void give(Buffer buffer) {
    if (buffer.getBuffer().length == BUFFER_BYTES) {
      buffer.setRemoteAddress(null);
      buffer.setLocalAddress(null);
      buffer.setReceivedTime(null);
      POOL.offer(buffer);
    }
  }

  /** The harvesters agents take their host candidates from. */
  public List<SinglePortUdpHarvester> harvesters() {
    return harvesters;
  }

  /** How media reaches the port's sockets below ice4j, where it can. */
  public DirectSend directSend() {
    return directSend;
  }

  /** The bound addresses, e.g. {@code [127.0.0.1:10000]}. */
  public List<String> boundAddresses() {
    return harvesters.stream().map(h -> h.getLocalAddress().toString()).toList();
  }

  /** The UDP port actually bound (differs from the configured one when that was 0). */
  public int port() {
    return harvesters.get(0).getLocalAddress().getPort();
  }

  /** Unbinds the port; transports must have been freed first. */
  @Override
  public void close() {
    harvesters.forEach(SinglePortUdpHarvester::close);
    LOG.info(() -> "media port closed addresses=" + boundAddresses());
  }
}
