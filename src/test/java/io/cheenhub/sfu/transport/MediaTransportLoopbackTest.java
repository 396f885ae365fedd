package io.cheenhub.sfu.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cheenhub.sfu.rtp.RtcpWriter;
import io.cheenhub.sfu.rtp.RtpPacket;
import io.cheenhub.sfu.transport.dtls.DtlsCertificate;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome;
import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server's media transport against the project's Java test peer over real UDP on loopback: real
 * ICE (ice4j single port), real DTLS 1.2 (BouncyCastle), real SRTP (jitsi-srtp).
 */
class MediaTransportLoopbackTest {

  private static final int OPUS = 111;
  private static final byte[] OPUS_FRAME = new byte[160];

  /** Collects what the server decrypted. */
  private static final class Received implements MediaTransport.PacketSink {
    final BlockingQueue<byte[]> rtp = new LinkedBlockingQueue<>();
    final BlockingQueue<byte[]> rtcp = new LinkedBlockingQueue<>();

    @Override
    public void onRtp(RtpPacket packet) {
      rtp.add(
          Arrays.copyOfRange(packet.buffer(), packet.offset(), packet.offset() + packet.length()));
    }

    @Override
    public void onRtcp(byte[] buffer, int offset, int length) {
      rtcp.add(Arrays.copyOfRange(buffer, offset, offset + length));
    }
  }

