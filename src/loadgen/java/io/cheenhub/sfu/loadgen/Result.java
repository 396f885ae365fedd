package io.cheenhub.sfu.loadgen;

import io.cheenhub.sfu.loadgen.server.ServerProbe;
import io.cheenhub.sfu.loadgen.stats.BucketDeltas;
import io.cheenhub.sfu.loadgen.stats.LayerSummary;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.stream.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What a run measured, as the summary table and as JSON for automation. */
final class Result {

  Options options;
  String server;
  double windowSeconds;
  int connected;
  int failed;
  int failedToStart;
  Map<String, Integer> failures = Map.of();
  int churnCycles;
  long connectP50Millis;
  long connectP95Millis;
  long connectMaxMillis;
  long packetsSent;
  long packetsReceived;
  long streams;
  long streamsMissing;
  long uniqueReceived;
  long lost;
  long duplicates;
  long reordered;
  double jitterMaxMillis;
  double jitterSumMillis;
  final LayerSummary layers = new LayerSummary();
  long echoes;
  long unstamped;
  long decryptFailures;
  long delayCount;
  long delayP50Micros;
  long delayP95Micros;
  long delayP99Micros;
  long delayMaxMicros;
  ServerProbe.Sample serverIdle;
  ServerProbe.Sample serverBefore;
  ServerProbe.Sample serverAfter;
  List<Long> heapSamples = List.of();
  long transportsLeftAfterLeave;
  long liveHeapBefore = -1;
  long liveHeapAfter = -1;
  long liveHeapIdle = -1;

  /** Bots told of speaker slots; of them, how many got re-offers after slotting, and how many. */
  long slottedBots;

  long botsReoffered;
  long offersAfterSlots;

  /** Talker streams left out of the loss: the talker lost its slot for that listener. */
  long streamsSlotDropped;

  /** Count and sample listeners: packets and SSRC sequence gaps in the window. */
  long headerCountedBots;

  long headerReceived;
  long headerLost;

  /** SRTP bytes every bot's subscribe PeerConnection received in the window (headers included). */
  long receivedBytesInWindow;

  /** The load generator's own CPU over the window (every bot, signaling, probes), s. */
  double loadgenCpuSeconds = -1;

  /** The host's load average (1, 5, 15 min) at the window's end, as /proc/loadavg gives it. */
  String loadAverage = "n/a";

  /** The soak's series and slices; null when neither was asked for. */
  SoakReport soak;

  /** Loss over the stamps of full listeners and the SSRC gaps of count and sample listeners. */
  double lossPercent() {
    long expected = uniqueReceived + lost + headerReceived + headerLost;
    return expected == 0 ? 0 : 100.0 * (lost + headerLost) / expected;
  }

  int participants() {
    return options.rooms() * options.participants();
  }

  /** Server CPU over the window in % of one core. */
  double cpuPercent() {
    return cpuSeconds() < 0 ? -1 : 100 * cpuSeconds() / windowSeconds;
  }

  /** What the server sent each participant, kbit/s (SRTP bytes the bots received). */
  double kbpsOutPerParticipant() {
    return receivedBytesInWindow * 8 / windowSeconds / 1000 / participants();
  }

  /** Growth of the server's live heap from empty to the window's end per participant, KB. */
  double liveHeapKbPerParticipant() {
    return liveHeapIdle < 0 || liveHeapAfter < 0
        ? -1
        : (liveHeapAfter - liveHeapIdle) / 1024.0 / participants();
  }

  /** Growth of the server's RSS from empty to the window's end per participant, KB. */
  double rssKbPerParticipant() {
    return serverIdle == null || serverIdle.residentBytes() < 0 || serverAfter.residentBytes() < 0
        ? -1
        : (serverAfter.residentBytes() - serverIdle.residentBytes()) / 1024.0 / participants();
  }

  long forwarded() {
    return serverAfter.packetsForwarded() - serverBefore.packetsForwarded();
  }

  double cpuSeconds() {
    return serverAfter.cpuSeconds() < 0 ? -1 : serverAfter.cpuSeconds() - serverBefore.cpuSeconds();
  }

  /** Server CPU per forwarded packet in µs (the process's whole CPU, divided). */
  double cpuMicrosPerForwarded() {
    long forwarded = forwarded();
    return cpuSeconds() < 0 || forwarded <= 0 ? -1 : cpuSeconds() * 1e6 / forwarded;
  }

