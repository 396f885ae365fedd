package io.cheenhub.sfu.loadgen.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.loadgen.relay.ImpairmentRelay.Direction;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The impairment relay with real UDP on loopback: a client socket sends numbered datagrams through
 * it to a server socket. Statistical bounds are wide (thousands of datagrams, seeded randomness).
 */
class ImpairmentRelayTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private DatagramChannel client;
  private DatagramChannel server;
  private ImpairmentRelay relay;

  @BeforeEach
  void open() throws IOException {
    server = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
    client = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
    server.socket().setSoTimeout(0);
    relay =
        new ImpairmentRelay(
            new InetSocketAddress(LOOPBACK, 0), (InetSocketAddress) server.getLocalAddress());
  }

  @AfterEach
  void close() throws IOException {
    relay.close();
    client.close();
    server.close();
  }

  /** One datagram received by the server: its number, and when it arrived minus when it left. */
  private record Arrival(int number, long delayNanos, long atNanos) {}

  /** Sends {@code count} numbered datagrams of {@code size} bytes, 1 ms apart per 10. */
  private void send(int count, int size) throws Exception {
    ByteBuffer out = ByteBuffer.allocate(size);
    for (int i = 0; i < count; i++) {
      out.clear();
      out.putInt(0, i);
      out.putLong(4, System.nanoTime());
      client.send(out, relay.address());
      if (i % 10 == 9) {
        Thread.sleep(1);
      }
    }
  }

  /**
   * Sends {@code count} datagrams while the server reads (a socket nobody reads overflows its
   * buffer, which would look like loss), and returns what arrived until {@code quietMillis} of
   * silence.
   */
  private List<Arrival> sendAndReceive(int count, int size, long quietMillis) throws Exception {
    var arrivals =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return receive(quietMillis + 2_000);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(20);
    send(count, size);
    return arrivals.get();
  }

  /**
   * What the server received until {@code expected} datagrams came or {@code deadlineMillis}
   * passed: for a test that knows how many must arrive, so that a stall of a loaded machine is not
   * taken for the end of the traffic.
   */
  private List<Arrival> receiveCount(int expected, long deadlineMillis) throws Exception {
    var arrivals = new ArrayList<Arrival>();
    server.configureBlocking(false);
    ByteBuffer in = ByteBuffer.allocate(2048);
    long deadline = System.nanoTime() + deadlineMillis * 1_000_000;
    while (arrivals.size() < expected && System.nanoTime() < deadline) {
      in.clear();
      if (server.receive(in) == null) {
        Thread.sleep(1);
        continue;
      }
      long now = System.nanoTime();
      arrivals.add(new Arrival(in.getInt(0), now - in.getLong(4), now));
    }
    return arrivals;
  }

  /** What the server received until nothing came for {@code quietMillis}. */
  private List<Arrival> receive(long quietMillis) throws Exception {
    var arrivals = new ArrayList<Arrival>();
    server.configureBlocking(false);
    ByteBuffer in = ByteBuffer.allocate(2048);
    long lastNanos = System.nanoTime();
    while (System.nanoTime() - lastNanos < quietMillis * 1_000_000) {
      in.clear();
      if (server.receive(in) == null) {
        Thread.sleep(1);
        continue;
      }
      long now = System.nanoTime();
      lastNanos = now;
      arrivals.add(new Arrival(in.getInt(0), now - in.getLong(4), now));
    }
    return arrivals;
  }

  @Test
  void randomLossDropsItsShareAndCountsIt() throws Exception {
    relay.set(Direction.UP, Impairment.NONE.withLoss(0.20));
    List<Arrival> arrivals = sendAndReceive(5_000, 100, 300);
    double lost = 1 - arrivals.size() / 5_000.0;
    assertThat(lost).isBetween(0.17, 0.23);
    ImpairmentRelay.Stats stats = relay.stats(Direction.UP);
    assertThat(stats.received()).isEqualTo(5_000);
    assertThat(stats.droppedRandom()).isEqualTo(5_000 - arrivals.size());
    assertThat(stats.forwarded()).isEqualTo(arrivals.size());
  }

  @Test
  void gilbertElliottLossComesInBurstsOfTheConfiguredMeanLength() throws Exception {
    // Bad state a sixth of the time (0.05 / (0.05 + 0.25)), bursts 1 / 0.25 = 4 datagrams long.
    relay.set(Direction.UP, Impairment.NONE.withBursts(0.05, 0.25, 1.0));
    List<Arrival> arrivals = sendAndReceive(6_000, 100, 300);
    boolean[] seen = new boolean[6_000];
    arrivals.forEach(a -> seen[a.number()] = true);
    int lost = 0;
    int bursts = 0;
    for (int i = 0; i < seen.length; i++) {
      if (!seen[i]) {
        lost++;
        if (i == 0 || seen[i - 1]) {
          bursts++;
        }
      }
    }
    assertThat(lost / 6_000.0).isBetween(0.12, 0.22);
    assertThat((double) lost / bursts).as("mean burst length").isBetween(3.0, 5.0);
    assertThat(relay.stats(Direction.UP).droppedBurst()).isEqualTo(lost);
  }

  @Test
  void delayAndJitterStayWithinTheirBoundsAndReorder() throws Exception {
    relay.set(Direction.UP, Impairment.NONE.withDelay(50, 10));
    List<Arrival> arrivals = sendAndReceive(500, 100, 300);
    assertThat(arrivals).hasSize(500);
    double meanMillis =
        arrivals.stream().mapToLong(Arrival::delayNanos).average().orElseThrow() / 1e6;
    long minMillis =
        arrivals.stream().mapToLong(Arrival::delayNanos).min().orElseThrow() / 1_000_000;
    assertThat(meanMillis).isBetween(47.0, 56.0);
    assertThat(minMillis).isGreaterThanOrEqualTo(39);
    int outOfOrder = 0;
    for (int i = 1; i < arrivals.size(); i++) {
      if (arrivals.get(i).number() < arrivals.get(i - 1).number()) {
        outOfOrder++;
      }
    }
    // ±10 ms of jitter on datagrams ~0.1 ms apart reorders many of them, as netem does.
    assertThat(outOfOrder).isPositive();
    assertThat(relay.stats(Direction.UP).meanDelayMillis()).isBetween(49.0, 51.0);
  }

  @Test
  void aBandwidthCapPacesAndTailDropsPastItsQueue() throws Exception {
    // 256 kbit/s = 32 000 bytes/s; 500 x 200 bytes offered at once, 4 000 bytes of queue.
    relay.set(Direction.UP, Impairment.NONE.withBandwidth(256_000, 4_000));
    List<Arrival> arrivals = sendAndReceive(500, 200, 300);
    ImpairmentRelay.Stats stats = relay.stats(Direction.UP);
    assertThat(stats.droppedQueue()).isPositive();
    assertThat(arrivals.size() + stats.droppedQueue()).isEqualTo(500);
    // At least the queue's worth (4 000 bytes) got through; it came no faster than the cap. The
    // rate is taken between the first and the last arrival, not over the test's wall time: a
    // loaded machine may run the relay late (slower), but a pacer must never catch up faster.
    assertThat(arrivals.size()).isGreaterThanOrEqualTo(4_000 / 200);
    long spanNanos = arrivals.get(arrivals.size() - 1).atNanos() - arrivals.get(0).atNanos();
    double rate = (arrivals.size() - 1) * 200 / (spanNanos / 1e9);
    assertThat(rate).as("bytes per second through the cap").isLessThanOrEqualTo(36_000.0);
  }

  @Test
  void aCapIsEachClientsOwnLinkNotOneBottleneckForAll() throws Exception {
    // Two clients at 160 kbit/s each behind a 256 kbit/s cap: one shared link would have to queue
    // 64 kbit/s x 1 s = 8 000 bytes and tail-drop past 4 000; per-client links never fill up.
    relay.set(Direction.UP, Impairment.NONE.withBandwidth(256_000, 4_000));
    try (DatagramChannel second = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0))) {
      var arrivals =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return receiveCount(200, 10_000);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      ByteBuffer out = ByteBuffer.allocate(200);
      for (int i = 0; i < 100; i++) {
        client.send(out.clear(), relay.address());
        second.send(out.clear(), relay.address());
        Thread.sleep(10);
      }
      assertThat(arrivals.get()).hasSize(200);
    }
    assertThat(relay.stats(Direction.UP).droppedQueue()).isZero();
    assertThat(relay.clients()).isEqualTo(2);
  }

  @Test
  void impairmentsChangeWhileRunningAndRepliesComeBackThroughTheClientsOwnSocket()
      throws Exception {
    relay.setBoth(Impairment.NONE.withLoss(1.0));
    send(50, 100);
    assertThat(receive(200)).isEmpty();
    relay.setBoth(Impairment.NONE); // heal
    send(50, 100);
    assertThat(receive(200)).hasSize(50);

    // The server answers the relay's per-client socket; the client gets it from the relay.
    ByteBuffer in = ByteBuffer.allocate(64);
    server.configureBlocking(true);
    client.send(ByteBuffer.wrap(new byte[12]), relay.address());
    InetSocketAddress upstream = (InetSocketAddress) server.receive(in);
    assertThat(upstream.getPort()).isNotEqualTo(relay.address().getPort());
    server.send(
        ByteBuffer.wrap("pong".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), upstream);
    client.configureBlocking(true);
    in.clear();
    InetSocketAddress from = (InetSocketAddress) client.receive(in);
    assertThat(from).isEqualTo(relay.address());
    assertThat(relay.clients()).isEqualTo(1);
    // The relay counts after its send returns, which may be after the client already has it.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(2))
        .untilAsserted(() -> assertThat(relay.stats(Direction.DOWN).forwarded()).isEqualTo(1));
  }
}
