package io.cheenhub.sfu.transport;

import io.cheenhub.sfu.loadgen.peer.Stun;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The ICE part of the Java test peer: one UDP socket on loopback, ICE controlling with aggressive
 * nomination (RFC 8445 §7.2.2: every check carries USE-CANDIDATE), answering the server's own
 * checks and consent requests. Every non-STUN datagram goes to {@code onData}.
 */
final class IcePeer implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ICE_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  /** RFC 8445 §5.1.2.1 host priority with local preference 65535, component 1. */
  private static final long HOST_PRIORITY = (126L << 24) | (65_535L << 8) | 255;

  private static final long CHECK_INTERVAL_MS = 50;

  final String ufrag = random(8);
  final String password = random(24);
  private final DatagramSocket socket;
  private final Thread reader;
  private final Map<String, CompletableFuture<Stun.Message>> pending = new ConcurrentHashMap<>();
  private final long tieBreaker = RANDOM.nextLong();
  private final AtomicLong checksAnswered = new AtomicLong();
  private volatile Consumer<byte[]> onData = data -> {};
  private volatile InetSocketAddress server;
  private volatile String remoteUfrag;
  private volatile String remotePassword;

  IcePeer() throws SocketException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    reader = new Thread(this::read, "ice-peer-" + ufrag);
    reader.setDaemon(true);
    reader.start();
  }

  /** Where DTLS, SRTP and SRTCP datagrams go (a copy of each). */
  void onData(Consumer<byte[]> onData) {
    this.onData = onData;
  }

  /** Runs checks to {@code server} until one succeeds; the server nominates the pair then. */
  void connect(String remoteUfrag, String remotePassword, InetSocketAddress server)
      throws IOException, TimeoutException {
    this.remoteUfrag = remoteUfrag;
    this.remotePassword = remotePassword;
    this.server = server;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      byte[] transactionId = new byte[12];
      RANDOM.nextBytes(transactionId);
      var reply = new CompletableFuture<Stun.Message>();
      pending.put(HexFormat.of().formatHex(transactionId), reply);
      send(
          Stun.bindingRequest(
              transactionId, remoteUfrag + ":" + ufrag, remotePassword, HOST_PRIORITY, tieBreaker));
      try {
        Stun.Message message = reply.get(CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
        if (message.type() == Stun.BINDING_SUCCESS && message.hasValidIntegrity(remotePassword)) {
          return;
        }
      } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
        throw new IOException(e);
      } catch (TimeoutException e) {
        // retransmit
      }
    }
    throw new TimeoutException("no ICE check to " + server + " succeeded within 10 s");
  }

  /** Sends raw bytes to the server. */
  void send(byte[] data) throws IOException {
    send(data, 0, data.length);
  }

  void send(byte[] data, int offset, int length) throws IOException {
    socket.send(new DatagramPacket(data, offset, length, server));
  }

  /** The local address of the socket. */
  InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** How many checks from the server (triggered checks, consent freshness) were answered. */
  long checksAnswered() {
    return checksAnswered.get();
  }

  private void read() {
    byte[] buffer = new byte[2048];
    var packet = new DatagramPacket(buffer, buffer.length);
    while (!socket.isClosed()) {
      try {
        packet.setLength(buffer.length);
        socket.receive(packet);
      } catch (IOException e) {
        return;
      }
      int first = buffer[0] & 0xFF;
      if (first <= 3) {
        onStun(Stun.parse(buffer, packet.getLength()), packet);
      } else {
        onData.accept(Arrays.copyOf(buffer, packet.getLength()));
      }
    }
  }

  private void onStun(Stun.Message message, DatagramPacket from) {
    if (message == null) {
      return;
    }
    if (message.type() == Stun.BINDING_REQUEST) {
      String username = message.username();
      if (username != null
          && username.startsWith(ufrag + ":")
          && message.hasValidIntegrity(password)) {
        try {
          byte[] reply =
              Stun.bindingSuccess(
                  message.transactionId(), (InetSocketAddress) from.getSocketAddress(), password);
          socket.send(new DatagramPacket(reply, reply.length, from.getSocketAddress()));
          checksAnswered.incrementAndGet();
        } catch (IOException e) {
          // the socket is closing
        }
      }
      return;
    }
    CompletableFuture<Stun.Message> reply =
        pending.remove(HexFormat.of().formatHex(message.transactionId()));
    if (reply != null) {
      reply.complete(message);
    }
  }

  private static String random(int length) {
    var text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(ICE_CHARS.charAt(RANDOM.nextInt(ICE_CHARS.length())));
    }
    return text.toString();
  }

  @Override
  public void close() {
    socket.close();
    try {
      reader.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