  /**
   * One full session first, so that JVM-wide, lazily started threads (ice4j's shared pools, the JDK
   * cleaner, jitsi-srtp's native loader) exist before the leak checks take their baseline.
   */
  @BeforeAll
  static void warmUp() throws Exception {
    try (var server = new TestTransports();
        var peer = new TestPeer(List.of(SrtpProfile.AEAD_AES_128_GCM))) {
      MediaTransport transport =
          server.create(
              "warm-up",
              new RemoteParameters(peer.ice.ufrag, peer.ice.password, List.of(peer.fingerprint())));
      peer.connect(
          transport.iceUfrag(), transport.icePassword(), transport.fingerprint(), server.address());
    }
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void handshakeThenSrtpAndSrtcpBothWaysThenNothingIsLeft(SrtpProfile profile) throws Exception {
    Set<String> socketsBefore = openSockets();
    List<String> threadsBefore = threadNames();
    Duration handshake;

    try (var server = new TestTransports();
        var peer = new TestPeer(List.of(profile))) {
      var received = new Received();
      MediaTransport transport =
          server.create(
              "t-" + profile.ordinal(),
              new RemoteParameters(peer.ice.ufrag, peer.ice.password, List.of(peer.fingerprint())));
      transport.setSink(received);
      assertThat(transport.candidates())
          .singleElement()
          .asString()
          .endsWith("127.0.0.1 " + server.port.port() + " typ host");

      long start = System.nanoTime();
      HandshakeOutcome outcome =
          peer.connect(
              transport.iceUfrag(),
              transport.icePassword(),
              transport.fingerprint(),
              server.address());
      handshake = Duration.ofNanos(System.nanoTime() - start);
      assertThat(outcome).isInstanceOf(HandshakeOutcome.Established.class);
      assertThat(((HandshakeOutcome.Established) outcome).profile()).isEqualTo(profile);
      await().atMost(Duration.ofSeconds(5)).until(transport::isConnected);
      assertThat(transport.srtpProfile()).isEqualTo(profile.name());

      // Browser → server: 50 Opus packets, 3 RTCP reports.
      for (int i = 0; i < 50; i++) {
        peer.sendRtp(0x1234, OPUS, 1000 + i, 960L * i, OPUS_FRAME);
      }
      byte[] report = receiverReport(0x1234);
      for (int i = 0; i < 3; i++) {
        peer.sendRtcp(report);
      }
      for (int i = 0; i < 50; i++) {
        byte[] packet = received.rtp.poll(5, TimeUnit.SECONDS);
        assertThat(packet).as("RTP packet %d", i).isNotNull().hasSize(12 + OPUS_FRAME.length);
        assertThat(((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF)).isEqualTo(1000 + i);
      }
      for (int i = 0; i < 3; i++) {
        assertThat(received.rtcp.poll(5, TimeUnit.SECONDS)).isEqualTo(report);
      }
      assertThat(transport.counters().rtpPacketsDecrypted()).isEqualTo(50);
      assertThat(transport.counters().payloadType(OPUS)).isEqualTo(50);
      assertThat(transport.counters().rtcpPacketsDecrypted()).isEqualTo(3);

      // Server → browser: RTP and RTCP.
      for (int i = 0; i < 20; i++) {
        byte[] rtp = TestPeer.rtpPacket(0x5678, OPUS, i, 960L * i, OPUS_FRAME);
        assertThat(transport.sendRtp(rtp, 0, rtp.length - TestPeer.TAIL_ROOM)).isTrue();
      }
      byte[] serverReport = Arrays.copyOf(receiverReport(0x5678), 64);
      assertThat(transport.sendRtcp(serverReport, 0, 32)).isTrue();
      for (int i = 0; i < 20; i++) {
        byte[] packet = peer.receivedRtp.poll(5, TimeUnit.SECONDS);
        assertThat(packet).as("server RTP %d", i).isNotNull();
        assertThat(((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF)).isEqualTo(i);
      }
      assertThat(peer.receivedRtcp.poll(5, TimeUnit.SECONDS)).hasSize(32);
      assertThat(
              Arrays.stream(TransportCounters.Drop.values())
                  .mapToLong(transport.counters()::drops)
                  .sum())
          .isZero();

      server.close(transport, "test-done");
      assertThat(server.open).isEmpty();
      assertThat(transport.iceState()).isEqualTo(MediaTransport.IceState.CLOSED);
      assertThat(transport.sendRtp(new byte[64], 0, 20)).isFalse();
    }
    System.out.printf(
        "loopback %s: ICE + DTLS handshake took %d ms%n", profile, handshake.toMillis());

    // Everything the server and the peer opened is closed again.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(openSockets()).isSubsetOf(socketsBefore);
              assertThat(newThreads(threadsBefore)).isEmpty();
            });
  }

  /**
   * Media leaves the shared port both ways it can: directly on the channels under ice4j's sockets
   * (the server's default where the JDK lets it reach them, as in these tests) and through ice4j's
   * {@code Component.send}. The peer hears every packet, in order, from the port it checked.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void mediaReachesThePeerWithAndWithoutDirectSends(boolean direct) throws Exception {
    try (var server = new TestTransports(direct);
        var peer = new TestPeer(List.of(SrtpProfile.AEAD_AES_128_GCM))) {
      assertThat(server.port.directSend().available()).isEqualTo(direct);
      MediaTransport transport =
          server.create(
              "direct-" + direct,
              new RemoteParameters(peer.ice.ufrag, peer.ice.password, List.of(peer.fingerprint())));
      peer.connect(
          transport.iceUfrag(), transport.icePassword(), transport.fingerprint(), server.address());
      await().atMost(Duration.ofSeconds(5)).until(transport::isConnected);

      for (int i = 0; i < 200; i++) {
        byte[] rtp = TestPeer.rtpPacket(0x5678, OPUS, i, 960L * i, OPUS_FRAME);
        assertThat(transport.sendRtp(rtp, 0, rtp.length - TestPeer.TAIL_ROOM)).isTrue();
      }
      for (int i = 0; i < 200; i++) {
        byte[] packet = peer.receivedRtp.poll(5, TimeUnit.SECONDS);
        assertThat(packet).as("server RTP %d", i).isNotNull();
        assertThat(((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF)).isEqualTo(i);
      }
      assertThat(transport.counters().packetsSent()).isEqualTo(200);
      server.close(transport, "test-done");
    }
  }

  /** Decrypts what {@code skip} refuses; keeps the clear headers (SSRC, sequence) of the rest. */
  private static final class SkippingSink implements MediaTransport.PacketSink {
    final Received decrypted = new Received();
    final BlockingQueue<int[]> headers = new LinkedBlockingQueue<>();
    private final java.util.function.Predicate<RtpPacket> skip;

    SkippingSink(java.util.function.Predicate<RtpPacket> skip) {
      this.skip = skip;
    }

    @Override
    public void onRtp(RtpPacket packet) {
      decrypted.onRtp(packet);
    }

    @Override
    public void onRtcp(byte[] buffer, int offset, int length) {}

    @Override
    public boolean skipsDecryption(RtpPacket header) {
      return skip.test(header);
    }

    @Override
    public void onUndecrypted(RtpPacket header) {
      headers.add(new int[] {header.ssrc(), header.sequenceNumber()});
    }
  }

  /** A transport with {@code sink}, connected to {@code peer} (ICE, DTLS, SRTP keys in place). */
  private static MediaTransport connected(
      TestTransports server, TestPeer peer, String id, MediaTransport.PacketSink sink)
      throws Exception {
    MediaTransport transport =
        server.create(
            id,
            new RemoteParameters(peer.ice.ufrag, peer.ice.password, List.of(peer.fingerprint())));
    transport.setSink(sink);
    assertThat(
            peer.connect(
                transport.iceUfrag(),
                transport.icePassword(),
                transport.fingerprint(),
                server.address()))
        .isInstanceOf(HandshakeOutcome.Established.class);
    await().atMost(Duration.ofSeconds(5)).until(transport::isConnected);
    return transport;
  }

  /**
   * A publisher in no slot from its first packet (it joined a large room already on slots) whose
   * sequence numbers wrap before anyone needs it: its first packet is decrypted all the same, so
   * the SRTP context knows where the stream started and still authenticates after the wrap (it used
   * to guess rollover counter 0 and refuse every packet of that speaker for good).
   */
  @Test
  void aStreamSkippedFromItsFirstPacketStillDecryptsAfterItsSequenceNumbersWrap() throws Exception {
    try (var server = new TestTransports();
        var peer = new TestPeer(List.of(SrtpProfile.AEAD_AES_128_GCM))) {
      var wanted = new java.util.concurrent.atomic.AtomicBoolean();
      var sink = new SkippingSink(header -> !wanted.get());
      MediaTransport transport = connected(server, peer, "t-wrap", sink);

      for (int i = 0; i < 20; i++) { // 65 526 … 65 535, then 0 … 9: the sender's ROC becomes 1
        peer.sendRtp(0x4321, OPUS, (65_526 + i) & 0xFFFF, 960L * i, OPUS_FRAME);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.headers.size() == 19);
      wanted.set(true); // the publisher speaks and takes a slot
      for (int i = 20; i < 30; i++) {
        peer.sendRtp(0x4321, OPUS, i - 10, 960L * i, OPUS_FRAME);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.decrypted.rtp.size() == 11);
      assertThat(transport.counters().rtpPacketsDecrypted()).isEqualTo(11);
      assertThat(transport.counters().drops(TransportCounters.Drop.AUTH)).isZero();
      byte[] last = sink.decrypted.rtp.stream().reduce((a, b) -> b).orElseThrow();
      assertThat(((last[2] & 0xFF) << 8) | (last[3] & 0xFF)).isEqualTo(19);
    }
  }

  /**
   * A sink that needs no payload (a large room's publisher in no speaker slot) gets real SRTP
   * packets with their clear header only; the ones it does want still decrypt afterwards, so
   * skipping left the SRTP context in step.
   */
  @Test
  void packetsTheSinkDoesNotNeedStayEncryptedAndTheRestStillDecrypt() throws Exception {
    try (var server = new TestTransports();
        var peer = new TestPeer(List.of(SrtpProfile.AEAD_AES_128_GCM))) {
      var sink = new SkippingSink(header -> header.sequenceNumber() % 10 != 0); // one in ten wanted
      var decrypted = sink.decrypted;
      var headers = sink.headers;
      MediaTransport transport = connected(server, peer, "t-skip", sink);

      for (int i = 0; i < 100; i++) {
        peer.sendRtp(0x1234, OPUS, 1000 + i, 960L * i, OPUS_FRAME);
      }

      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> decrypted.rtp.size() == 10 && headers.size() == 90);
      assertThat(headers).allMatch(h -> h[0] == 0x1234 && h[1] % 10 != 0);
      for (byte[] packet : decrypted.rtp) {
        assertThat(((packet[2] & 0xFF) << 8 | (packet[3] & 0xFF)) % 10).isZero();
        assertThat(Arrays.copyOfRange(packet, 12, packet.length)).isEqualTo(OPUS_FRAME);
      }
      assertThat(transport.counters().rtpPacketsDecrypted()).isEqualTo(10);
      assertThat(transport.counters().rtpPacketsUndecrypted()).isEqualTo(90);
      for (TransportCounters.Drop reason : TransportCounters.Drop.values()) {
        assertThat(transport.counters().drops(reason)).as(reason.wireValue()).isZero();
      }
    }
  }

