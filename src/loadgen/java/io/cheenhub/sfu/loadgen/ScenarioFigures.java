package io.cheenhub.sfu.loadgen;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What one scenario run on one server measured (a load generator JSON result), reduced to the
 * figures issue 17 compares: loss, latency, the server's CPU per forwarded packet and the bots' own
 * CPU. Unknown figures are -1 in the JSON and NaN (or -1 for counts) here; every ratio of an
 * unknown figure is NaN.
 */
record ScenarioFigures(
    int connected,
    int failed,
    int talkers,
    int listeners,
    double windowSeconds,
    long forwarded,
    double lossPercent,
    long serverLatencyP99Micros,
    long delayP99Micros,
    double serverCpuSeconds,
    double cpuMicrosPerForwarded,
    double mediaMicrosPerForwarded,
    double loadgenCpuSeconds,
    long residentBytes,
    String loadAverage) {

  /** Issue 17's capacity bar: a step of scenario (c) holds below this loss, in percent. */
  static final double CAPACITY_LOSS_PERCENT = 1.0;

  static ScenarioFigures of(JsonObject r) {
    JsonObject options = r.getJsonObject("options");
    JsonObject byThreads = r.getJsonObject("serverCpuMicrosPerForwardedByThreads");
    return new ScenarioFigures(
        r.getInt("connected"),
        r.getInt("failed"),
        options.getInt("talkers"),
        options.getInt("participants") - options.getInt("talkers"),
        r.getJsonNumber("windowSeconds").doubleValue(),
        r.getJsonNumber("packetsForwarded").longValue(),
        r.getJsonNumber("lossPercent").doubleValue(),
        r.getJsonObject("serverLatencyMicros").getJsonNumber("p99").longValue(),
        r.getJsonObject("delayMicros").getJsonNumber("p99").longValue(),
        known(r.getJsonNumber("serverCpuSeconds")),
        known(r.getJsonNumber("serverCpuMicrosPerForwarded")),
        byThreads == null ? Double.NaN : known(byThreads.getJsonNumber("media")),
        r.containsKey("loadgenCpuSeconds")
            ? known(r.getJsonNumber("loadgenCpuSeconds"))
            : Double.NaN,
        r.getJsonNumber("serverResidentBytes").longValue(),
        r.getString("loadAverage", "n/a"));
  }

  private static double known(JsonNumber n) {
    return n == null || n.doubleValue() < 0 ? Double.NaN : n.doubleValue();
  }

  double forwardedPerSecond() {
    return forwarded / windowSeconds;
  }

  /** The server process's CPU over the window as a share of one core, in percent. */
  double serverCpuPercentOfCore() {
    return 100 * serverCpuSeconds / windowSeconds;
  }

  /**
   * The load generator's CPU (every bot, signaling, probes) as a share of all {@code cores} of the
   * host, in percent: what the bots took from the cores the server runs on.
   */
  double botsShareOfCores(int cores) {
    return cores <= 0 ? Double.NaN : 100 * loadgenCpuSeconds / windowSeconds / cores;
  }

  /** Every bot connected and loss under {@link #CAPACITY_LOSS_PERCENT}. */
  boolean held() {
    return failed == 0 && lossPercent < CAPACITY_LOSS_PERCENT;
  }

  /** This server's CPU per forwarded packet divided by {@code other}'s (issue 17: ≤ 0.5). */
  double perPacketRelativeTo(ScenarioFigures other) {
    return cpuMicrosPerForwarded / other.cpuMicrosPerForwarded;
  }

  /** The whole process's CPU per forwarded packet in raw UDP sends (issue 17: ≤ 1.5). */
  double timesFloor(double floorMicros) {
    return cpuMicrosPerForwarded / floorMicros;
  }

  /** The media threads' CPU per forwarded packet in raw UDP sends (issue 17: ≤ 1.25). */
  double mediaTimesFloor(double floorMicros) {
    return mediaMicrosPerForwarded / floorMicros;
  }

  /** The 1-minute load average at the window's end, as /proc/loadavg printed it. */
  String loadOneMinute() {
    int space = loadAverage.indexOf(' ');
    return space < 0 ? loadAverage : loadAverage.substring(0, space);
  }

  /**
   * Scenario (c)'s capacity: of steps with more and more listeners, the one with the most that
   * {@link #held()}; empty if none did.
   */
  static Optional<ScenarioFigures> capacity(List<ScenarioFigures> steps) {
    ScenarioFigures best = null;
    for (ScenarioFigures step : steps) {
      if (step.held() && (best == null || step.listeners > best.listeners)) {
        best = step;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Whether the search stopped before the server did: {@code capacity} is the step with the most
   * listeners that ran, so the server may hold more.
   */
  static boolean onlyALowerBound(List<ScenarioFigures> steps, ScenarioFigures capacity) {
    return steps.stream().allMatch(s -> s.listeners <= capacity.listeners);
  }

  /**
   * The most listeners both servers held in scenario (c): where their CPU per forwarded packet is
   * compared at the same load (at their own capacities the fixed costs would spread over different
   * packet rates).
   */
  static OptionalInt commonCapacity(List<ScenarioFigures> ours, List<ScenarioFigures> theirs) {
    TreeSet<Integer> held = heldListeners(ours);
    held.retainAll(heldListeners(theirs));
    return held.isEmpty() ? OptionalInt.empty() : OptionalInt.of(held.last());
  }

  /** The step with {@code listeners} listeners, if it ran. */
  static Optional<ScenarioFigures> step(List<ScenarioFigures> steps, int listeners) {
    return steps.stream().filter(s -> s.listeners == listeners).findFirst();
  }

  private static TreeSet<Integer> heldListeners(List<ScenarioFigures> steps) {
    return steps.stream()
        .filter(ScenarioFigures::held)
        .map(ScenarioFigures::listeners)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
