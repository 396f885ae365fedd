package io.cheenhub.sfu.transport.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cheenhub.sfu.transport.srtp.SrtpSession;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The relay's socket, links and keys on loopback, without the cascade around them: what one end
 * protects the other decrypts, keys are per direction, room and span, and everything refused is
 * counted.
 */
class RelayPortTest {

  private static final int SSRC = 0x5EED_0001;

  private final List<RelayPort> ports = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws InterruptedException {
    ports.forEach(RelayPort::close);
    for (Thread thread : threads) {
      thread.join(5_000);
      assertThat(thread.isAlive()).as("the receive loop ends when its port closes").isFalse();
    }
  }

  private RelayPort port() throws IOException {
    RelayPort port = RelayPort.bind(0);
    ports.add(port);
    return port;
  }

  /** Runs {@code port}'s receive loop on a thread of its own, handing datagrams to {@code to}. */
  private void receive(RelayPort port, RelayPort.Receiver to) {
    Thread thread = new Thread(() -> port.receive(to), "relay-test-" + port.port());
    thread.setDaemon(true);
    thread.start();
    threads.add(thread);
  }

  private static RelayKeys.End end(String instance, long seed, String span) {
    byte[] secret = new byte[RelayKeys.SECRET_BYTES];
    new Random(seed).nextBytes(secret);
    return new RelayKeys.End(instance, secret, span);
  }

  /** An RTP packet (12-byte header, 20 payload bytes) with room for the GCM tag. */
  private static byte[] rtp(int sequence) {
    byte[] buf = new byte[12 + 20 + 16];
    ByteBuffer b = ByteBuffer.wrap(buf);
    b.put((byte) 0x80)
        .put((byte) 111)
        .putShort((short) sequence)
        .putInt(sequence * 960)
        .putInt(SSRC);
    for (int i = 0; i < 20; i++) {
      b.put((byte) (sequence + i));
    }
    return buf;
  }

  @Test
  void whatOneEndSendsTheOtherDecryptsWithTheMirrorSession() throws Exception {
    RelayPort a = port();
    RelayPort b = port();
    var endA = end("a", 1, "span-a");
    var endB = end("b", 2, "span-b");
    var aToB = new RelayLink(a, new InetSocketAddress("127.0.0.1", b.port()), session(endA, endB));
    var bFromA =
        new RelayLink(b, new InetSocketAddress("127.0.0.1", a.port()), session(endB, endA));
    assertThat(aToB.peer().getPort()).isEqualTo(b.port());
    List<byte[]> plain = new CopyOnWriteArrayList<>();
    receive(
        b,
        (buf, off, len, nanos) -> {
          int length = bFromA.unprotect(buf, off, len);
          if (length > 0) {
            b.countReceived();
            plain.add(Arrays.copyOfRange(buf, off, off + length));
          }
        });

    for (int sequence = 1; sequence <= 20; sequence++) {
      assertThat(aToB.sendRtp(rtp(sequence), 0, 32)).isTrue();
    }

    await().atMost(Duration.ofSeconds(5)).until(() -> plain.size() == 20);
    assertThat(plain.get(0)).isEqualTo(Arrays.copyOf(rtp(1), 32));
    assertThat(a.sent()).isEqualTo(20);
    assertThat(b.received()).isEqualTo(20);
    assertThat(b.dropped(RelayPort.Drop.AUTH_FAILED)).isZero();
    aToB.close();
    bFromA.close();
  }

  @Test
  void aRelayOpenedAgainOrForAnotherRoomHasOtherKeys() throws Exception {
    var a1 = end("a", 1, "first-opening");
    var a2 = end("a", 1, "second-opening");
    var b = end("b", 2, "span-b");
    RelayPort port = port();
    try (SrtpSession sender = session(a1, b);
        SrtpSession sameRoomNewSpan = RelayKeys.session("room", b, a2);
        SrtpSession otherRoom = RelayKeys.session("other-room", b, a1);
        SrtpSession right = RelayKeys.session("room", b, a1)) {
      byte[] packet = rtp(7);
      int length = sender.protectRtp(packet, 0, 32);
      assertThat(length).isEqualTo(48);
      var link = new RelayLink(port, new InetSocketAddress("127.0.0.1", 9), sameRoomNewSpan);
      assertThat(link.unprotect(packet.clone(), 0, length)).isNegative();
      assertThat(new RelayLink(port, link.peer(), otherRoom).unprotect(packet.clone(), 0, length))
          .isNegative();
      assertThat(port.dropped(RelayPort.Drop.AUTH_FAILED)).isEqualTo(2);
      assertThat(new RelayLink(port, link.peer(), right).unprotect(packet, 0, length))
          .isEqualTo(32);
    }
    assertThat(RelayKeys.derive("room", a1, b)).isNotEqualTo(RelayKeys.derive("room", b, a1));
  }