  @Test
  void hostileTrafficOnTheSharedPortIsCountedAndTheGoodPeerLosesNothing() throws Exception {
    try (var server = new TestTransports();
        var good = new TestPeer(List.of(SrtpProfile.AEAD_AES_128_GCM));
        var impostor = new TestPeer(List.of(SrtpProfile.AEAD_AES_128_GCM));
        var junk = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      var received = new Received();
      MediaTransport goodTransport =
          server.create(
              "good",
              new RemoteParameters(good.ice.ufrag, good.ice.password, List.of(good.fingerprint())));
      goodTransport.setSink(received);
      good.connect(
          goodTransport.iceUfrag(),
          goodTransport.icePassword(),
          goodTransport.fingerprint(),
          server.address());
      await().atMost(Duration.ofSeconds(5)).until(goodTransport::isConnected);

      // An impostor whose certificate is not the one its SDP announced.
      MediaTransport stolen =
          server.create(
              "stolen",
              new RemoteParameters(
                  impostor.ice.ufrag,
                  impostor.ice.password,
                  List.of(DtlsCertificate.generate().fingerprint())));
      HandshakeOutcome impostorOutcome =
          impostor.connect(
              stolen.iceUfrag(), stolen.icePassword(), stolen.fingerprint(), server.address());
      assertThat(impostorOutcome).isInstanceOf(HandshakeOutcome.Failed.class);

      // A checker that knows the ufrag but not the password gets no answer.
      var guesser = new IcePeer();
      try {
        guesser.connect(
            goodTransport.iceUfrag(), "wrong-password-wrong-password", server.address());
        throw new AssertionError("a check with the wrong password succeeded");
      } catch (java.util.concurrent.TimeoutException expected) {
        // ice4j refused every check
      } finally {
        guesser.close();
      }

      var random = new Random(7);
      int sequence = 0;
      List<byte[]> sent = new ArrayList<>();
      for (int round = 0; round < 100; round++) {
        // The good peer keeps talking.
        good.sendRtp(0x1111, OPUS, sequence++, 960L * round, OPUS_FRAME);
        // Garbage from an unknown address: ice4j drops it before any transport sees it.
        byte[] garbage = new byte[1 + random.nextInt(1200)];
        random.nextBytes(garbage);
        junk.send(new DatagramPacket(garbage, garbage.length, server.address()));
        // Garbage, truncated and replayed SRTP from the good peer's own address.
        byte[] fake = new byte[200];
        random.nextBytes(fake);
        fake[0] = (byte) 0x80;
        fake[1] = (byte) OPUS;
        good.ice.send(fake);
        good.ice.send(new byte[] {(byte) 0x80, (byte) OPUS, 0, 1, 0});
        byte[] unknownProtocol = {(byte) 100, 1, 2, 3};
        good.ice.send(unknownProtocol);
        if (round % 10 == 0) {
          sent.add(good.sendRtcp(receiverReport(0x1111)));
          good.ice.send(sent.get(sent.size() - 1)); // the same SRTCP packet again: a replay
        }
        // A talking browser sends every 20 ms; 2 ms keeps the flood at ~2 500 datagrams/s without
        // measuring the kernel's socket buffer instead of the server.
        Thread.sleep(2);
      }

      for (int i = 0; i < 100; i++) {
        byte[] packet = received.rtp.poll(5, TimeUnit.SECONDS);
        assertThat(packet).as("good packet %d; %s", i, describe(goodTransport)).isNotNull();
        assertThat(((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF)).isEqualTo(i);
      }
      TransportCounters counters = goodTransport.counters();
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> {
                assertThat(counters.rtpPacketsDecrypted()).isEqualTo(100);
                assertThat(counters.rtcpPacketsDecrypted()).isEqualTo(10);
                assertThat(counters.drops(TransportCounters.Drop.REPLAY)).isEqualTo(10);
                assertThat(counters.drops(TransportCounters.Drop.UNKNOWN_PROTOCOL)).isEqualTo(100);
                assertThat(
                        counters.drops(TransportCounters.Drop.AUTH)
                            + counters.drops(TransportCounters.Drop.MALFORMED)
                            + counters.drops(TransportCounters.Drop.SSRC_LIMIT))
                    .isEqualTo(200);
              });
      assertThat(server.dtlsFailures)
          .singleElement()
          .extracting(HandshakeOutcome.Failed::reason)
          .isEqualTo(HandshakeOutcome.FailureReason.BAD_CERTIFICATE);
      await().atMost(Duration.ofSeconds(5)).until(() -> !server.open.containsKey("stolen"));
      assertThat(server.closeRequests).contains("stolen:dtls-bad-certificate");
      assertThat(goodTransport.isConnected()).isTrue();
    }
  }

