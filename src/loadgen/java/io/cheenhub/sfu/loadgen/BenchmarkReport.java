package io.cheenhub.sfu.loadgen;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns a benchmark directory ({@code src/loadgen/bin/benchmark.sh}: machine.txt, floor.txt and one
 * JSON result per scenario) into the markdown section of docs/benchmarks.md between {@link #BEGIN}
 * and {@link #END}, replacing what a previous run wrote there.
 */
public final class BenchmarkReport {

  static final String BEGIN =
      "<!-- loadgen-benchmark:begin (written by src/loadgen/bin/benchmark.sh) -->";
  static final String END = "<!-- loadgen-benchmark:end -->";

  private BenchmarkReport() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    Path doc = Path.of(args[1]);
    String section = render(dir);
    String text = Files.exists(doc) ? Files.readString(doc) : "";
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    if (begin >= 0 && end > begin) {
      text = text.substring(0, begin) + section + text.substring(end + END.length());
    } else {
      text = text + (text.endsWith("\n") ? "\n" : "\n\n") + section + "\n";
    }
    Files.writeString(doc, text);
  }

  static String render(Path dir) throws IOException {
    var md = new StringBuilder(BEGIN).append("\n");
    md.append("Machine and build of this run:\n\n```\n")
        .append(Files.readString(dir.resolve("machine.txt")).strip())
        .append("\n")
        .append(Files.readString(dir.resolve("floor.txt")).strip())
        .append("\n```\n\n");
    double floor = floorMicros(Files.readString(dir.resolve("floor.txt")));

    md.append(
            "| scenario | connected / failed | forwarded | loss | delay bot→bot p50 / p95 / p99 / max"
                + " | server latency p50 / p95 / p99 | server CPU | CPU per forwarded packet | × floor |"
                + " heap before → after, GCs | server drops | transports left |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    row(md, "(a) 1 room × 50, 3 talking", read(dir, "a-sfu.json"), floor);
    row(md, "(b) 10 rooms × 5, 2 talking each", read(dir, "b-sfu.json"), floor);
    List<Path> steps = steps(dir);
    JsonObject lastGood = null;
    for (Path step : steps) {
      JsonObject result = read(step);
      if (result != null
          && result.getJsonNumber("lossPercent").doubleValue() < 1
          && result.getInt("failed") == 0) {
        lastGood = result;
      }
    }
    if (lastGood != null) {
      row(
          md,
          "(c) 1 room, 10 talking, " + listeners(lastGood) + " listening (largest < 1 % loss)",
          lastGood,
          floor);
    }
    row(md, "(d) churn, 1 room × 20 (3 talking), 2 leave+join/s", read(dir, "d-sfu.json"), floor);

    md.append(
            "\n**(c) listeners added until loss reaches 1 %** (10 talkers; each step a fresh room)\n\n")
        .append(
            "| listeners | connected / failed | forwarded/s | loss | delay p99 | server latency p99 | server CPU | CPU per forwarded packet |\n")
        .append("|---|---|---|---|---|---|---|---|\n");
    for (Path step : steps) {
      JsonObject r = read(step);
      if (r == null) {
        continue;
      }
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %d / %d | %.0f | %.3f %% | %s ms | %s ms | %s | %s |%n",
              listeners(r),
              r.getInt("connected"),
              r.getInt("failed"),
              r.getJsonNumber("packetsForwarded").doubleValue()
                  / r.getJsonNumber("windowSeconds").doubleValue(),
              r.getJsonNumber("lossPercent").doubleValue(),
              ms(r.getJsonObject("delayMicros").getJsonNumber("p99").longValue()),
              ms(r.getJsonObject("serverLatencyMicros").getJsonNumber("p99").longValue()),
              cpuPercent(r),
              micros(r.getJsonNumber("serverCpuMicrosPerForwarded").doubleValue()) + media(r)));
    }
    md.append(
        lastGood == null
            ? "\nNo step stayed under 1 % loss.\n"
            : "\nThis machine takes **"
                + listeners(lastGood)
                + " listeners** for 10 talkers at < 1 % loss"
                + " (bots and server share its cores).\n");

    JsonObject ours = read(dir, "a-sfu.json");
    JsonObject janus = read(dir, "a-janus.json");
    if (ours != null && janus != null) {
      md.append(
              "\n**Side by side, scenario (a): the same bots against Janus VideoRoom** (Debian `janus`, "
                  + "audio-only room, in its own network namespace reached over a veth pair)\n\n")
          .append(
              "| server | connected / failed | forwarded | loss | delay bot→bot p50 / p95 / p99 / max | server CPU | CPU per forwarded packet | × floor | memory |\n")
          .append("|---|---|---|---|---|---|---|---|---|\n");
      sideBySide(
          md,
          "cheenhub-sfu",
          ours,
          floor,
          "heap "
              + mb(ours.getJsonObject("serverHeapBytes").getJsonNumber("after").longValue())
              + ", RSS "
              + mb(ours.getJsonNumber("serverResidentBytes").longValue()));
      sideBySide(
          md,
          "Janus 1.1.2",
          janus,
          floor,
          "RSS " + mb(janus.getJsonNumber("serverResidentBytes").longValue()));
      double a = ours.getJsonNumber("serverCpuMicrosPerForwarded").doubleValue();
      double b = janus.getJsonNumber("serverCpuMicrosPerForwarded").doubleValue();
      md.append(
          String.format(
              Locale.ROOT,
              "%nCPU per forwarded packet, Janus ÷ cheenhub-sfu: **%.2f** (above 1: cheenhub-sfu spends less). "
                  + "Delay p99, Janus ÷ cheenhub-sfu: %.2f.%n",
              b / a,
              janus.getJsonObject("delayMicros").getJsonNumber("p99").doubleValue()
                  / Math.max(
                      1, ours.getJsonObject("delayMicros").getJsonNumber("p99").doubleValue())));
    }
    idle(md, dir);
    return md.append(END).toString();
  }

  /**
   * The idle servers ({@code server.IdleCpu}: no rooms, after the scenarios), as measured: process
   * CPU as a share of a core and the split by thread group.
   */
  private static void idle(StringBuilder md, Path dir) throws IOException {
    var lines = new ArrayList<String>();
    for (String[] server :
        new String[][] {{"cheenhub-sfu", "idle-sfu.txt"}, {"Janus", "idle-janus.txt"}}) {
      Path file = dir.resolve(server[1]);
      if (Files.exists(file)) {
        List<String> text = Files.readAllLines(file);
        lines.add(
            "| "
                + server[0]
                + " | "
                + (text.isEmpty() ? "n/a" : text.get(0).replaceFirst("^idle cpu: ", ""))
                + " | "
                + (text.size() < 2
                    ? ""
                    : text.get(1).replaceFirst("^\\s*by group \\(schedstat\\): ", ""))
                + " |\n");
      }
    }
    if (!lines.isEmpty()) {
      md.append(
              "\n**Idle, no rooms** (after the scenarios; `server.IdleCpu`, see \"Idle and fixed cost\")\n\n")
          .append("| server | process CPU | by thread group |\n|---|---|---|\n");
      lines.forEach(md::append);
    }
  }

  private static void row(StringBuilder md, String name, JsonObject r, double floor) {
    if (r == null) {
      md.append("| ").append(name).append(" | (no result) |||||||||||\n");
      return;
    }
    JsonObject delay = r.getJsonObject("delayMicros");
    JsonObject latency = r.getJsonObject("serverLatencyMicros");
    JsonObject heap = r.getJsonObject("serverHeapBytes");
    double perPacket = r.getJsonNumber("serverCpuMicrosPerForwarded").doubleValue();
    String heapCell =
        mb(heap.getJsonNumber("before").longValue())
            + " → "
            + mb(heap.getJsonNumber("after").longValue())
            + ", "
            + r.getJsonObject("serverGc").getInt("count")
            + " GCs";
    if (r.getInt("churnCycles") > 0 && r.containsKey("liveHeapBytes")) {
      JsonObject live = r.getJsonObject("liveHeapBytes");
      heapCell +=
          "; live heap after full GC, before → after the window: "
              + mb(live.getJsonNumber("before").longValue())
              + " → "
              + mb(live.getJsonNumber("after").longValue());
    }
    if (r.getInt("churnCycles") > 0) {
      heapCell +=
          "; floor first → last quarter "
              + mb(heap.getJsonNumber("floorFirstQuarter").longValue())
              + " → "
              + mb(heap.getJsonNumber("floorLastQuarter").longValue())
              + "; "
              + r.getInt("churnCycles")
              + " cycles";
    }
    md.append(
        String.format(
            Locale.ROOT,
            "| %s | %d / %d | %d (%.0f/s) | %.3f %% | %s / %s / %s / %s ms | %s / %s / %s ms | %s | %s | %s | %s | %s | %d |%n",
            name,
            r.getInt("connected"),
            r.getInt("failed"),
            r.getJsonNumber("packetsForwarded").longValue(),
            r.getJsonNumber("packetsForwarded").doubleValue()
                / r.getJsonNumber("windowSeconds").doubleValue(),
            r.getJsonNumber("lossPercent").doubleValue(),
            ms(delay.getJsonNumber("p50").longValue()),
            ms(delay.getJsonNumber("p95").longValue()),
            ms(delay.getJsonNumber("p99").longValue()),
            ms(delay.getJsonNumber("max").longValue()),
            ms(latency.getJsonNumber("p50").longValue()),
            ms(latency.getJsonNumber("p95").longValue()),
            ms(latency.getJsonNumber("p99").longValue()),
            cpuPercent(r),
            micros(perPacket) + media(r),
            times(perPacket, floor),
            heapCell,
            r.getJsonObject("serverDrops").isEmpty()
                ? "none"
                : r.getJsonObject("serverDrops").toString(),
            r.getJsonNumber("transportsLeftAfterLeave").longValue()));
  }

  private static void sideBySide(
      StringBuilder md, String name, JsonObject r, double floor, String memory) {
    JsonObject delay = r.getJsonObject("delayMicros");
    double perPacket = r.getJsonNumber("serverCpuMicrosPerForwarded").doubleValue();
    md.append(
        String.format(
            Locale.ROOT,
            "| %s | %d / %d | %d | %.3f %% | %s / %s / %s / %s ms | %s | %s | %s | %s |%n",
            name,
            r.getInt("connected"),
            r.getInt("failed"),
            r.getJsonNumber("packetsForwarded").longValue(),
            r.getJsonNumber("lossPercent").doubleValue(),
            ms(delay.getJsonNumber("p50").longValue()),
            ms(delay.getJsonNumber("p95").longValue()),
            ms(delay.getJsonNumber("p99").longValue()),
            ms(delay.getJsonNumber("max").longValue()),
            cpuPercent(r),
            micros(perPacket) + media(r),
            times(perPacket, floor),
            memory));
  }

  /** The media threads' and the JIT's share, where the probe could split the CPU by thread. */
  private static String media(JsonObject r) {
    JsonObject groups = r.getJsonObject("serverCpuMicrosPerForwardedByThreads");
    if (groups == null || !groups.containsKey("media")) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        " (media threads %.1f µs, JIT %.1f µs)",
        groups.getJsonNumber("media").doubleValue(),
        groups.getJsonNumber("jit").doubleValue());
  }

  private static int listeners(JsonObject r) {
    JsonObject options = r.getJsonObject("options");
    return options.getInt("participants") - options.getInt("talkers");
  }

  private static List<Path> steps(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      var steps =
          new ArrayList<>(
              files.filter(p -> p.getFileName().toString().matches("c-sfu-\\d+\\.json")).toList());
      steps.sort((x, y) -> Integer.compare(number(x), number(y)));
      return steps;
    }
  }

  private static int number(Path p) {
    return Integer.parseInt(p.getFileName().toString().replaceAll("\\D", ""));
  }

  private static JsonObject read(Path dir, String name) throws IOException {
    return read(dir.resolve(name));
  }

  private static JsonObject read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    return Json.createReader(new StringReader(Files.readString(file))).readObject();
  }

  static double floorMicros(String floorText) {
    Matcher m = Pattern.compile("sender CPU ([0-9.]+) µs").matcher(floorText);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static String cpuPercent(JsonObject r) {
    double cpu = r.getJsonNumber("serverCpuSeconds").doubleValue();
    return cpu < 0
        ? "n/a"
        : String.format(
            Locale.ROOT,
            "%.1f %% of a core",
            100 * cpu / r.getJsonNumber("windowSeconds").doubleValue());
  }

  private static String micros(double value) {
    return value < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f µs", value);
  }

  private static String times(double perPacket, double floor) {
    return perPacket < 0 || Double.isNaN(floor)
        ? "n/a"
        : String.format(Locale.ROOT, "%.1f×", perPacket / floor);
  }

  private static String ms(long micros) {
    return micros < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", micros / 1000.0);
  }

  private static String mb(long bytes) {
    return bytes < 0 ? "n/a" : (bytes >> 20) + " MB";
  }
}
