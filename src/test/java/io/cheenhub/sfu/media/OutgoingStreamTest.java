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
  void aRestartedSourceContinuesTheSequenceAndAdvancesTheTimestampByTheElapsedTime() {
    send(111, 65_534, 4_294_966_000L, false, 0);
    send(111, 65_535, 4_294_966_960L, false, 20 * MS); // the last old packet, at the wrap

    var restarted = send(222, 9, 123_456, true, 20 * MS + 750 * MS);
    var next = send(222, 10, 123_456 + 960, false, 20 * MS + 770 * MS);

    assertThat(restarted.ssrc()).isEqualTo(SERVER_SSRC);
    assertThat(restarted.sequence()).isEqualTo(0); // 65 535 + 1
    assertThat(restarted.timestamp()).isEqualTo((4_294_966_960L + 750 * 48) & 0xFFFF_FFFFL);
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
    assertThat(restarted.timestamp()).isEqualTo(11_520 + 21 * 48);
  }

  @Test
  void aRestartWithNoMeasurableGapStillAdvancesTheTimestamp() {
    send(111, 1, 100, false, 5 * MS);
    var restarted = send(222, 40_000, 9, false, 5 * MS);

    assertThat(restarted.sequence()).isEqualTo(2);
    assertThat(restarted.timestamp()).isEqualTo(101);
  }
}
