package io.cheenhub.sfu.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.transport.TransportCounters.Drop;
import io.cheenhub.sfu.transport.TransportCounters.Series;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransportCountersTest {

  private final TransportCounters counters = new TransportCounters();

  /** One publication, keyed "SERIES" or "SERIES/label". */
  private Map<String, Long> publish() {
    Map<String, Long> deltas = new HashMap<>();
    counters.publish(
        (series, label, delta) ->
            deltas.merge(label == null ? series.name() : series + "/" + label, delta, Long::sum));
    return deltas;
  }

  @Test
  void publishHandsOverEverySeriesAndEveryDropReason() {
    Map<String, Long> deltas = publish();

    assertThat(deltas).hasSize(Series.values().length - 1 + Drop.values().length);
    assertThat(deltas.values()).containsOnly(0L);
    assertThat(deltas).containsKeys("DROPS/auth", "DROPS/queue-full", "DROPS/ssrc-limit");
  }

  @Test
  void publishGivesTheGrowthSinceTheLastPublication() {
    counters.rtpPacketsDecrypted = 10;
    counters.rtcpPacketsDecrypted = 2;
    counters.bytesReceived = 1_000;
    counters.packetsSent = 7;
    counters.bytesSent = 700;
    counters.drop(Drop.REPLAY);
    counters.drop(Drop.REPLAY);
    assertThat(publish())
        .containsEntry("RTP_PACKETS_RECEIVED", 10L)
        .containsEntry("RTCP_PACKETS_RECEIVED", 2L)
        .containsEntry("BYTES_RECEIVED", 1_000L)
        .containsEntry("PACKETS_SENT", 7L)
        .containsEntry("BYTES_SENT", 700L)
        .containsEntry("DROPS/replay", 2L)
        .containsEntry("DROPS/auth", 0L);

    counters.rtpPacketsDecrypted = 15;
    counters.bytesSent = 900;
    counters.drop(Drop.AUTH);
    assertThat(publish())
        .containsEntry("RTP_PACKETS_RECEIVED", 5L)
        .containsEntry("RTCP_PACKETS_RECEIVED", 0L)
        .containsEntry("BYTES_SENT", 200L)
        .containsEntry("DROPS/replay", 0L)
        .containsEntry("DROPS/auth", 1L);
  }

  @Test
  void readersSeeTheTotalsNotTheDeltas() {
    counters.datagramsReceived = 3;
    counters.bytesReceived = 300;
    counters.rtpPacketsDecrypted = 2;
    counters.rtcpPacketsDecrypted = 1;
    counters.packetsSent = 4;
    counters.bytesSent = 400;
    counters.drop(Drop.MALFORMED);
    publish();

    assertThat(counters.datagramsReceived()).isEqualTo(3);
    assertThat(counters.bytesReceived()).isEqualTo(300);
    assertThat(counters.rtpPacketsDecrypted()).isEqualTo(2);
    assertThat(counters.rtcpPacketsDecrypted()).isEqualTo(1);
    assertThat(counters.packetsSent()).isEqualTo(4);
    assertThat(counters.bytesSent()).isEqualTo(400);
    assertThat(counters.drops(Drop.MALFORMED)).isEqualTo(1);
    assertThat(counters.drops(Drop.NO_KEYS)).isZero();
  }

  @Test
  void payloadTypesAreCountedBySevenBitValue() {
    counters.countPayloadType(111);
    counters.countPayloadType(111);
    // The marker bit shares the byte with the payload type (RFC 3550 §5.1); only 7 bits count.
    counters.countPayloadType(0x80 | 63);

    assertThat(counters.payloadType(111)).isEqualTo(2);
    assertThat(counters.payloadType(63)).isEqualTo(1);
    assertThat(counters.payloadType(0)).isZero();
  }

  @Test
  void dropWireValuesAreTheMetricLabels() {
    assertThat(Drop.NO_KEYS.wireValue()).isEqualTo("no-keys");
    assertThat(Drop.UNKNOWN_PROTOCOL.wireValue()).isEqualTo("unknown-protocol");
  }
}
