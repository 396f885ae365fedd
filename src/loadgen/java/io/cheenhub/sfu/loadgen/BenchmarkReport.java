package io.cheenhub.sfu.loadgen;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Turns a benchmark directory ({@code src/loadgen/bin/benchmark.sh}: machine.txt, floor.txt, one
 * JSON result per scenario and server, the idle readings) into the markdown section of
 * docs/benchmarks.md between {@link #BEGIN} and {@link #END}: issue 17's comparison of both servers
 * ({@link ServerComparison}) first, then every scenario of cheenhub-sfu, the steps of (c) and the
 * idle servers. Whatever a run left out is left out of the section.
 */
public final class BenchmarkReport {

  static final String BEGIN =
      "<!-- loadgen-benchmark:begin (written by src/loadgen/bin/benchmark.sh) -->";
  static final String END = "<!-- loadgen-benchmark:end -->";

  private BenchmarkReport() {}

  /**
   * {@code BenchmarkReport <benchmark dir> [doc]}: prints the section; with a doc, also writes it
   * there in place of the previous run's.
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: BenchmarkReport <benchmark dir> [docs/benchmarks.md]");
      System.exit(2);
    }
    String section = render(Path.of(args[0]));
    System.out.println(section);
    if (args.length > 1) {
      replaceSection(Path.of(args[1]), section);
    }
  }

  private static void replaceSection(Path doc, String section) throws IOException {
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
    Map<String, String> machine = machine(Files.readString(dir.resolve("machine.txt")));
    String floorText = Files.readString(dir.resolve("floor.txt"));
    double floor = floorMicros(floorText);
    int cores = cores(machine);
    String janus = janusName(machine.getOrDefault("janus", ""));
    var md = new StringBuilder(BEGIN).append("\n");
    md.append(headline(machine)).append("\n\n```\n");
    machine.forEach((key, value) -> md.append(key).append(": ").append(value).append("\n"));
    md.append(floorText.strip()).append("\n```\n\n");

    List<JsonObject> sfuSteps = steps(dir, "sfu");
    List<JsonObject> janusSteps = steps(dir, "janus");
    List<ScenarioFigures> sfuFigures = sfuSteps.stream().map(ScenarioFigures::of).toList();
    Optional<ScenarioFigures> sfuCapacity = ScenarioFigures.capacity(sfuFigures);
    var comparison =
        new ServerComparison(
            floor,
            cores,
            janus,
            figures(dir, "a-sfu.json"),
            figures(dir, "a-janus.json"),
            sfuFigures,
            janusSteps.stream().map(ScenarioFigures::of).toList());
    if (!comparison.isEmpty()) {
      md.append("**cheenhub-sfu and ")
          .append(janus)
          .append(", scenarios (a) and (c)** (issue 17; the same bots, in turn, on the same ")
          .append(cores)
          .append(" cores; Janus VideoRoom from Debian, audio-only room, in its own network")
          .append(" namespace reached over a veth pair; Janus publishes no forwarding latency)\n\n")
          .append(comparison.markdown());
    }

    var scenarios = new StringBuilder();
    row(scenarios, "(a) 1 room × 50, 3 talking", read(dir, "a-sfu.json"), floor);
    row(scenarios, "(b) 10 rooms × 5, 2 talking each", read(dir, "b-sfu.json"), floor);
    sfuCapacity.ifPresent(
        c ->
            row(
                scenarios,
                "(c) 1 room, 10 talking, " + c.listeners() + " listening (largest < 1 % loss)",
                sfuSteps.get(sfuFigures.indexOf(c)),
                floor));
    row(
        scenarios,
        "(d) churn, 1 room × 20 (3 talking), 2 leave+join/s",
        read(dir, "d-sfu.json"),
        floor);
    if (scenarios.length() > 0) {
      md.append("\n**cheenhub-sfu, every scenario**\n\n")
          .append(
              "| scenario | connected / failed | forwarded | loss | delay bot→bot p50 / p95 / p99 / max"
                  + " | server latency p50 / p95 / p99 | server CPU | CPU per forwarded packet | × floor |"
                  + " heap before → after, GCs | server drops | transports left |\n")
          .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
          .append(scenarios);
    }

    if (!sfuSteps.isEmpty() || !janusSteps.isEmpty()) {
      md.append(
              "\n**(c) listeners added until loss reaches 1 %** (10 talkers; each step a fresh room)\n\n")
          .append(
              "| server | listeners | connected / failed | forwarded/s | loss | delay p99 | server latency p99 | server CPU | CPU per forwarded packet | bots' CPU, share of "
                  + cores
                  + " cores |\n")
          .append("|---|---|---|---|---|---|---|---|---|---|\n");
      stepRows(md, "cheenhub-sfu", sfuSteps, cores);
      stepRows(md, janus, janusSteps, cores);
    }
    if (!sfuSteps.isEmpty()) {
      md.append(
          sfuCapacity
              .map(
                  c ->
                      "\nThis machine takes "
                          + (ScenarioFigures.onlyALowerBound(sfuFigures, c) ? "at least **" : "**")
                          + c.listeners()
                          + " listeners** for 10 talkers at < 1 % loss on cheenhub-sfu"
                          + " (bots and server share its cores)"
                          + (ScenarioFigures.onlyALowerBound(sfuFigures, c)
                              ? "; every step held, the search stopped first.\n"
                              : ".\n"))
              .orElse("\nNo step stayed under 1 % loss on cheenhub-sfu.\n"));
    }
    idle(md, dir);
    return md.append(END).toString();
  }

  private static void stepRows(StringBuilder md, String server, List<JsonObject> steps, int cores) {
    for (JsonObject r : steps) {
      ScenarioFigures f = ScenarioFigures.of(r);
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d / %d | %.0f | %s | %s | %s | %s | %s | %s |%n",
              server,
              f.listeners(),
              f.connected(),
              f.failed(),
              f.forwardedPerSecond(),
              Cells.percent(f.lossPercent(), 3),
              Cells.millis(f.delayP99Micros()),
              Cells.millis(f.serverLatencyP99Micros()),
              Cells.shareOfCore(f.serverCpuPercentOfCore()),
              Cells.micros(f.cpuMicrosPerForwarded()) + media(r),
              Cells.percent(f.botsShareOfCores(cores), 1)));
    }
  }

  /** The report's first line: when, which commit, on what, how busy the machine was. */
  static String headline(Map<String, String> machine) {
    return "Run of "
        + machine.getOrDefault("date", "n/a")
        + " at commit `"
        + machine.getOrDefault("commit", "unknown")
        + "` on "
        + machine.getOrDefault("nproc", "?")
        + " × "
        + machine.getOrDefault("cpu model", "n/a")
        + " (`nproc`, /proc/cpuinfo); load average (1 / 5 / 15 min) "
        + machine.getOrDefault("load before", "n/a")
        + " before the run, "
        + machine.getOrDefault("load after", "n/a")
        + " after it.";
  }

  /** machine.txt's "key: value" lines, in order. */
  static Map<String, String> machine(String text) {
    var machine = new LinkedHashMap<String, String>();
    for (String line : text.split("\n")) {
      int colon = line.indexOf(": ");
      if (colon > 0) {
        machine.put(line.substring(0, colon).strip(), line.substring(colon + 2).strip());
      }
    }
    return machine;
  }

  /** {@code nproc} as the script recorded it; older runs only have "cpu: N x model". */
  static int cores(Map<String, String> machine) {
    String nproc = machine.get("nproc");
    if (nproc == null && machine.containsKey("cpu")) {
      nproc = machine.get("cpu").replaceFirst("\\s*x.*", "");
    }
    try {
      return nproc == null ? -1 : Integer.parseInt(nproc.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** "Janus 1.1.2" from the Debian package version "1.1.2-1". */
  static String janusName(String packageVersion) {
    String upstream = packageVersion.replaceFirst("-[^-]*$", "");
    return upstream.isEmpty() || !Character.isDigit(upstream.charAt(0))
        ? "Janus"
        : "Janus " + upstream;
  }

  private static ScenarioFigures figures(Path dir, String name) throws IOException {
    JsonObject r = read(dir, name);
    return r == null ? null : ScenarioFigures.of(r);
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
      return;
    }
    JsonObject delay = r.getJsonObject("delayMicros");
    JsonObject latency = r.getJsonObject("serverLatencyMicros");
    JsonObject heap = r.getJsonObject("serverHeapBytes");
    double perPacket = r.getJsonNumber("serverCpuMicrosPerForwarded").doubleValue();
    String heapCell =
        Cells.mb(heap.getJsonNumber("before").longValue())
            + " → "
            + Cells.mb(heap.getJsonNumber("after").longValue())
            + ", "
            + r.getJsonObject("serverGc").getInt("count")
            + " GCs";
    if (r.getInt("churnCycles") > 0 && r.containsKey("liveHeapBytes")) {
      JsonObject live = r.getJsonObject("liveHeapBytes");
      heapCell +=
          "; live heap after full GC, before → after the window: "
              + Cells.mb(live.getJsonNumber("before").longValue())
              + " → "
              + Cells.mb(live.getJsonNumber("after").longValue());
    }
    if (r.getInt("churnCycles") > 0) {
      heapCell +=
          "; floor first → last quarter "
              + Cells.mb(heap.getJsonNumber("floorFirstQuarter").longValue())
              + " → "
              + Cells.mb(heap.getJsonNumber("floorLastQuarter").longValue())
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
            Cells.ms(delay.getJsonNumber("p50").longValue()),
            Cells.ms(delay.getJsonNumber("p95").longValue()),
            Cells.ms(delay.getJsonNumber("p99").longValue()),
            Cells.ms(delay.getJsonNumber("max").longValue()),
            Cells.ms(latency.getJsonNumber("p50").longValue()),
            Cells.ms(latency.getJsonNumber("p95").longValue()),
            Cells.ms(latency.getJsonNumber("p99").longValue()),
            Cells.shareOfCore(ScenarioFigures.of(r).serverCpuPercentOfCore()),
            Cells.micros(perPacket) + media(r),
            Cells.times(perPacket / floor),
            heapCell,
            r.getJsonObject("serverDrops").isEmpty()
                ? "none"
                : r.getJsonObject("serverDrops").toString(),
            r.getJsonNumber("transportsLeftAfterLeave").longValue()));
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

  /** Scenario (c)'s steps on {@code server} ("sfu", "janus"), fewest listeners first. */
  private static List<JsonObject> steps(Path dir, String server) throws IOException {
    String pattern = "c-" + server + "-\\d+\\.json";
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          new ArrayList<>(list.filter(p -> p.getFileName().toString().matches(pattern)).toList());
    }
    files.sort((x, y) -> Integer.compare(number(x), number(y)));
    var steps = new ArrayList<JsonObject>();
    for (Path file : files) {
      steps.add(read(file));
    }
    return steps;
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
}
