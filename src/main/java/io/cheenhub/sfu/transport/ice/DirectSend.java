package io.cheenhub.sfu.transport.ice;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.ice4j.TransportAddress;
import org.ice4j.ice.CandidatePair;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.AbstractUdpListener;
import org.ice4j.ice.harvest.SinglePortUdpHarvester;
import org.ice4j.socket.SocketPool;

/**
 * Media sends below ice4j's send layers (issue 17). For every packet, {@code Component.send} looks
 * up the pair, allocates a {@code DatagramPacket} and an address holder, takes the socket pool's
 * monitor and goes through the JDK's socket adaptor, which copies the packet into a temporary
 * direct buffer: about 2.4 µs per packet on top of the system call. For an established pair neither
 * the destination nor the local port changes, so a {@link Route} sends on the pair's socket's own
 * {@link DatagramChannel}: one copy into this thread's direct buffer, one {@code sendto}, no
 * allocation, no lock but the channel's own write lock.
 *
 * <p>Each sending thread keeps to one of the pool's sockets (ice4j binds {@code
 * harvest.udp.socket-pool-size} sockets to the shared port, one per core by default), so two packet
 * workers do not queue on one channel's write lock.
 *
 * <p>The channel sits inside the JDK's {@code DatagramSocket} (JEP 373) and ice4j's socket pool; it
 * is reached by reflection, which needs {@code java.net} and {@code sun.nio.ch} open to the
 * application. Payara Micro's launcher opens both; on a server that does not (or another JDK
 * layout) {@link #available()} is false, the reason is logged once, and media goes through ice4j as
 * before. STUN, consent and DTLS always go through ice4j.
 */
public final class DirectSend {

  private static final Logger LOG = Logger.getLogger(DirectSend.class.getName());

  /** The largest datagram this sends (a protected packet with its SRTP tag or SRTCP index). */
  static final int MAX_SEND_BYTES = IcePort.MAX_DATAGRAM_BYTES + IcePort.HEADROOM_AFTER;

  /**
   * Per sending thread: its direct buffer and the index of its socket. JDK types only, so that a
   * container thread that outlives the application holds none of its classes.
   */
  private static final ThreadLocal<Map.Entry<ByteBuffer, Integer>> SCRATCH =
      ThreadLocal.withInitial(DirectSend::newScratch);

  private static final AtomicInteger NEXT_THREAD = new AtomicInteger();

  /** For a pair whose local socket is not known here: send through ice4j. */
  private static final DatagramChannel[] NONE = new DatagramChannel[0];

  private final Map<InetSocketAddress, DatagramChannel[]> channelsByLocal;
  private final String unavailableReason;

  private DirectSend(Map<InetSocketAddress, DatagramChannel[]> channels, String unavailableReason) {
    this.channelsByLocal = Map.copyOf(channels);
    this.unavailableReason = unavailableReason;
  }