  @Test
  void aPeerThatNeverConnectsLeavesNothingBehindWhenClosed() throws Exception {
    Set<String> socketsBefore = openSockets();
    try (var server = new TestTransports()) {
      MediaTransport transport =
          server.create(
              "silent",
              new RemoteParameters(
                  "abcd",
                  "0123456789012345678901",
                  List.of(DtlsCertificate.generate().fingerprint())));
      assertThat(transport.isConnected()).isFalse();
      server.close(transport, "connect-timeout");
      assertThat(transport.closeReason()).isEqualTo("connect-timeout");
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(openSockets()).isSubsetOf(socketsBefore));
  }

  @Test
  void theStaleSweepPicksATransportThatNeverConnectsOrThatNobodyHolds() throws Exception {
    Set<String> socketsBefore = openSockets();
    try (var server = new TestTransports()) {
      MediaTransport transport =
          server.create(
              "never",
              new RemoteParameters(
                  "abcd",
                  "0123456789012345678901",
                  List.of(DtlsCertificate.generate().fingerprint())));
      long now = System.nanoTime();
      assertThat(transport.staleReason(now)).isNull();
      // Connect timeout 10 s (TestTransports): one tick past it, ICE has still not completed.
      long later = now + server.limits.connectTimeout().plusMillis(1).toNanos();
      assertThat(transport.staleReason(later)).isEqualTo("connect-timeout");

      var held = new java.util.concurrent.atomic.AtomicBoolean(true);
      transport.setOwner(new MediaTransport.Owner("room", "p1", "publish", "c1", t -> held.get()));
      assertThat(transport.staleReason(now)).isNull();
      held.set(false); // the participant let go of it without closing it
      assertThat(transport.staleReason(now)).isEqualTo("orphaned");
      assertThat(transport.correlation("kind", "orphaned"))
          .containsExactly(
              "transport",
              "never",
              "room",
              "room",
              "participant",
              "p1",
              "role",
              "publish",
              "connection",
              "c1",
              "kind",
              "orphaned");

      server.close(transport, "orphaned");
      assertThat(transport.staleReason(later)).as("closed: nothing left to sweep").isNull();
      assertThat(transport.iceState()).isEqualTo(MediaTransport.IceState.CLOSED);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(openSockets()).isSubsetOf(socketsBefore));
  }

