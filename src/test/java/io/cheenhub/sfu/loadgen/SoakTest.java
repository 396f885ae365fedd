package io.cheenhub.sfu.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.loadgen.bot.Bot;
import io.cheenhub.sfu.loadgen.server.ServerProbe;
import io.cheenhub.sfu.loadgen.stats.Histogram;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A long run's resource samples, per-interval slices and their report. */
class SoakTest {

  @Test
  void edgesFallOnEverySampleAndSliceBoundaryInsideTheWindow() {
    assertThat(Soak.edges(180, 30, 60))
        .containsExactly(
            new Soak.Edge(30, true, false),
            new Soak.Edge(60, true, true),
            new Soak.Edge(90, true, false),
            new Soak.Edge(120, true, true),
            new Soak.Edge(150, true, false)); // 180 is the window's end: finish() reads it
    assertThat(Soak.edges(3600, 60, 600)).hasSize(59).filteredOn(Soak.Edge::sliceEnd).hasSize(5);
    assertThat(Soak.edges(100, 0, 0)).isEmpty();
    assertThat(Soak.edges(100, 0, 40))
        .containsExactly(new Soak.Edge(40, false, true), new Soak.Edge(80, false, true));
  }

  @Test
  void optionsTurnTheSoakOnForLongWindowsOrWhenAskedFor() {
    Options hour = Options.parse(new String[] {"--duration", "3600"});
    assertThat(hour.soakSampleSeconds()).isEqualTo(60);
    assertThat(hour.reportIntervalSeconds()).isEqualTo(600);
    assertThat(Soak.wanted(hour)).isTrue();
    Options minute = Options.parse(new String[] {"--duration", "60"});
    assertThat(minute.soakSampleSeconds()).isZero();
    assertThat(minute.reportIntervalSeconds()).isZero();
    assertThat(Soak.wanted(minute)).isFalse();
    Options asked =
        Options.parse(
            new String[] {"--duration", "180", "--soak-sample", "30", "--report-interval", "60"});
    assertThat(asked.soakSampleSeconds()).isEqualTo(30);
    assertThat(asked.reportIntervalSeconds()).isEqualTo(60);
    Options off =
        Options.parse(
            new String[] {"--duration", "3600", "--soak-sample", "0", "--report-interval", "0"});
    assertThat(Soak.wanted(off)).isFalse();
    assertThatThrownBy(() -> Options.parse(new String[] {"--soak-sample", "-1"}))
        .hasMessageContaining("--soak-sample");
  }

  /**
   * Two seconds with a sample and a slice every second against a fake server and fake bots: each
   * reading sees the counters of its moment, each slice the differences from the previous edge.
   */
  @Test
  void slicesCarryTheirOwnLossDelayAndServerLatency() throws Exception {
    var probe = new FakeProbe();
    var bots = new FakeBots();
    Options options =
        Options.parse(
            new String[] {
              "--duration", "2", "--soak-sample", "1", "--report-interval", "1", "--quiet"
            });
    var soak = new Soak(probe, bots, options);
    ServerProbe.Sample start = probe.sample();
    soak.start(start);
    Thread.sleep(2_500); // the edge at 1 s has 1.5 s to run on a loaded machine
    SoakReport report = soak.finish(probe.sample());

    // Readings at 0, 1 and the end; slices 0–1 and 1–end.
    assertThat(report.samples()).hasSize(3);
    assertThat(report.slices()).hasSize(2);
    assertThat(report.readErrors()).isZero();
    SoakReport.Sample first = report.samples().get(0);
    assertThat(first.atSeconds()).isZero();
    assertThat(first.packetsSent()).isZero();
    assertThat(first.lost()).isZero();
    assertThat(first.threads()).isEqualTo(100);
    SoakReport.Sample last = report.samples().get(2);
    // The fake bots gain 50 sent, 200 received, 1 lost per reading.
    assertThat(last.packetsSent()).isEqualTo(100);
    assertThat(last.lost()).isEqualTo(2);

    SoakReport.Slice one = report.slices().get(0);
    assertThat(one.fromSeconds()).isZero();
    assertThat(one.toSeconds()).isBetween(1.0, 2.5);
    assertThat(one.packetsSent()).isEqualTo(50);
    assertThat(one.packetsReceived()).isEqualTo(200);
    assertThat(one.heard()).isEqualTo(199);
    assertThat(one.lost()).isEqualTo(1);
    assertThat(one.lossPercent()).isEqualTo(0.5);
    // The fake bots record (slice number) ms of delay, 100 packets per slice.
    assertThat(one.delayCount()).isEqualTo(100);
    assertThat(one.delayMaxMicros()).isEqualTo(1_000);
    // The fake server forwards 1000 packets per sample, 980 at ≤ 200 µs, 20 at ≤ 5 ms.
    assertThat(one.packetsForwarded()).isEqualTo(1_000);
    assertThat(one.serverP50Micros()).isEqualTo(200);
    assertThat(one.serverP99Micros()).isEqualTo(5_000);
    SoakReport.Slice two = report.slices().get(1);
    assertThat(two.fromSeconds()).isEqualTo(one.toSeconds());
    assertThat(two.delayMaxMicros()).isEqualTo(2_000);
    assertThat(two.lost()).isEqualTo(1);
    // The end reading was the one the run passed in: one server sample more than the edges took.
    assertThat(two.packetsForwarded()).isEqualTo(1_000);
  }

