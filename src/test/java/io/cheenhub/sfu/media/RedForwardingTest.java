package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.rtp.RtpPacket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RED (RFC 2198): the server sends its own RED (up to three earlier frames) to a lossy subscriber
 * that accepted RED, plain Opus to the others, whatever the publisher sent.
 */
class RedForwardingTest {

  private static final int OPUS = 111;
  private static final int RED = 63;
  private static final NegotiatedRtp CHROMIUM = NegotiatedRtp.of(OPUS, RED, Map.of());
  private static final byte[] PREVIOUS = {1, 2, 3, 4, 5};
  private static final byte[] PRIMARY = {9, 8, 7, 6, 5, 4, 3};

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final PacketWorkers workers = new PacketWorkers(executor, 2);
  private final PacketPool pool = new PacketPool(64);
  private final ForwardingTable table = new ForwardingTable("room");
  private final RtpPacket view = new RtpPacket();

  @AfterEach
  void stop() throws InterruptedException {
    workers.close();
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** A RED packet as libwebrtc sends it: one redundant block (the previous frame), then primary. */
  private static byte[] redPacket(int sequence) {
    ByteBuffer b = ByteBuffer.allocate(12 + 4 + 1 + PREVIOUS.length + PRIMARY.length);
    b.put((byte) 0x80).put((byte) RED).putShort((short) sequence).putInt(960 * sequence);
    b.putInt(0x1234);
    // RFC 2198 §3: F=1 | block PT, 14-bit timestamp offset, 10-bit block length.
    b.put((byte) (0x80 | OPUS)).putShort((short) ((960 << 2) | (PREVIOUS.length >> 8)));
    b.put((byte) PREVIOUS.length);
    b.put((byte) OPUS); // F=0: the primary's header
    b.put(PREVIOUS).put(PRIMARY);
    return b.array();
  }

  private CapturingSender subscribe(String id, NegotiatedRtp negotiated) {
    var sender = new CapturingSender();
    var subscriber = new Subscriber(id, negotiated, workers, 64, new LatencyHistogram());
    subscriber.setSender(sender);
    table.addSubscriber(subscriber);
    return sender;
  }

  @Test
  void redIsKeptWhereThePolicySaysSoAndStrippedToThePrimaryElsewhere() {
    var publisher = new Publisher("talker", CHROMIUM, pool);
    CapturingSender lossy = subscribe("lossy", CHROMIUM);
    CapturingSender clean = subscribe("clean", CHROMIUM);
    CapturingSender noRed = subscribe("firefox", NegotiatedRtp.of(OPUS, Map.of()));
    table.addPublisher(publisher);
    for (OutgoingStream stream : table.snapshot().streams()) {
      stream.activate();
      stream.setRedKept(stream.subscriber().participantId().equals("lossy"));
    }
    table.snapshot().streams().stream()
        .filter(s -> s.subscriber().participantId().equals("firefox"))
        .forEach(s -> s.setRedKept(true)); // it did not negotiate RED: stripped regardless

    byte[] bytes = redPacket(7);
    assertThat(view.wrap(bytes, 0, bytes.length)).isTrue();
    publisher.onRtp(view, System.nanoTime());

    ForwardingTest.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> lossy.count() == 1 && clean.count() == 1 && noRed.count() == 1);
    TestRtp.Received kept = lossy.received().get(0);
    assertThat(kept.payloadType()).isEqualTo(RED);
    // Only one earlier frame is known yet (the browser's redundancy): one block, then the primary.
    assertThat(kept.payload()).hasSize(4 + 1 + PREVIOUS.length + PRIMARY.length);

    // The next packet: the two earlier frames known so far, oldest first.
    bytes = redPacket(8);
    assertThat(view.wrap(bytes, 0, bytes.length)).isTrue();
    publisher.onRtp(view, System.nanoTime());
    ForwardingTest.await().atMost(Duration.ofSeconds(10)).until(() -> lossy.count() == 2);
    var red = new io.cheenhub.sfu.rtp.RedPayload();
    byte[] second = lossy.received().get(1).payload();
    assertThat(red.wrap(second, 0, second.length)).isTrue();
    assertThat(red.blockCount()).isEqualTo(3);
    assertThat(red.blockTimestampOffset(0)).isEqualTo(2 * 960);
    assertThat(red.blockTimestampOffset(1)).isEqualTo(960);
    assertThat(java.util.Arrays.copyOfRange(second, red.blockOffset(0), red.blockOffset(0) + 5))
        .containsExactly(PREVIOUS);
    assertThat(red.blockLength(1)).isEqualTo(PRIMARY.length); // the first packet's primary
    assertThat(red.primaryPayloadType()).isEqualTo(OPUS);
    for (CapturingSender stripped : new CapturingSender[] {clean, noRed}) {
      TestRtp.Received primary = stripped.received().get(0);
      assertThat(primary.payloadType()).isEqualTo(OPUS);
      assertThat(primary.payload()).containsExactly(PRIMARY);
    }
    assertThat(publisher.dropped(Publisher.Drop.UNSUPPORTED_PAYLOAD_TYPE)).isZero();
  }

