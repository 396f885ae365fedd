package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.rtp.RtpPacket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The rewrite alone; {@link ForwardingTest} runs it through the workers. */
class OutgoingStreamTest {

  private static final int SERVER_SSRC = 0xCAFEBABE;
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private final OutgoingStream stream = new OutgoingStream(null, null, SERVER_SSRC);
  private final RtpPacket view = new RtpPacket();

  private TestRtp.Received send(int ssrc, int sequence, long timestamp, boolean marker, long at) {
    byte[] packet = TestRtp.packet(ssrc, sequence, timestamp, marker, 0);
    view.wrap(packet, 0, packet.length);
    stream.rewrite(view, at);
    return TestRtp.Received.of(packet, 0, packet.length);
  }

  @Test
  void withinOneSourceOnlyTheSsrcChangesAndGapsAndMarkersStay() {
    var first = send(111, 1000, 50_000, true, 0);
    var second = send(111, 1001, 50_960, false, 20 * MS);
    var afterLoss = send(111, 1004, 53_840, false, 80 * MS);

    assertThat(first.ssrc()).isEqualTo(SERVER_SSRC);
    assertThat(first.sequence()).isEqualTo(1000);
    assertThat(first.timestamp()).isEqualTo(50_000);
    assertThat(first.marker()).isTrue();
    assertThat(second.marker()).isFalse();
    assertThat(second.sequence()).isEqualTo(1001);
    assertThat(afterLoss.sequence()).as("publisher loss stays visible").isEqualTo(1004);
    assertThat(afterLoss.timestamp()).isEqualTo(53_840);
  }

  @Test
  void aRestartedSourceContinuesTheSequenceAndAdvancesTheTimestampByTheElapsedTimeInWholeFrames() {
    send(111, 65_534, 4_294_966_000L, false, 0);
    send(111, 65_535, 4_294_966_960L, false, 20 * MS); // the last old packet, at the wrap

    var restarted = send(222, 9, 123_456, true, 20 * MS + 750 * MS);
    var next = send(222, 10, 123_456 + 960, false, 20 * MS + 770 * MS);

    assertThat(restarted.ssrc()).isEqualTo(SERVER_SSRC);
    assertThat(restarted.sequence()).isEqualTo(0); // 65 535 + 1
    // 750 ms are 37.5 frames of 20 ms: rounded to 38, so the jitter buffer sees whole frames.
    assertThat(restarted.timestamp()).isEqualTo((4_294_966_960L + 38 * 960) & 0xFFFF_FFFFL);
    assertThat(restarted.marker()).isTrue();
    assertThat(next.sequence()).isEqualTo(1);
    assertThat(next.timestamp()).isEqualTo((restarted.timestamp() + 960) & 0xFFFF_FFFFL);
    assertThat(stream.sourceRestarts()).isEqualTo(1);
  }

  @Test
  void aLatePacketKeepsItsPlaceWithoutMovingTheSplicePoint() {
    send(111, 500, 9_600, false, 0);
    send(111, 502, 11_520, false, 40 * MS);
    var late = send(111, 501, 10_560, false, 41 * MS);
    var restarted = send(222, 7, 7, false, 61 * MS);

    assertThat(late.sequence()).isEqualTo(501);
    assertThat(restarted.sequence()).as("after 502, not after the late 501").isEqualTo(503);
    assertThat(restarted.timestamp()).as("21 ms: one frame").isEqualTo(11_520 + 960);
  }

  @Test
  void aRestartWithNoMeasurableGapStillAdvancesTheTimestampByOneFrame() {
    send(111, 1, 100, false, 5 * MS);
    var restarted = send(222, 40_000, 9, false, 5 * MS);

    assertThat(restarted.sequence()).isEqualTo(2);
    assertThat(restarted.timestamp()).isEqualTo(100 + 960);
  }

  @Test
  void theSpliceUsesTheFrameLengthTheStreamShowed() {
    send(111, 1, 0, false, 0);
    send(111, 2, 1_920, false, 40 * MS); // 40 ms frames
    var restarted = send(222, 500, 77, false, 40 * MS + 130 * MS);

    assertThat(restarted.timestamp()).as("130 ms: three 40 ms frames").isEqualTo(1_920 + 3 * 1_920);
  }

  @Test
  void aDtxGapIsNotTakenForTheFrameLength() {
    send(111, 1, 0, false, 0);
    send(111, 2, 960, false, 20 * MS);
    send(111, 3, 960 + 400 * 48, false, 420 * MS); // DTX: 400 ms to the next packet
    var restarted = send(222, 500, 77, false, 445 * MS);

    assertThat(restarted.timestamp()).isEqualTo(960 + 400 * 48 + 960);
  }

  @Test
  void aPacketFromBeforeTheSplicePointIsRefusedNotSentUnderAUsedNumber() {
    send(111, 10, 0, false, 0);
    send(222, 500, 0, false, 20 * MS); // switch: 500 is sent as 11
    send(222, 501, 960, false, 40 * MS);
    byte[] late = TestRtp.packet(222, 499, 0, false, 0);
    view.wrap(late, 0, late.length);

    assertThat(stream.rewrite(view, 41 * MS)).isFalse();
  }

  @Test
  void aRelayStreamResumedAfterItsSpeakerHeldNoSlotContinuesWithoutAGap() {
    var relay =
        new Subscriber(
            Subscriber.RELAY_PREFIX + "b",
            TestRtp.SUBSCRIBER,
            null,
            16,
            new LatencyHistogram(),
            "b");
    var relayStream = new OutgoingStream(null, relay, SERVER_SSRC);
    byte[] packet = TestRtp.packet(111, 100, 96_000, false, 0);
    view.wrap(packet, 0, packet.length);
    relayStream.rewrite(view, 0);
    int lastSequence = view.sequenceNumber();
    long lastTimestamp = view.timestamp();

    // Twelve minutes without a slot: 36 000 packets later, past half the sequence space.
    int later = (100 + 36_000) & 0xFFFF;
    packet = TestRtp.packet(111, later, 96_000 + 36_000L * 960, false, 0);
    view.wrap(packet, 0, packet.length);
    assertThat(relayStream.rewrite(view, 720_000 * MS)).isTrue();
    assertThat(view.sequenceNumber()).as("the next number").isEqualTo(lastSequence + 1);
    assertThat(view.timestamp()).isEqualTo((lastTimestamp + 36_000L * 960) & 0xFFFF_FFFFL);
    assertThat(view.marker()).as("a new talkspurt").isTrue();

    // A short slot loss (two seconds, 100 packets ahead): spliced too, no loss shown.
    int last = view.sequenceNumber();
    packet = TestRtp.packet(111, later + 100, 96_000 + 36_100L * 960, false, 0);
    view.wrap(packet, 0, packet.length);
    assertThat(relayStream.rewrite(view, 722_000 * MS)).isTrue();
    assertThat(view.sequenceNumber()).isEqualTo((last + 1) & 0xFFFF);

    // Ordinary upstream loss (3 packets) stays visible, as on any stream.
    last = view.sequenceNumber();
    packet = TestRtp.packet(111, later + 104, 96_000 + 36_104L * 960, false, 0);
    view.wrap(packet, 0, packet.length);
    assertThat(relayStream.rewrite(view, 722_080 * MS)).isTrue();
    assertThat(view.sequenceNumber()).isEqualTo((last + 4) & 0xFFFF);
  }
}
