package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.rtp.RtpPacket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A publisher with three audio layers through the real packet workers: each listener gets only the
 * layer chosen for it, and a switch keeps one SSRC, contiguous sequence numbers and timestamps that
 * advance by whole frames (docs/quality.md, "Audio layers").
 */
class LayerForwardingTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final int OFFSET = 16;
  private static final int FRAME = TestRtp.TICKS_PER_PACKET;

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final PacketWorkers workers = new PacketWorkers(executor, 2);
  private final PacketPool pool = new PacketPool(2_048);
  private final ForwardingTable table = new ForwardingTable("room");
  private final LogCapture log = new LogCapture();
  private final RtpPacket view = new RtpPacket();
  private final Publisher speaker = new Publisher("speaker", TestRtp.PUBLISHER, pool);

  /** The speaker's three layers: SSRC, next sequence number and timestamp of each. */
  private final int[] ssrcs = {0x1111_0000, 0x2222_0000, 0x3333_0000};

  private final int[] sequences = {100, 40_000, 65_500};
  private final long[] timestamps = {5_000, 0xFFFF_F000L, 77_777};

  static ConditionFactory await() {
    return org.awaitility.Awaitility.await()
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1));
  }

  private record Listener(Subscriber subscriber, CapturingSender sender, OutgoingStream stream) {}

  private Listener listen(String id, NegotiatedRtp negotiated) {
    var subscriber = new Subscriber(id, negotiated, workers, 256, new LatencyHistogram());
    var sender = new CapturingSender();
    subscriber.setSender(sender);
    List<OutgoingStream> streams = table.addSubscriber(subscriber);
    streams.forEach(OutgoingStream::activate);
    return new Listener(subscriber, sender, streams.get(0));
  }

  /** Layers announced by SSRC (as the web client's offer does with a=ssrc), by mid. */
  private static LayerMap byMid(int[] ssrcs) {
    return LayerMap.of(
        List.of(
            new LayerMap.Entry("0", null, List.of(Integer.toUnsignedLong(ssrcs[0])), 0, 64_000),
            new LayerMap.Entry("1", null, List.of(Integer.toUnsignedLong(ssrcs[1])), 1, 32_000),
            new LayerMap.Entry("2", null, List.of(Integer.toUnsignedLong(ssrcs[2])), 2, 16_000)));
  }

  /** Layers as the web client names them, with no SSRC announced: only the mid extension says. */
  private static LayerMap byMidExtensionOnly() {
    return LayerMap.of(
        List.of(
            new LayerMap.Entry("0", null, List.of(), 0, 64_000),
            new LayerMap.Entry("1", null, List.of(), 1, 32_000),
            new LayerMap.Entry("2", null, List.of(), 2, 16_000)));
  }

  /**
   * A packet of {@code layer} carrying mid {@code layer} in its extension and, as payload, the
   * layer and its own sequence number (so what a listener got can be traced back).
   */
  private void publish(int layer, long at) {
    ByteBuffer b = ByteBuffer.allocate(12 + 4 + 4 + 8);
    b.put((byte) 0x90).put((byte) TestRtp.PUBLISHER_PT);
    b.putShort((short) sequences[layer]).putInt((int) timestamps[layer]).putInt(ssrcs[layer]);
    b.putShort((short) RtpPacket.ONE_BYTE_PROFILE).putShort((short) 1);
    b.put((byte) (TestRtp.PUBLISHER_MID_ID << 4))
        .put(String.valueOf(layer).getBytes(StandardCharsets.US_ASCII));
    b.put(new byte[2]);
    b.putInt(layer).putInt(sequences[layer]);
    byte[] buffer = new byte[1_500];
    System.arraycopy(b.array(), 0, buffer, OFFSET, b.capacity());
    assertThat(view.wrap(buffer, OFFSET, b.capacity())).isTrue();
    speaker.onRtp(view, at);
    sequences[layer] = (sequences[layer] + 1) & 0xFFFF;
    timestamps[layer] = (timestamps[layer] + FRAME) & 0xFFFF_FFFFL;
  }

  /** One 20 ms frame of every layer in {@code layers}, layer i arriving {@code i * skew} late. */
  private void frame(long at, long skew, int... layers) {
    for (int layer : layers) {
      publish(layer, at + layer * skew);
    }
  }

  private static int layerOf(TestRtp.Received packet) {
    return ByteBuffer.wrap(packet.payload()).getInt(0);
  }

  @AfterEach
  void stop() throws InterruptedException {
    table.clear();
    await().atMost(WAIT).until(() -> pool.inUse() == 0);
    log.close();
    assertThat(log.records()).isEmpty();
    workers.close();
    executor.shutdown();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void eachListenerGetsTheLayerChosenForItAndNothingElse() {
    speaker.setLayers(byMid(ssrcs));
    table.addPublisher(speaker);
    Listener good = listen("good", TestRtp.SUBSCRIBER);
    Listener poor = listen("poor", TestRtp.SUBSCRIBER);
    poor.stream().setTargetLayer(2);

    long at = 0;
    for (int i = 0; i < 50; i++, at += 20 * MS) {
      frame(at, 3 * MS, 0, 1, 2);
    }

    await().atMost(WAIT).until(() -> good.sender().count() == 50 && poor.sender().count() == 50);
    assertThat(good.sender().received()).allMatch(p -> layerOf(p) == 0);
    // The first frame went out as h (nothing else was live yet); m and l of that frame hold the
    // same audio and are not sent; from the second frame on, l.
    List<TestRtp.Received> poorGot = poor.sender().received();
    assertThat(layerOf(poorGot.get(0))).isZero();
    assertThat(poorGot.subList(1, poorGot.size())).allMatch(p -> layerOf(p) == 2);
    assertContinuous(poorGot);
    assertThat(poor.stream().receivedLayer()).isEqualTo(2);
    assertThat(good.stream().layerSwitches()).isZero();
    assertThat(speaker.dropped(Publisher.Drop.UNKNOWN_LAYER)).isZero();
  }

  @Test
  void aSwitchKeepsOneContinuousStreamWithoutRepeatingAFrame() {
    speaker.setLayers(byMid(ssrcs));
    table.addPublisher(speaker);
    Listener listener = listen("listener", TestRtp.SUBSCRIBER);

    long at = 0;
    int frames = 0;
    for (int target : new int[] {0, 1, 2, 0, 2, 1, 0}) {
      listener.stream().setTargetLayer(target);
      for (int i = 0; i < 20; i++, at += 20 * MS, frames++) {
        frame(at, 3 * MS, 0, 1, 2);
      }
    }

    int expected = frames;
    await().atMost(WAIT).until(() -> listener.sender().count() == expected);
    List<TestRtp.Received> got = listener.sender().received();
    assertContinuous(got);
    // 6 switches, each on a packet boundary: 20 frames then the next layer's.
    assertThat(listener.stream().layerSwitches()).isEqualTo(6);
    for (int block = 0; block < 7; block++) {
      int layer = new int[] {0, 1, 2, 0, 2, 1, 0}[block];
      assertThat(got.subList(block * 20 + 1, block * 20 + 20))
          .as("block %d", block)
          .allMatch(p -> layerOf(p) == layer);
    }
  }

  @Test
  void aThousandRandomSwitchesKeepSequenceContiguousAndTimestampsWholeFrames() {
    speaker.setLayers(byMidExtensionOnly());
    table.addPublisher(speaker);
    Listener listener = listen("listener", TestRtp.SUBSCRIBER);
    var random = new Random(42);

    long at = 0;
    int switches = 0;
    for (int i = 0; i < 1_000; i++) {
      int target = (listener.stream().targetLayer() + 1 + random.nextInt(2)) % 3;
      listener.stream().setTargetLayer(target);
      switches++;
      long skew = random.nextInt(19) * MS; // how late each layer's packet comes after the one above
      for (int f = 0; f < 2 + random.nextInt(4); f++, at += 20 * MS) {
        frame(at, skew, 0, 1, 2);
      }
      if (random.nextInt(10) == 0) {
        // DTX or a pause: 5..20 frames skipped, all layers (the same microphone) alike.
        int skipped = 5 + random.nextInt(16);
        at += skipped * 20 * MS;
        for (int layer = 0; layer < 3; layer++) {
          timestamps[layer] = (timestamps[layer] + (long) skipped * FRAME) & 0xFFFF_FFFFL;
        }
      }
      // Let the send queue drain, as 20 ms between frames would: this tests switching, not queues.
      await().atMost(WAIT).until(() -> pool.inUse() == 0);
    }

    assertThat(listener.subscriber().dropped(Subscriber.Drop.QUEUE_FULL)).isZero();
    assertThat(listener.subscriber().dropped(Subscriber.Drop.BEFORE_SWITCH)).isZero();
    List<TestRtp.Received> got = listener.sender().received();
    assertThat(got).hasSizeGreaterThan(2_000);
    assertContinuous(got);
    // Each target change is one switch, plus the first frame's move off h (the only live layer).
    assertThat(listener.stream().layerSwitches()).isBetween(switches * 9L / 10, switches + 1L);
    assertThat(speaker.dropped(Publisher.Drop.UNKNOWN_LAYER)).isZero();
  }

  @Test
  void aListenerWhoseLayerIsNotSentGetsTheClosestOneThatIs() {
    speaker.setLayers(byMid(ssrcs));
    table.addPublisher(speaker);
    Listener listener = listen("listener", TestRtp.SUBSCRIBER);
    listener.stream().setTargetLayer(2);

    long at = 0;
    for (int i = 0; i < 10; i++, at += 20 * MS) {
      frame(at, MS, 0); // l is paused at the publisher: only h comes
    }
    for (int i = 0; i < 10; i++, at += 20 * MS) {
      frame(at, MS, 0, 1); // m starts: closer to l than h
    }
    for (int i = 0; i < 10; i++, at += 20 * MS) {
      frame(at, MS, 0, 1, 2); // l starts
    }

    await().atMost(WAIT).until(() -> listener.sender().count() >= 28);
    List<TestRtp.Received> got = listener.sender().received();
    assertThat(got.subList(0, 10)).allMatch(p -> layerOf(p) == 0);
    assertThat(got.get(got.size() - 1)).matches(p -> layerOf(p) == 2);
    assertThat(got.stream().map(LayerForwardingTest::layerOf).distinct()).containsExactly(0, 1, 2);
    assertContinuous(got);
  }

  @Test
  void aPacketOfNoNegotiatedLayerIsCountedAndNotForwarded() {
    speaker.setLayers(byMid(ssrcs));
    table.addPublisher(speaker);
    Listener listener = listen("listener", TestRtp.SUBSCRIBER);
    int[] known = ssrcs.clone();
    ssrcs[1] = 0x4444_0000; // an SSRC nobody announced, with mid "1" ... is layer 1 by its mid
    frame(0, MS, 0, 1);
    ssrcs[1] = known[1];

    // ... while a mid that names no layer is dropped and counted.
    byte[] bytes = TestRtp.packet(0x5555_0000, 1, 1, false, 9); // mid "a1"
    byte[] buffer = new byte[1_500];
    System.arraycopy(bytes, 0, buffer, OFFSET, bytes.length);
    assertThat(view.wrap(buffer, OFFSET, bytes.length)).isTrue();
    speaker.onRtp(view, 5 * MS);

    await().atMost(WAIT).until(() -> listener.sender().count() == 1);
    assertThat(speaker.dropped(Publisher.Drop.UNKNOWN_LAYER)).isEqualTo(1);
  }

  @Test
  void aNackAfterASwitchIsAnsweredWithThePacketThatWasSentUnderThatNumber() {
    speaker.setLayers(byMid(ssrcs));
    table.addPublisher(speaker);
    Listener listener = listen("listener", TestRtp.SUBSCRIBER.withNack(true));

    long at = 0;
    for (int i = 0; i < 5; i++, at += 20 * MS) {
      frame(at, 3 * MS, 0, 1);
    }
    listener.stream().setTargetLayer(1);
    for (int i = 0; i < 5; i++, at += 20 * MS) {
      frame(at, 3 * MS, 0, 1);
    }
    // 5 frames of h; then h once more until m's first packet (same audio, not sent); 4 of m.
    await().atMost(WAIT).until(() -> listener.sender().count() == 10);
    List<TestRtp.Received> got = listener.sender().received();
    TestRtp.Received beforeSwitch = got.get(3);
    TestRtp.Received afterSwitch = got.get(7);
    assertThat(layerOf(beforeSwitch)).isZero();
    assertThat(layerOf(afterSwitch)).isOne();

    listener
        .subscriber()
        .requestResend(
            pool,
            listener.stream().ssrc(),
            new int[] {beforeSwitch.sequence(), afterSwitch.sequence()},
            2);

    await().atMost(WAIT).until(() -> listener.sender().count() == 12);
    List<TestRtp.Received> resent = listener.sender().received().subList(10, 12);
    assertThat(resent.get(0).payload()).isEqualTo(beforeSwitch.payload());
    assertThat(resent.get(1).payload()).isEqualTo(afterSwitch.payload());
    assertThat(resent.get(0).sequence()).isEqualTo(beforeSwitch.sequence());
  }

  /**
   * One SSRC; each sequence number one after the last (no gap a jitter buffer would count as loss);
   * each timestamp a positive whole number of frames after the last.
   */
  private static void assertContinuous(List<TestRtp.Received> got) {
    for (int i = 1; i < got.size(); i++) {
      TestRtp.Received previous = got.get(i - 1);
      TestRtp.Received packet = got.get(i);
      assertThat(packet.ssrc()).isEqualTo(previous.ssrc());
      assertThat(packet.sequence())
          .as("sequence after packet %d", i - 1)
          .isEqualTo((previous.sequence() + 1) & 0xFFFF);
      long step = (packet.timestamp() - previous.timestamp()) & 0xFFFF_FFFFL;
      assertThat(step).as("timestamp step after packet %d", i - 1).isPositive();
      assertThat(step % FRAME).as("timestamp step %d in whole frames", step).isZero();
      assertThat(step).as("no more than the longest pause").isLessThan(48L * 1_000);
    }
  }
}