  private static String describe(MediaTransport transport) {
    var text = new StringBuilder("decrypted=" + transport.counters().rtpPacketsDecrypted());
    for (TransportCounters.Drop reason : TransportCounters.Drop.values()) {
      text.append(' ')
          .append(reason.wireValue())
          .append('=')
          .append(transport.counters().drops(reason));
    }
    return text.toString();
  }

  private static byte[] receiverReport(int ssrc) {
    byte[] report = new byte[32];
    int length =
        RtcpWriter.receiverReport(report, 0, ssrc, new io.cheenhub.sfu.rtp.ReportBlock[0], 0);
    return Arrays.copyOf(report, length);
  }

  /**
   * UDP and TCP sockets this JVM has open, described by protocol and local address (Linux:
   * "socket:[inode]" links in /proc/self/fd, looked up in /proc/net/{udp,tcp}). Unix sockets (the
   * test runner's own) are not counted.
   */
  static Set<String> openSockets() throws IOException {
    Map<String, String> byInode = new HashMap<>();
    for (String table : List.of("udp", "udp6", "tcp", "tcp6")) {
      Path path = Path.of("/proc/net/" + table);
      if (!Files.exists(path)) {
        continue;
      }
      // Read once: the table changes under us while other processes open sockets.
      List<String> lines = Files.readAllLines(path);
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.trim().split("\\s+");
        byInode.put(fields[9], table + " " + fields[1]);
      }
    }
    Set<String> sockets = new TreeSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            String inode = target.substring(8, target.length() - 1);
            String socket = byInode.get(inode);
            if (socket != null) {
              sockets.add(socket + " inode " + inode);
            }
          }
        } catch (IOException e) {
          // the descriptor closed while we looked
        }
      }
    }
    return sockets;
  }

  private static List<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
  }

  /**
   * Threads started during the test that are still alive, ignoring ice4j's static shared pools
   * (daemon executors that outlive every agent by design and expire when idle).
   */
  private static List<String> newThreads(List<String> before) {
    return threadNames().stream()
        .filter(name -> !before.contains(name))
        .filter(
            name ->
                !name.startsWith("ice4j.")
                    && !name.startsWith("Attach Listener")
                    && !name.startsWith("awaitility")
                    && !name.startsWith("process reaper"))
        .toList();
  }
}
