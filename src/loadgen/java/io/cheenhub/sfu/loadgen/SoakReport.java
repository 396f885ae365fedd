package io.cheenhub.sfu.loadgen;

import io.cheenhub.sfu.loadgen.stats.Trend;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;

/** What {@link Soak} saw: the resource series, their trends, the per-interval slices. */
record SoakReport(
    int sampleEverySeconds,
    int reportIntervalSeconds,
    List<Sample> samples,
    List<Slice> slices,
    int readErrors) {

  /**
   * How far the last quarter's floor may rise above the first quarter's and still count as flat:
   * the larger of an absolute amount and this share of the first floor.
   */
  private static final double FLAT_RELATIVE = 0.05;

  /** Heap: a few objects more (caches warming, a pool growing once) are not a leak. */
  private static final long FLAT_HEAP_BYTES = 16L << 20;

  /** Threads, descriptors, sockets: a pool thread or a log file that comes and goes. */
  private static final long FLAT_COUNT = 2;

  /** The watched series, in the order the summary prints them. */
  private static final List<String> SERIES =
      List.of("heapAfterGcBytes", "threads", "openFiles", "udpSockets");

  /** One resource reading; counters since the window's start; -1 where unknown. */
  record Sample(
      double atSeconds,
      long heapAfterGcBytes,
      long heapUsedBytes,
      long gcCount,
      long threads,
      long openFiles,
      long udpSockets,
      long packetsSent,
      long packetsReceived,
      long lost) {

    String describe() {
      return String.format(
          "[%5.0fs] heap after GC %s, threads %d, open files %d, UDP sockets %d |"
              + " sent %d, received %d, lost %d",
          atSeconds,
          megabytes(heapAfterGcBytes),
          threads,
          openFiles,
          udpSockets,
          packetsSent,
          packetsReceived,
          lost);
    }
  }

  /**
   * One report interval: the bots' packets, unique packets heard and lost (gaps behind the highest
   * stamp at the slice's edges), bot → bot delay of the packets that arrived in it, and the
   * server's forwarding latency of the packets it forwarded in it (-1 where unknown).
   */
  record Slice(
      double fromSeconds,
      double toSeconds,
      long packetsSent,
      long packetsReceived,
      long packetsForwarded,
      long heard,
      long lost,
      long delayCount,
      long delayP50Micros,
      long delayP95Micros,
      long delayP99Micros,
      long delayMaxMicros,
      long serverP50Micros,
      long serverP99Micros) {

    double lossPercent() {
      long expected = heard + lost;
      return expected <= 0 ? 0 : 100.0 * lost / expected;
    }

    String describe() {
      return String.format(
          "[%5.0fs] slice %.0f–%.0f s: sent %d, received %d, loss %.3f %% (%d), delay p50 / p95 /"
              + " p99 / max %s / %s / %s / %s ms, server p50 / p99 %s / %s ms",
          toSeconds,
          fromSeconds,
          toSeconds,
          packetsSent,
          packetsReceived,
          lossPercent(),
          lost,
          ms(delayP50Micros),
          ms(delayP95Micros),
          ms(delayP99Micros),
          ms(delayMaxMicros),
          ms(serverP50Micros),
          ms(serverP99Micros));
    }
  }

  /** The watched series and whether each stayed flat; a series without two readings is left out. */
  Map<String, Trend> trends() {
    var trends = new LinkedHashMap<String, Trend>();
    trend(this::heapAfterGcInWindow, FLAT_HEAP_BYTES)
        .ifPresent(t -> trends.put("heapAfterGcBytes", t));
    trend(Sample::threads, FLAT_COUNT).ifPresent(t -> trends.put("threads", t));
    trend(Sample::openFiles, FLAT_COUNT).ifPresent(t -> trends.put("openFiles", t));
    trend(Sample::udpSockets, FLAT_COUNT).ifPresent(t -> trends.put("udpSockets", t));
    return trends;
  }

  /**
   * Heap after GC once a collection happened in the window; before that the gauge still holds the
   * collection before the window, for a soak the full GC that measured the live heap, which a young
   * collection's reading (old-generation garbage included) cannot be compared with.
   */
  private long heapAfterGcInWindow(Sample sample) {
    long gcAtStart = samples.get(0).gcCount();
    return gcAtStart >= 0 && sample.gcCount() <= gcAtStart ? -1 : sample.heapAfterGcBytes();
  }

  private Optional<Trend> trend(ToLongFunction<Sample> series, long absoluteTolerance) {
    double[] seconds = new double[samples.size()];
    long[] values = new long[samples.size()];
    for (int i = 0; i < samples.size(); i++) {
      seconds[i] = samples.get(i).atSeconds();
      values[i] = series.applyAsLong(samples.get(i));
    }
    return Trend.of(seconds, values, absoluteTolerance, FLAT_RELATIVE);
  }

  /** Every watched series stayed flat (true when nothing was sampled). */
  boolean flat() {
    return trends().values().stream().allMatch(Trend::flat);
  }

  void print(PrintStream out) {
    if (sampleEverySeconds > 0) {
      out.printf(
          "  %-42s %d, every %d s (the series: --json)%s%n",
          "soak samples",
          samples.size(),
          sampleEverySeconds,
          readErrors == 0 ? "" : "; " + readErrors + " readings failed");
      out.printf(
          "  %-42s %s%n",
          "  resource", "first → last, max; floor first → last quarter; slope per hour, verdict");
      Map<String, Trend> trends = trends();
      for (String name : SERIES) {
        Trend t = trends.get(name);
        boolean bytes = name.equals("heapAfterGcBytes");
        if (t == null) {
          out.printf(
              "  %-42s n/a%s%n",
              "  " + label(name),
              bytes ? ": no collection in the window" : ": no reading (server not on this host)");
          continue;
        }
        out.printf(
            "  %-42s %s → %s, max %s; floor %s → %s; %s/h, %s%n",
            "  " + label(name),
            amount(t.first(), bytes),
            amount(t.last(), bytes),
            amount(t.max(), bytes),
            amount(t.firstQuarterFloor(), bytes),
            amount(t.lastQuarterFloor(), bytes),
            bytes
                ? String.format("%+.1f MB", t.slopePerHour() / (1 << 20))
                : String.format("%+.1f", t.slopePerHour()),
            t.flat() ? "flat" : "RISING");
      }
    }
    if (reportIntervalSeconds > 0) {
      out.printf("  loss and latency per %d s%n", reportIntervalSeconds);
      out.printf(
          SLICE_ROW,
          "slice",
          "sent",
          "received",
          "forwarded",
          "loss",
          "delay p50 / p95 / p99 / max ms",
          "server p50 / p99 ms");
      for (Slice s : slices) {
        out.printf(
            SLICE_ROW,
            String.format("%.0f–%.0f s", s.fromSeconds(), s.toSeconds()),
            s.packetsSent(),
            s.packetsReceived(),
            s.packetsForwarded() < 0 ? "n/a" : Long.toString(s.packetsForwarded()),
            String.format("%.3f %% (%d)", s.lossPercent(), s.lost()),
            ms(s.delayP50Micros())
                + " / "
                + ms(s.delayP95Micros())
                + " / "
                + ms(s.delayP99Micros())
                + " / "
                + ms(s.delayMaxMicros()),
            ms(s.serverP50Micros()) + " / " + ms(s.serverP99Micros()));
      }
    }
  }

  private static final String SLICE_ROW = "    %-14s %9s %9s %9s %15s  %-32s %s%n";

  private static String label(String name) {
    return switch (name) {
      case "heapAfterGcBytes" -> "heap after GC";
      case "openFiles" -> "open files";
      case "udpSockets" -> "UDP sockets";
      default -> name;
    };
  }

  private static String amount(long value, boolean bytes) {
    return bytes ? megabytes(value) : Long.toString(value);
  }

  private static String megabytes(long bytes) {
    return bytes < 0 ? "n/a" : String.format("%.1f MB", bytes / (double) (1 << 20));
  }

  private static String ms(long micros) {
    return micros < 0 ? "n/a" : String.format("%.2f", micros / 1000.0);
  }

  JsonObject toJson() {
    JsonArrayBuilder sampleJson = Json.createArrayBuilder();
    for (Sample s : samples) {
      sampleJson.add(
          Json.createObjectBuilder()
              .add("atSeconds", s.atSeconds())
              .add("heapAfterGcBytes", s.heapAfterGcBytes())
              .add("heapUsedBytes", s.heapUsedBytes())
              .add("gcCount", s.gcCount())
              .add("threads", s.threads())
              .add("openFiles", s.openFiles())
              .add("udpSockets", s.udpSockets())
              .add("packetsSent", s.packetsSent())
              .add("packetsReceived", s.packetsReceived())
              .add("lost", s.lost()));
    }
    JsonObjectBuilder trendJson = Json.createObjectBuilder();
    trends()
        .forEach(
            (name, t) ->
                trendJson.add(
                    name,
                    Json.createObjectBuilder()
                        .add("first", t.first())
                        .add("last", t.last())
                        .add("min", t.min())
                        .add("max", t.max())
                        .add("floorFirstQuarter", t.firstQuarterFloor())
                        .add("floorLastQuarter", t.lastQuarterFloor())
                        .add("slopePerHour", t.slopePerHour())
                        .add("flat", t.flat())));
    JsonArrayBuilder sliceJson = Json.createArrayBuilder();
    for (Slice s : slices) {
      sliceJson.add(
          Json.createObjectBuilder()
              .add("fromSeconds", s.fromSeconds())
              .add("toSeconds", s.toSeconds())
              .add("packetsSent", s.packetsSent())
              .add("packetsReceived", s.packetsReceived())
              .add("packetsForwarded", s.packetsForwarded())
              .add("heard", s.heard())
              .add("lost", s.lost())
              .add("lossPercent", s.lossPercent())
              .add(
                  "delayMicros",
                  Json.createObjectBuilder()
                      .add("count", s.delayCount())
                      .add("p50", s.delayP50Micros())
                      .add("p95", s.delayP95Micros())
                      .add("p99", s.delayP99Micros())
                      .add("max", s.delayMaxMicros()))
              .add(
                  "serverLatencyMicros",
                  Json.createObjectBuilder()
                      .add("p50", s.serverP50Micros())
                      .add("p99", s.serverP99Micros())));
    }
    return Json.createObjectBuilder()
        .add("sampleEverySeconds", sampleEverySeconds)
        .add("reportIntervalSeconds", reportIntervalSeconds)
        .add("readErrors", readErrors)
        .add("flat", flat())
        .add("trends", trendJson)
        .add("samples", sampleJson)
        .add("slices", sliceJson)
        .build();
  }
}
