package io.cheenhub.sfu.loadgen;

import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The table of {@code src/loadgen/bin/large-room-benchmark.sh}: one markdown row per JSON result in
 * a directory ({@code <label>-<participants>.json}, with {@code <label>-<participants>.load} the
 * machine's load average then), sorted by label and participants.
 */
public final class LargeRoomReport {

  private LargeRoomReport() {}

  public static void main(String[] args) throws IOException {
    System.out.print(render(Path.of(args[0])));
  }

  static String render(Path dir) throws IOException {
    List<Path> results = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(p -> p.getFileName().toString().endsWith(".json")).forEach(results::add);
    }
    results.sort(
        Comparator.comparing((Path p) -> label(p)).thenComparingInt(LargeRoomReport::participants));
    var md = new StringBuilder();
    md.append(
            "| run | participants | connected / failed | listeners' loss | re-offers after"
                + " slotting | delay bot→bot p50 / p99 | server latency p50 / p99 | server CPU"
                + " (% of a core) | per participant | per forwarded packet | per packet in |"
                + " live heap (MB), per participant | RSS (MB), per participant | out per"
                + " participant | load avg |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Path path : results) {
      JsonObject r = Json.createReader(new StringReader(Files.readString(path))).readObject();
      String name = path.getFileName().toString().replace(".json", "");
      Path loadFile = dir.resolve(name + ".load");
      String load = Files.exists(loadFile) ? Files.readString(loadFile).strip() : "";
      int n = r.getJsonObject("options").getInt("participants");
      JsonObject slots = r.getJsonObject("slots");
      JsonObject live = r.getJsonObject("liveHeapBytes");
      double cpu = num(r, "serverCpuPercent");
      long forwarded = r.getJsonNumber("packetsForwarded").longValue();
      long sent = r.getJsonNumber("packetsSent").longValue();
      double cpuSeconds = num(r, "serverCpuSeconds");
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d / %d | %.3f %% | %s | %s / %s ms | %s / %s ms | %.1f %% | %.3f %% |"
                  + " %.1f µs | %.1f µs | %d, %.0f KB | %d, %.0f KB | %.1f kbit/s | %s |%n",
              label(path),
              n,
              r.getInt("connected"),
              r.getInt("failed"),
              num(r, "lossPercent"),
              slots.getJsonNumber("bots").longValue() == 0
                  ? "no slots"
                  : slots.getJsonNumber("offersAfterSlots").longValue()
                      + " (of "
                      + slots.getJsonNumber("bots").longValue()
                      + " bots)",
              ms(r.getJsonObject("delayMicros"), "p50"),
              ms(r.getJsonObject("delayMicros"), "p99"),
              ms(r.getJsonObject("serverLatencyMicros"), "p50"),
              ms(r.getJsonObject("serverLatencyMicros"), "p99"),
              cpu,
              cpu / n,
              forwarded == 0 ? 0 : cpuSeconds * 1e6 / forwarded,
              sent == 0 ? 0 : cpuSeconds * 1e6 / sent,
              live.getJsonNumber("after").longValue() >> 20,
              num(r, "liveHeapKbPerParticipant"),
              r.getJsonNumber("serverResidentBytes").longValue() >> 20,
              num(r, "rssKbPerParticipant"),
              num(r, "kbpsOutPerParticipant"),
              load));
    }
    return md.toString();
  }

  private static String label(Path path) {
    String name = path.getFileName().toString().replace(".json", "");
    return name.substring(0, name.lastIndexOf('-'));
  }

  private static int participants(Path path) {
    String name = path.getFileName().toString().replace(".json", "");
    return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
  }

  private static double num(JsonObject json, String key) {
    JsonNumber number = json.getJsonNumber(key);
    return number == null ? -1 : number.doubleValue();
  }

  private static String ms(JsonObject json, String key) {
    long micros = json.getJsonNumber(key).longValue();
    return micros < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", micros / 1000.0);
  }
}