  /** Finds the channels of every harvester's sockets; never fails (see {@link #available()}). */
  static DirectSend of(List<SinglePortUdpHarvester> harvesters) {
    Map<InetSocketAddress, DatagramChannel[]> channels = new HashMap<>();
    try {
      for (SinglePortUdpHarvester harvester : harvesters) {
        channels.put(key(harvester.getLocalAddress()), channelsOf(harvester));
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      return unavailable(
          "its sockets' channels are out of reach ("
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage()
              + "); open java.base/java.net and java.base/sun.nio.ch to the application to send"
              + " directly");
    }
    LOG.info(() -> "media sends go directly to the channels of " + describe(channels));
    return new DirectSend(channels, null);
  }

  private static String describe(Map<InetSocketAddress, DatagramChannel[]> channels) {
    List<String> parts = new ArrayList<>();
    channels.forEach((address, list) -> parts.add(address + " (" + list.length + " sockets)"));
    return String.join(", ", parts);
  }

  private static DatagramChannel[] channelsOf(AbstractUdpListener listener)
      throws ReflectiveOperationException {
    Field poolField = AbstractUdpListener.class.getDeclaredField("socketPool");
    poolField.setAccessible(true);
    Field socketsField = SocketPool.class.getDeclaredField("sockets");
    socketsField.setAccessible(true);
    List<?> sockets = (List<?>) socketsField.get(poolField.get(listener));
    if (sockets.isEmpty()) {
      throw new IllegalStateException("ice4j's socket pool is empty");
    }
    DatagramChannel[] channels = new DatagramChannel[sockets.size()];
    for (int i = 0; i < channels.length; i++) {
      channels[i] = channelOf(((SocketPool.SocketAndIndex) sockets.get(i)).getSocket());
    }
    return channels;
  }

  /**
   * The channel under a JDK 15+ {@code DatagramSocket}: its delegate is the JDK's adaptor, whose
   * {@code dc} is the channel (JEP 373).
   */
  static DatagramChannel channelOf(DatagramSocket socket) throws ReflectiveOperationException {
    Field delegateField = DatagramSocket.class.getDeclaredField("delegate");
    delegateField.setAccessible(true);
    Object adaptor = delegateField.get(socket);
    if (adaptor == null) {
      throw new IllegalStateException("the socket has no delegate");
    }
    Field channelField = adaptor.getClass().getDeclaredField("dc");
    channelField.setAccessible(true);
    Object channel = channelField.get(adaptor);
    if (!(channel instanceof DatagramChannel datagramChannel) || !datagramChannel.isOpen()) {
      throw new IllegalStateException("no open DatagramChannel under " + adaptor.getClass());
    }
    return datagramChannel;
  }

  /** Media through ice4j only, for {@code reason}. */
  static DirectSend unavailable(String reason) {
    LOG.info(() -> "media sends go through ice4j: " + reason);
    return new DirectSend(Map.of(), reason);
  }

  /** The channels of the sockets bound to {@code local}, or none. */
  DatagramChannel[] channels(InetSocketAddress local) {
    return channelsByLocal.getOrDefault(local, NONE).clone();
  }

  /** Whether media can be sent below ice4j. */
  public boolean available() {
    return unavailableReason == null;
  }

  /** Why not, or null. */
  public String unavailableReason() {
    return unavailableReason;
  }

  /**
   * The route of {@code pair}: its remote address and the channels of its local socket; {@link
   * Route#direct()} is false where those are not known here (the sender then uses ice4j).
   */
  public Route route(CandidatePair pair) {
    LocalCandidate local = pair.getLocalCandidate();
    LocalCandidate base = local.getBase() != null ? local.getBase() : local;
    DatagramChannel[] channels =
        channelsByLocal.getOrDefault(key(base.getTransportAddress()), NONE);
    return new Route(pair, pair.getRemoteCandidate().getTransportAddress(), channels);
  }

  private static InetSocketAddress key(TransportAddress address) {
    return new InetSocketAddress(address.getAddress(), address.getPort());
  }

  private static Map.Entry<ByteBuffer, Integer> newScratch() {
    return Map.entry(ByteBuffer.allocateDirect(MAX_SEND_BYTES), NEXT_THREAD.getAndIncrement());
  }

  /** Where one established pair's packets go. Immutable; any thread may send. */
  public static final class Route {
    private final CandidatePair pair;
    private final InetSocketAddress remote;
    private final DatagramChannel[] channels;

    Route(CandidatePair pair, InetSocketAddress remote, DatagramChannel[] channels) {
      this.pair = pair;
      this.remote = remote;
      this.channels = channels;
    }

    /** Whether this route is for {@code selected} (ice4j may select another pair later). */
    public boolean serves(CandidatePair selected) {
      return pair == selected;
    }

    /** Whether {@link #send} may be used; if not, send through ice4j. */
    public boolean direct() {
      return channels.length > 0;
    }

    /**
     * Sends one datagram from this thread's socket of the pair's port. Never blocks in practice: a
     * UDP send waits only while the socket's send buffer is full, as ice4j's send would.
     */
    public void send(byte[] buffer, int offset, int length) throws IOException {
      if (length > MAX_SEND_BYTES) {
        throw new IOException("datagram of " + length + " bytes is larger than " + MAX_SEND_BYTES);
      }
      Map.Entry<ByteBuffer, Integer> scratch = SCRATCH.get();
      ByteBuffer direct = scratch.getKey();
      direct.clear();
      direct.put(buffer, offset, length).flip();
      channels[scratch.getValue() % channels.length].send(direct, remote);
    }

    @Override
    public String toString() {
      return "route to " + remote + " on " + channels.length + " sockets";
    }
  }
}