  /** CPU µs per forwarded packet by thread group over the window (empty if unknown). */
  Map<String, Double> cpuMicrosPerForwardedByThreads() {
    var perGroup = new java.util.LinkedHashMap<String, Double>();
    long forwarded = forwarded();
    if (forwarded <= 0) {
      return perGroup;
    }
    serverAfter
        .cpuByThreads()
        .forEach(
            (group, seconds) ->
                perGroup.put(
                    group.name().toLowerCase(java.util.Locale.ROOT),
                    (seconds - serverBefore.cpuByThreads().getOrDefault(group, 0.0))
                        * 1e6
                        / forwarded));
    return perGroup;
  }

  /** The server's own forwarding latency over the window, from its histogram's bucket deltas. */
  long serverLatencyMicros(double percentile) {
    return BucketDeltas.percentile(
        serverBefore.latencyBuckets(), serverAfter.latencyBuckets(), percentile);
  }

  long heapMin(int fromPercent, int toPercent) {
    if (heapSamples.isEmpty()) {
      return -1;
    }
    int from = heapSamples.size() * fromPercent / 100;
    int to = Math.max(from + 1, heapSamples.size() * toPercent / 100);
    return heapSamples.subList(from, Math.min(to, heapSamples.size())).stream()
        .mapToLong(Long::longValue)
        .min()
        .orElse(-1);
  }

