package io.cheenhub.sfu.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.loadgen.stats.Histogram;
import io.cheenhub.sfu.loadgen.stats.StreamStats;
import org.junit.jupiter.api.Test;

/** The load generator's per-stream accounting and delay histogram. */
class StreamStatsTest {

  private static final long MS = 1_000_000;

  @Test
  void countsLossDuplicatesAndReorderingFromStampedSequences() {
    var stream = new StreamStats();
    long[] arrivals = {10, 11, 13, 12, 12, 15, 16, 16, 19};
    for (int i = 0; i < arrivals.length; i++) {
      stream.record(arrivals[i], i * 20 * MS, i * 20 * MS + 1 * MS);
    }
    // Unique 10..16 minus 14, plus 19: 10,11,12,13,15,16,19 = 7; duplicates 12 and 16.
    assertThat(stream.received()).isEqualTo(7);
    assertThat(stream.duplicates()).isEqualTo(2);
    assertThat(stream.reordered()).isEqualTo(1); // 12 after 13
    // Expected 10..19 = 10 packets; 14, 17, 18 missing.
    assertThat(stream.lost(-1)).isEqualTo(3);
    // The sender went on to 21 while the receiver was still there: 20 and 21 were lost too.
    assertThat(stream.lost(21)).isEqualTo(5);
  }

  @Test
  void countsPacketsAndBytesPerLayerAndTheChangesOfLayerAndSsrc() {
    var stream = new StreamStats();
    int[] layers = {0, 0, 1, 2, 2, 2, 0};
    for (int i = 0; i < layers.length; i++) {
      stream.record(i, i * 20 * MS, i * 20 * MS + MS, layers[i], 40 << (2 - layers[i]), 77);
    }
    stream.record(3, 3 * 20 * MS, 200 * MS, 2, 40, 77); // a duplicate counts once
    StreamStats.Totals totals = stream.totals();
    assertThat(totals.packetsByLayer()).containsExactly(3, 1, 3);
    assertThat(totals.payloadBytesByLayer()).containsExactly(480, 80, 120);
    assertThat(totals.payloadBytes()).isEqualTo(680);
    assertThat(totals.layer()).isZero();
    assertThat(totals.layerChanges()).isEqualTo(3); // h → m → l → h
    assertThat(totals.ssrc()).isEqualTo(77);
    assertThat(totals.ssrcChanges()).isZero();
    assertThat(totals.lastArrivalNanos() - totals.firstArrivalNanos()).isEqualTo(120 * MS);
  }

  @Test
  void aStreamWithoutPacketsLosesNothingAndSteadyTransitHasNoJitter() {
    var stream = new StreamStats();
    assertThat(stream.lost(100)).isZero();
    for (int i = 0; i < 100; i++) {
      stream.record(i, i * 20 * MS, i * 20 * MS + 2 * MS);
    }
    assertThat(stream.lost(99)).isZero();
    assertThat(stream.jitterMillis()).isZero();
  }

  @Test
  void jitterFollowsRfc3550ForAlternatingTransit() {
    var stream = new StreamStats();
    for (int i = 0; i < 2_000; i++) {
      long transit = (i % 2 == 0 ? 1 : 5) * MS;
      stream.record(i, i * 20 * MS, i * 20 * MS + transit);
    }
    // |D| is always 4 ms, so J converges to 4 ms.
    assertThat(stream.jitterMillis()).isBetween(3.99, 4.01);
  }

  @Test
  void histogramPercentilesAreBucketTopsCappedAtTheMaximum() {
    var histogram = new Histogram();
    for (int micros = 1; micros <= 1_000; micros++) {
      histogram.record(micros);
    }
    histogram.record(250_000);
    assertThat(histogram.count()).isEqualTo(1_001);
    assertThat(histogram.percentileMicros(50)).isEqualTo(509); // 10 µs buckets: 500..509
    assertThat(histogram.percentileMicros(99)).isEqualTo(999);
    assertThat(histogram.percentileMicros(100)).isEqualTo(250_000);
    assertThat(histogram.maxMicros()).isEqualTo(250_000);
    var merged = histogram.copy();
    merged.add(histogram);
    assertThat(merged.count()).isEqualTo(2_002);
    merged.reset();
    assertThat(merged.count()).isZero();
    assertThat(merged.percentileMicros(50)).isZero();
  }

  @Test
  void theFloorIsReadBackFromItsOwnOutput() {
    assertThat(
            BenchmarkReport.floorMicros(
                "udp floor: 300000 datagrams of 130 bytes on loopback: sender CPU 5.62 µs per send,"
                    + " receiver CPU 2.79 µs per datagram, 297393 received"))
        .isEqualTo(5.62);
  }

  @Test
  void lossSinceTheMarkCountsOnlyTheWindow() {
    var stream = new StreamStats();
    stream.record(5, 0, MS);
    stream.record(9, 0, MS); // 6..8 lost before the window (a room switching to slots)
    stream.mark();
    stream.record(10, 0, MS);
    stream.record(12, 0, MS);
    assertThat(stream.lost(-1)).isEqualTo(4);
    assertThat(stream.receivedSinceMark()).isEqualTo(2);
    assertThat(stream.lostSinceMark(-1)).isEqualTo(1); // 11
    assertThat(stream.lostSinceMark(14)).isEqualTo(3); // and 13, 14
    var unmarked = new StreamStats();
    unmarked.mark();
    unmarked.record(3, 0, MS);
    unmarked.record(5, 0, MS);
    assertThat(unmarked.lostSinceMark(-1))
        .as("nothing before the mark: from the first")
        .isEqualTo(1);
  }
}