  @Test
  void reportPrintsTheTrendsAndSlicesAndJsonCarriesTheSeries() {
    // The first two readings still show the full GC before the window (GC count 5): left out of
    // the heap's trend, whose floor would otherwise climb from 90 to 200 MB with no leak at all.
    var samples =
        List.of(
            sample(0, 5, 90, 150, 400, 2),
            sample(30, 5, 90, 150, 401, 2),
            sample(60, 6, 200, 150, 400, 2),
            sample(90, 7, 230, 151, 400, 2),
            sample(120, 8, 201, 170, 400, 2),
            sample(150, 9, 210, 170, 400, 2));
    var slices =
        List.of(
            new SoakReport.Slice(
                0, 60, 3000, 147000, 147000, 147000, 0, 147000, 1330, 2660, 5040, 58190, 580,
                1980));
    var report = new SoakReport(30, 60, samples, slices, 0);

    assertThat(report.trends())
        .containsOnlyKeys("heapAfterGcBytes", "threads", "openFiles", "udpSockets");
    assertThat(report.trends().get("heapAfterGcBytes").flat()).isTrue(); // floor 200 → 210 MB
    assertThat(report.trends().get("heapAfterGcBytes").first()).isEqualTo(200L << 20);
    assertThat(report.trends().get("threads").flat()).isFalse(); // floor 150 → 170
    assertThat(report.flat()).isFalse();

    var text = new ByteArrayOutputStream();
    report.print(new PrintStream(text, true, StandardCharsets.UTF_8));
    String printed = text.toString(StandardCharsets.UTF_8);
    assertThat(printed)
        .contains("soak samples                               6, every 30 s")
        .contains("heap after GC")
        .contains("200.0 MB → 210.0 MB, max 230.0 MB")
        .contains("threads")
        .contains("150 → 170, max 170; floor 150 → 170")
        .contains("RISING")
        .contains("0–60 s")
        .contains("0.000 % (0)")
        .contains("1.33 / 2.66 / 5.04 / 58.19")
        .contains("0.58 / 1.98")
        .contains("loss and latency per 60 s");

    JsonObject json = report.toJson();
    assertThat(json.getJsonArray("samples")).hasSize(6);
    assertThat(json.getJsonArray("slices")).hasSize(1);
    assertThat(json.getBoolean("flat")).isFalse();
    assertThat(json.getJsonObject("trends").getJsonObject("threads").getInt("floorLastQuarter"))
        .isEqualTo(170);
  }

  @Test
  void withoutACollectionInTheWindowTheHeapHasNoTrend() {
    var samples = List.of(sample(0, 5, 90, 150, 400, 2), sample(60, 5, 90, 150, 400, 2));
    var report = new SoakReport(60, 0, samples, List.of(), 0);
    assertThat(report.trends()).doesNotContainKey("heapAfterGcBytes").containsKey("threads");
    var text = new ByteArrayOutputStream();
    report.print(new PrintStream(text, true, StandardCharsets.UTF_8));
    assertThat(text.toString(StandardCharsets.UTF_8))
        .contains("heap after GC")
        .contains("n/a: no collection in the window")
        .doesNotContain("loss and latency");
  }

  private static SoakReport.Sample sample(
      double at, long gcCount, long heapMegabytes, long threads, long openFiles, long udpSockets) {
    return new SoakReport.Sample(
        at, heapMegabytes << 20, -1, gcCount, threads, openFiles, udpSockets, 0, 0, 0);
  }

  /** A server that forwards 1000 packets between two full samples, 2 % of them slowly. */
  private static final class FakeProbe implements ServerProbe {
    private final AtomicInteger samples = new AtomicInteger();

    @Override
    public String describe() {
      return "fake";
    }

    @Override
    public Sample sample() {
      long n = samples.getAndIncrement();
      Map<Long, Long> buckets = new TreeMap<>(Map.of(200L, 980 * n, 5_000L, 20 * n));
      return new Sample(
          System.nanoTime(), -1, -1, -1, -1, -1, 1_000 * n, 0, Map.of(), buckets, Map.of());
    }

    @Override
    public Resources resources() {
      return new Resources(64L << 20, 128L << 20, 3, 100, 300, 1);
    }

    @Override
    public double cpuSeconds() {
      return -1;
    }
  }

  /** Bots that gain a fixed amount between readings and delay slice k's packets by k ms. */
  private static final class FakeBots implements Soak.Bots {
    private final AtomicInteger readings = new AtomicInteger();
    private final AtomicInteger slice = new AtomicInteger();

    @Override
    public long sent() {
      return 1_000 + 50L * readings.get();
    }

    @Override
    public long received() {
      return 5_000 + 200L * readings.get();
    }

    @Override
    public Bot.Heard heardSoFar() {
      long n = readings.incrementAndGet();
      return new Bot.Heard(4_000 + 199 * n, 7 + n);
    }

    @Override
    public Histogram takeSliceDelays() {
      var delays = new Histogram();
      long micros = 1_000L * slice.incrementAndGet();
      for (int i = 0; i < 100; i++) {
        delays.record(micros);
      }
      return delays;
    }
  }
}