  void print(PrintStream out) {
    out.println();
    out.printf(
        "%s, profile %s, %d room(s) x %d participants (%d talking), window %.1f s%n",
        server,
        options.profile().name().toLowerCase(java.util.Locale.ROOT),
        options.rooms(),
        options.participants(),
        options.talkers(),
        windowSeconds);
    row(out, "participants connected / failed", connected + " / " + (failed + failedToStart));
    failures.forEach((reason, count) -> row(out, "  failed: " + reason, Integer.toString(count)));
    if (options.profile() == Options.Profile.CHURN) {
      row(out, "churn cycles (leave + join)", Integer.toString(churnCycles));
    }
    row(
        out,
        "connect time p50 / p95 / max",
        connectP50Millis + " / " + connectP95Millis + " / " + connectMaxMillis + " ms");
    row(out, "packets sent (window)", Long.toString(packetsSent));
    row(out, "packets forwarded by server (window)", Long.toString(forwarded()));
    row(out, "packets received (window)", Long.toString(packetsReceived));
    row(out, "streams heard / missing", streams + " / " + streamsMissing);
    row(
        out,
        "loss",
        String.format("%.3f %% (%d of %d)", lossPercent(), lost, uniqueReceived + lost));
    if (headerCountedBots > 0) {
      row(
          out,
          "  of which SSRC gaps (" + headerCountedBots + " count/sample bots)",
          headerLost + " of " + (headerReceived + headerLost));
    }
    row(out, "duplicates / reordered", duplicates + " / " + reordered);
    if (slottedBots > 0) {
      row(
          out,
          "bots on slots / re-offered after slotting",
          slottedBots + " / " + botsReoffered + " (" + offersAfterSlots + " offers)");
      row(out, "streams left out (slot lost in window)", Long.toString(streamsSlotDropped));
    }
    row(
        out,
        "load generator CPU (window)",
        String.format(
            "%.1f %% of one core, %.3f %% per bot, %.2f µs per packet received",
            100 * loadgenCpuSeconds / windowSeconds,
            100 * loadgenCpuSeconds / windowSeconds / participants(),
            packetsReceived == 0 ? 0 : loadgenCpuSeconds * 1e6 / packetsReceived));
    row(
        out,
        "server out per participant",
        String.format("%.1f kbit/s (SRTP received by the bots)", kbpsOutPerParticipant()));
    if (options.layers()) {
      row(
          out,
          "streams received on layer h / m / l",
          layers.streamsEndingOn(0)
              + " / "
              + layers.streamsEndingOn(1)
              + " / "
              + layers.streamsEndingOn(2));
      row(
          out,
          "payload per packet h / m / l",
          bytes(layers.meanPayloadBytes(0))
              + " / "
              + bytes(layers.meanPayloadBytes(1))
              + " / "
              + bytes(layers.meanPayloadBytes(2))
              + " bytes");
      row(
          out,
          "layer changes / SSRC changes heard",
          layers.layerChanges() + " / " + layers.ssrcChanges());
    }
    row(
        out,
        "payload bitrate per stream (mean)",
        String.format("%.1f kbit/s", layers.meanStreamKbps()));
    row(
        out,
        "jitter mean / max",
        String.format(
            "%.2f / %.2f ms", streams == 0 ? 0 : jitterSumMillis / streams, jitterMaxMillis));
    row(
        out,
        "delay bot→bot p50 / p95 / p99 / max",
        ms(delayP50Micros)
            + " / "
            + ms(delayP95Micros)
            + " / "
            + ms(delayP99Micros)
            + " / "
            + ms(delayMaxMicros)
            + " ms");
    if (!serverAfter.latencyBuckets().isEmpty()) {
      row(
          out,
          "server latency p50 / p95 / p99",
          ms(serverLatencyMicros(50))
              + " / "
              + ms(serverLatencyMicros(95))
              + " / "
              + ms(serverLatencyMicros(99))
              + " ms");
    }
    if (cpuSeconds() >= 0) {
      row(
          out,
          "server CPU",
          String.format(
              "%.2f s (%.1f %% of one core, %.3f %% per participant)",
              cpuSeconds(), cpuPercent(), cpuPercent() / participants()));
      row(
          out,
          "server CPU per forwarded packet",
          String.format("%.2f µs", cpuMicrosPerForwarded()));
      cpuMicrosPerForwardedByThreads()
          .forEach(
              (group, micros) ->
                  row(out, "  of which " + group + " threads", String.format("%.2f µs", micros)));
    }
    if (serverAfter.heapUsedBytes() >= 0) {
      row(
          out,
          "server heap before / after",
          (serverBefore.heapUsedBytes() >> 20)
              + " / "
              + (serverAfter.heapUsedBytes() >> 20)
              + " MB");
      row(
          out,
          "server heap floor first / last quarter",
          (heapMin(0, 25) >> 20) + " / " + (heapMin(75, 100) >> 20) + " MB");
      row(
          out,
          "server GCs / GC time (window)",
          (serverAfter.gcCount() - serverBefore.gcCount())
              + String.format(" / %.3f s", serverAfter.gcSeconds() - serverBefore.gcSeconds()));
    }
    if (serverAfter.residentBytes() >= 0) {
      row(
          out,
          "server RSS (empty / window end)",
          String.format(
              "%d / %d MB, %.0f KB per participant",
              serverIdle.residentBytes() >> 20,
              serverAfter.residentBytes() >> 20,
              rssKbPerParticipant()));
    }
    if (liveHeapBefore >= 0) {
      row(
          out,
          "live heap after full GC: before / after",
          (liveHeapBefore >> 20) + " MB / " + (liveHeapAfter >> 20) + " MB");
    }
    if (liveHeapIdle >= 0 && liveHeapAfter >= 0) {
      row(
          out,
          "live heap empty / window end",
          String.format(
              "%d / %d MB, %.0f KB per participant",
              liveHeapIdle >> 20, liveHeapAfter >> 20, liveHeapKbPerParticipant()));
    }
    row(out, "server drops (window)", serverAfter.dropsSince(serverBefore).toString());
    row(
        out,
        "echoes / unstamped / decrypt failures",
        echoes + " / " + unstamped + " / " + decryptFailures);
    row(
        out,
        "transports left after leave",
        transportsLeftAfterLeave < 0 ? "n/a" : Long.toString(transportsLeftAfterLeave));
    if (soak != null) {
      soak.print(out);
    }
  }

  private static void row(PrintStream out, String name, String value) {
    out.printf("  %-42s %s%n", name, value);
  }

  private static String bytes(double mean) {
    return Double.isNaN(mean) ? "-" : String.format("%.0f", mean);
  }

  private static String ms(long micros) {
    return micros < 0 ? "n/a" : String.format("%.2f", micros / 1000.0);
  }