  @Test
  void aSecretOfTheWrongSizeIsRefused() {
    assertThatThrownBy(() -> new RelayKeys.End("a", new byte[16], "s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32");
  }

  @Test
  void anOversizedDatagramIsCountedAndTheLoopGoesOn() throws Exception {
    RelayPort port = port();
    var handled = new CountDownLatch(1);
    receive(port, (buf, off, len, nanos) -> handled.countDown());
    try (var stranger = new DatagramSocket()) {
      byte[] big = new byte[RelayPort.MAX_DATAGRAM_BYTES + 1];
      var to = new InetSocketAddress("127.0.0.1", port.port());
      stranger.send(new DatagramPacket(big, big.length, to));
      stranger.send(new DatagramPacket(new byte[40], 40, to));
    }
    assertThat(handled.await(5, TimeUnit.SECONDS)).as("the next datagram is handled").isTrue();
    assertThat(port.dropped(RelayPort.Drop.NOT_RTP)).isEqualTo(1);
  }

  @Test
  void aReceiverThatThrowsDoesNotEndTheLoop() throws Exception {
    RelayPort port = port();
    var second = new CountDownLatch(2);
    receive(
        port,
        (buf, off, len, nanos) -> {
          second.countDown();
          throw new IllegalStateException("a bug in one packet's handling");
        });
    try (var stranger = new DatagramSocket()) {
      var to = new InetSocketAddress("127.0.0.1", port.port());
      stranger.send(new DatagramPacket(new byte[20], 20, to));
      stranger.send(new DatagramPacket(new byte[20], 20, to));
    }
    assertThat(second.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void awaitReceiveStepWaitsForTheDatagramBeingHandled() throws Exception {
    RelayPort port = port();
    var inside = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    receive(
        port,
        (buf, off, len, nanos) -> {
          inside.countDown();
          try {
            release.await(5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    port.awaitReceiveStep(); // between datagrams: returns at once
    try (var stranger = new DatagramSocket()) {
      stranger.send(
          new DatagramPacket(new byte[20], 20, new InetSocketAddress("127.0.0.1", port.port())));
    }
    assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
    Thread releaser =
        new Thread(
            () -> {
              try {
                Thread.sleep(100);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              release.countDown();
            });
    releaser.start();
    long start = System.nanoTime();
    port.awaitReceiveStep();
    assertThat(System.nanoTime() - start).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(50));
    assertThat(release.getCount()).isZero();
    releaser.join();
  }

  @Test
  void aSendOnAClosedPortIsCountedAsFailed() throws Exception {
    RelayPort a = port();
    var link =
        new RelayLink(
            a, new InetSocketAddress("127.0.0.1", 9), session(end("a", 1, "x"), end("b", 2, "y")));
    a.close();
    assertThat(link.sendRtp(rtp(1), 0, 32)).isFalse();
    assertThat(a.dropped(RelayPort.Drop.SEND_FAILED)).isEqualTo(1);
    assertThat(a.port()).as("a closed port has none").isEqualTo(-1);
    link.close();
    assertThat(link.sendRtp(rtp(2), 0, 32)).as("closed keys protect nothing").isFalse();
    assertThat(a.dropped(RelayPort.Drop.SEND_FAILED)).isEqualTo(2);
  }

  @Test
  void aTakenPortIsRefused() throws Exception {
    try (var holder = new DatagramSocket(0, java.net.InetAddress.getByName("0.0.0.0"))) {
      assertThatThrownBy(() -> RelayPort.bind(holder.getLocalPort()))
          .isInstanceOf(SocketException.class);
    }
    assertThat(Arrays.stream(RelayPort.Drop.values()).map(RelayPort.Drop::wireValue))
        .containsExactly("not-rtp", "unknown-ssrc", "auth-failed", "send-failed");
  }

  private static SrtpSession session(RelayKeys.End self, RelayKeys.End peer) {
    return RelayKeys.session("room", self, peer);
  }
}