  @Test
  void aPlainOpusPublisherStillGetsRedTowardALossySubscriber() {
    var firefox = new Publisher("firefox", NegotiatedRtp.of(109, Map.of()), pool);
    CapturingSender lossy = subscribe("lossy", CHROMIUM);
    table.addPublisher(firefox);
    OutgoingStream stream = table.snapshot().streams().get(0);
    stream.activate();
    stream.setRedKept(true);
    for (int sequence = 1; sequence <= 3; sequence++) {
      byte[] bytes = TestRtp.packet(0x99, sequence, 960L * sequence, false, 1);
      assertThat(view.wrap(bytes, 0, bytes.length)).isTrue();
      firefox.onRtp(view, System.nanoTime());
    }
    ForwardingTest.await().atMost(Duration.ofSeconds(10)).until(() -> lossy.count() == 3);
    var red = new io.cheenhub.sfu.rtp.RedPayload();
    byte[] third = lossy.received().get(2).payload();
    assertThat(lossy.received().get(2).payloadType()).isEqualTo(RED);
    assertThat(red.wrap(third, 0, third.length)).isTrue();
    assertThat(red.blockCount()).isEqualTo(3);
    // Block PTs are translated from Firefox's 109 to the subscriber's Opus 111.
    assertThat(red.blockPayloadType(0)).isEqualTo(OPUS);
    assertThat(red.primaryPayloadType()).isEqualTo(OPUS);
    assertThat(
            TestRtp.payloadPublisher(
                java.util.Arrays.copyOfRange(third, red.primaryOffset(), third.length)))
        .isEqualTo(1);
  }

  @Test
  void aNackedPacketIsSentAgainAsItWasAndPaddingProbesLeaveNoGap() {
    var publisher = new Publisher("talker", CHROMIUM, pool);
    CapturingSender listener = subscribe("listener", CHROMIUM.withNack(true));
    table.addPublisher(publisher);
    OutgoingStream stream = table.snapshot().streams().get(0);
    stream.activate();
    for (int sequence : new int[] {1, 3, 4}) {
      byte[] bytes = redPacket(sequence);
      assertThat(view.wrap(bytes, 0, bytes.length)).isTrue();
      publisher.onRtp(view, System.nanoTime());
      if (sequence == 1) {
        // A libwebrtc bandwidth probe: padding only, on the audio SSRC, sequence 2.
        byte[] probe = new byte[12 + 8];
        probe[0] = (byte) 0xA0; // V=2, P=1
        probe[1] = (byte) RED;
        probe[3] = 2;
        probe[probe.length - 1] = 8;
        assertThat(view.wrap(probe, 0, probe.length)).isTrue();
        publisher.onRtp(view, System.nanoTime());
      }
    }
    ForwardingTest.await().atMost(Duration.ofSeconds(10)).until(() -> listener.count() == 3);
    var sequences = listener.received().stream().map(TestRtp.Received::sequence).toList();
    assertThat(sequences.get(1)).isEqualTo((sequences.get(0) + 1) & 0xFFFF);
    assertThat(sequences.get(2)).isEqualTo((sequences.get(0) + 2) & 0xFFFF);
    assertThat(publisher.dropped(Publisher.Drop.PADDING_ONLY)).isEqualTo(1);

    Subscriber subscriber = stream.subscriber();
    subscriber.requestResend(pool, stream.ssrc(), new int[] {sequences.get(1), 9_999}, 2);
    ForwardingTest.await().atMost(Duration.ofSeconds(10)).until(() -> listener.count() == 4);
    TestRtp.Received again = listener.received().get(3);
    assertThat(again.sequence()).isEqualTo(sequences.get(1));
    assertThat(again.payload()).containsExactly(listener.received().get(1).payload());
    assertThat(subscriber.resent()).isEqualTo(1);
    assertThat(subscriber.resendMissed()).as("9999 was never sent").isEqualTo(1);
  }
}