  JsonObject toJson() {
    JsonObjectBuilder failuresJson = Json.createObjectBuilder();
    failures.forEach(failuresJson::add);
    JsonObjectBuilder drops = Json.createObjectBuilder();
    serverAfter.dropsSince(serverBefore).forEach(drops::add);
    JsonObjectBuilder json =
        Json.createObjectBuilder()
            .add("server", server)
            .add(
                "options",
                Json.createObjectBuilder()
                    .add("target", options.target().name().toLowerCase(java.util.Locale.ROOT))
                    .add("profile", options.profile().name().toLowerCase(java.util.Locale.ROOT))
                    .add("rooms", options.rooms())
                    .add("participants", options.participants())
                    .add("talkers", options.talkers())
                    .add("durationSeconds", options.durationSeconds())
                    .add("rampRate", options.rampRate())
                    .add("spike", options.spike())
                    .add("churnRate", options.churnRate())
                    .add("botThreads", options.botThreads())
                    .add("layers", options.layers())
                    .add("bitrateBps", options.bitrateBps())
                    .add("receiverReportMillis", options.receiverReportMillis())
                    .add("listenEvery", options.listenEvery()))
            .add("windowSeconds", windowSeconds)
            .add("connected", connected)
            .add("failed", failed + failedToStart)
            .add("failures", failuresJson)
            .add("churnCycles", churnCycles)
            .add(
                "connectMillis",
                Json.createObjectBuilder()
                    .add("p50", connectP50Millis)
                    .add("p95", connectP95Millis)
                    .add("max", connectMaxMillis))
            .add("packetsSent", packetsSent)
            .add("packetsForwarded", forwarded())
            .add("packetsReceived", packetsReceived)
            .add("streams", streams)
            .add("streamsMissing", streamsMissing)
            .add("lost", lost)
            .add("lossPercent", lossPercent())
            .add("duplicates", duplicates)
            .add(
                "slots",
                Json.createObjectBuilder()
                    .add("bots", slottedBots)
                    .add("botsReoffered", botsReoffered)
                    .add("offersAfterSlots", offersAfterSlots)
                    .add("streamsSlotDropped", streamsSlotDropped))
            .add(
                "ssrcCounts",
                Json.createObjectBuilder()
                    .add("bots", headerCountedBots)
                    .add("received", headerReceived)
                    .add("lost", headerLost))
            .add("kbpsOutPerParticipant", kbpsOutPerParticipant())
            .add("loadgenCpuSeconds", loadgenCpuSeconds)
            .add("loadAverage", loadAverage)
            .add("serverCpuPercent", cpuPercent())
            .add("liveHeapKbPerParticipant", liveHeapKbPerParticipant())
            .add("rssKbPerParticipant", rssKbPerParticipant())
            .add("layers", layers.toJson())
            .add("reordered", reordered)
            .add("jitterMeanMillis", streams == 0 ? 0 : jitterSumMillis / streams)
            .add("jitterMaxMillis", jitterMaxMillis)
            .add(
                "delayMicros",
                Json.createObjectBuilder()
                    .add("count", delayCount)
                    .add("p50", delayP50Micros)
                    .add("p95", delayP95Micros)
                    .add("p99", delayP99Micros)
                    .add("max", delayMaxMicros))
            .add(
                "serverLatencyMicros",
                Json.createObjectBuilder()
                    .add("p50", serverLatencyMicros(50))
                    .add("p95", serverLatencyMicros(95))
                    .add("p99", serverLatencyMicros(99)))
            .add("serverCpuSeconds", cpuSeconds())
            .add("serverCpuMicrosPerForwarded", cpuMicrosPerForwarded())
            .add("serverCpuMicrosPerForwardedByThreads", byThreads())
            .add(
                "serverHeapBytes",
                Json.createObjectBuilder()
                    .add("before", serverBefore.heapUsedBytes())
                    .add("after", serverAfter.heapUsedBytes())
                    .add("floorFirstQuarter", heapMin(0, 25))
                    .add("floorLastQuarter", heapMin(75, 100)))
            .add(
                "serverGc",
                Json.createObjectBuilder()
                    .add("count", serverAfter.gcCount() - serverBefore.gcCount())
                    .add("seconds", serverAfter.gcSeconds() - serverBefore.gcSeconds()))
            .add("serverResidentBytes", serverAfter.residentBytes())
            .add("serverDrops", drops)
            .add("echoes", echoes)
            .add("unstamped", unstamped)
            .add("decryptFailures", decryptFailures)
            .add("transportsLeftAfterLeave", transportsLeftAfterLeave)
            .add(
                "liveHeapBytes",
                Json.createObjectBuilder()
                    .add("idle", liveHeapIdle)
                    .add("before", liveHeapBefore)
                    .add("after", liveHeapAfter));
    if (soak != null) {
      json.add("soak", soak.toJson());
    }
    return json.build();
  }

  private JsonObjectBuilder byThreads() {
    JsonObjectBuilder json = Json.createObjectBuilder();
    cpuMicrosPerForwardedByThreads().forEach(json::add);
    return json;
  }

  void writeJson(Path path) throws IOException {
    var text = new StringWriter();
    try (var writer =
        Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true)).createWriter(text)) {
      writer.write(toJson());
    }
    Files.writeString(path, text.toString());
  }
}
