package io.cheenhub.sfu.loadgen;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.ToDoubleFunction;

/**
 * Issue 17's proof table: cheenhub-sfu and Janus in one benchmark run, scenario (a) and scenario
 * (c) at each server's capacity, against the raw UDP send floor, with the ratios and
 * whether each target is met. Either server's figures may be missing (a run of a subset); what
 * cannot be computed says n/a.
 *
 * @param floorMicros {@code UdpFloor}'s sender CPU per send, µs
 * @param cores the host's {@code nproc}, for the bots' share of the cores
 * @param oursA scenario (a) on cheenhub-sfu, or null
 * @param janusA scenario (a) on Janus, or null
 * @param oursC scenario (c)'s steps on cheenhub-sfu, any order
 * @param janusC scenario (c)'s steps on Janus, any order
 */
record ServerComparison(
    double floorMicros,
    int cores,
    String janusName,
    ScenarioFigures oursA,
    ScenarioFigures janusA,
    List<ScenarioFigures> oursC,
    List<ScenarioFigures> janusC) {

  /** Issue 17: CPU per forwarded packet at most half of Janus's. */
  static final double MAX_PER_PACKET_VS_JANUS = 0.5;

  /** Issue 17: the whole process's CPU per forwarded packet within 1.5 raw UDP sends. */
  static final double MAX_PROCESS_TIMES_FLOOR = 1.5;

  /** Issue 17: the media threads' CPU per forwarded packet within 1.25 raw UDP sends. */
  static final double MAX_MEDIA_TIMES_FLOOR = 1.25;

  static final String OURS = "cheenhub-sfu";

  boolean isEmpty() {
    return oursA == null && janusA == null && oursC.isEmpty() && janusC.isEmpty();
  }

  /** The table and the ratios below it, markdown; empty if nothing ran. */
  String markdown() {
    if (isEmpty()) {
      return "";
    }
    var md = new StringBuilder();
    md.append("| scenario | server | connected / failed | forwarded/s | loss")
        .append(" | forwarding latency p99 (server) | delay bot→bot p99 | server CPU")
        .append(" | CPU per forwarded packet | ÷ Janus (≤ 0.5) | process ÷ floor (≤ 1.5)")
        .append(" | media threads ÷ floor (≤ 1.25) | bots' CPU, share of ")
        .append(cores)
        .append(" cores | load (1 min) |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    if (oursA != null) {
      row(md, labelA(oursA), OURS, oursA, Cells.ratio(perPacketA()));
    }
    if (janusA != null) {
      row(md, labelA(janusA), janusName, janusA, "–");
    }
    Optional<ScenarioFigures> oursCapacity = ScenarioFigures.capacity(oursC);
    Optional<ScenarioFigures> janusCapacity = ScenarioFigures.capacity(janusC);
    if (!oursC.isEmpty()) {
      capacityRow(md, OURS, oursC, oursCapacity, perPacketCCell(oursCapacity));
    }
    if (!janusC.isEmpty()) {
      capacityRow(md, janusName, janusC, janusCapacity, "–");
    }

    md.append("\nAgainst issue 17's targets (raw UDP send floor ")
        .append(Cells.micros(floorMicros))
        .append(" per send):\n\n");
    OptionalInt common = ScenarioFigures.commonCapacity(oursC, janusC);
    md.append("- CPU per forwarded packet, ")
        .append(OURS)
        .append(" ÷ Janus (≤ ")
        .append(MAX_PER_PACKET_VS_JANUS)
        .append("): (a) ")
        .append(judged(Cells.ratio(perPacketA()), perPacketA(), MAX_PER_PACKET_VS_JANUS))
        .append("; (c) ")
        .append(judged(Cells.ratio(perPacketC()), perPacketC(), MAX_PER_PACKET_VS_JANUS))
        .append(
            common.isPresent()
                ? " at " + common.getAsInt() + " listeners, the most both held under 1 % loss"
                : "")
        .append(".\n");
    md.append("- Whole process ÷ floor (≤ ")
        .append(MAX_PROCESS_TIMES_FLOOR)
        .append("): ")
        .append(
            timesFloorInAAndC(
                f -> f.timesFloor(floorMicros), oursCapacity, MAX_PROCESS_TIMES_FLOOR))
        .append(". Media threads ÷ floor (≤ ")
        .append(MAX_MEDIA_TIMES_FLOOR)
        .append("): ")
        .append(
            timesFloorInAAndC(
                f -> f.mediaTimesFloor(floorMicros), oursCapacity, MAX_MEDIA_TIMES_FLOOR))
        .append(". (c) is ")
        .append(OURS)
        .append(" at its capacity.\n");
    md.append("- Capacity (c), the most listeners at < 1 % loss with every bot connected: ")
        .append(OURS)
        .append(" ")
        .append(capacityText(oursC, oursCapacity))
        .append(", ")
        .append(janusName)
        .append(" ")
        .append(capacityText(janusC, janusCapacity))
        .append(".\n");
    if (oursA != null && janusA != null) {
      md.append("- Resident memory at the end of (a): ")
          .append(OURS)
          .append(" ")
          .append(Cells.mb(oursA.residentBytes()))
          .append(", ")
          .append(janusName)
          .append(" ")
          .append(Cells.mb(janusA.residentBytes()))
          .append(".\n");
    }
    return md.toString();
  }

  /** (a): our CPU per forwarded packet ÷ Janus's; NaN unless both ran. */
  double perPacketA() {
    return oursA == null || janusA == null ? Double.NaN : oursA.perPacketRelativeTo(janusA);
  }

  /** (c): the same ratio at the most listeners both servers held; NaN if there is no such step. */
  double perPacketC() {
    OptionalInt common = ScenarioFigures.commonCapacity(oursC, janusC);
    if (common.isEmpty()) {
      return Double.NaN;
    }
    return ScenarioFigures.step(oursC, common.getAsInt())
        .orElseThrow()
        .perPacketRelativeTo(ScenarioFigures.step(janusC, common.getAsInt()).orElseThrow());
  }

  /** The (c) ratio's cell on our capacity row: says the step when it is not that row's. */
  private String perPacketCCell(Optional<ScenarioFigures> oursCapacity) {
    OptionalInt common = ScenarioFigures.commonCapacity(oursC, janusC);
    if (common.isEmpty()) {
      return Cells.UNKNOWN;
    }
    boolean sameStep =
        oursCapacity.isPresent() && oursCapacity.get().listeners() == common.getAsInt();
    return Cells.ratio(perPacketC()) + (sameStep ? "" : " at " + common.getAsInt() + " listeners");
  }

  private void row(
      StringBuilder md, String scenario, String server, ScenarioFigures r, String vsJanus) {
    md.append("| ")
        .append(scenario)
        .append(" | ")
        .append(server)
        .append(" | ")
        .append(r.connected())
        .append(" / ")
        .append(r.failed())
        .append(" | ")
        .append(String.format(java.util.Locale.ROOT, "%.0f", r.forwardedPerSecond()))
        .append(" | ")
        .append(Cells.percent(r.lossPercent(), 3))
        .append(" | ")
        .append(Cells.millis(r.serverLatencyP99Micros()))
        .append(" | ")
        .append(Cells.millis(r.delayP99Micros()))
        .append(" | ")
        .append(Cells.shareOfCore(r.serverCpuPercentOfCore()))
        .append(" | ")
        .append(Cells.micros(r.cpuMicrosPerForwarded()))
        .append(
            Double.isNaN(r.mediaMicrosPerForwarded())
                ? ""
                : " (media threads " + Cells.micros(r.mediaMicrosPerForwarded()) + ")")
        .append(" | ")
        .append(vsJanus)
        .append(" | ")
        .append(Cells.times(r.timesFloor(floorMicros)))
        .append(" | ")
        .append(Cells.times(r.mediaTimesFloor(floorMicros)))
        .append(" | ")
        .append(Cells.percent(r.botsShareOfCores(cores), 1))
        .append(" | ")
        .append(r.loadOneMinute())
        .append(" |\n");
  }

  private void capacityRow(
      StringBuilder md,
      String server,
      List<ScenarioFigures> steps,
      Optional<ScenarioFigures> capacity,
      String vsJanus) {
    if (capacity.isPresent()) {
      ScenarioFigures c = capacity.get();
      row(
          md,
          "(c) 1 room, "
              + c.talkers()
              + " talking, "
              + c.listeners()
              + " listening ("
              + (ScenarioFigures.onlyALowerBound(steps, c)
                  ? "the most tried; capacity ≥"
                  : "capacity")
              + ")",
          server,
          c,
          vsJanus);
    } else {
      md.append("| (c) 1 room, ")
          .append(steps.get(0).talkers())
          .append(" talking: no step under 1 % loss | ")
          .append(server)
          .append(" ||||||||||||\n");
    }
  }

  private static String labelA(ScenarioFigures r) {
    return "(a) 1 room × " + (r.talkers() + r.listeners()) + ", " + r.talkers() + " talking";
  }

  private static String capacityText(
      List<ScenarioFigures> steps, Optional<ScenarioFigures> capacity) {
    if (steps.isEmpty()) {
      return "not run";
    }
    return capacity
        .map(
            c ->
                ScenarioFigures.onlyALowerBound(steps, c)
                    ? "**≥ " + c.listeners() + " listeners** (every step held)"
                    : "**" + c.listeners() + " listeners**")
        .orElse("no step");
  }

  /** "(a) X; (c) Y": one of our figures in (a) and at our capacity in (c), each judged. */
  private String timesFloorInAAndC(
      ToDoubleFunction<ScenarioFigures> figure,
      Optional<ScenarioFigures> oursCapacity,
      double atMost) {
    double a = oursA == null ? Double.NaN : figure.applyAsDouble(oursA);
    double c = oursCapacity.map(figure::applyAsDouble).orElse(Double.NaN);
    return "(a) "
        + judged(Cells.times(a), a, atMost)
        + "; (c) "
        + judged(Cells.times(c), c, atMost);
  }

  /** The cell in bold with its verdict against {@code atMost}, or n/a. */
  private static String judged(String cell, double value, double atMost) {
    return Cells.UNKNOWN.equals(cell)
        ? cell
        : "**" + cell + "** (" + Cells.verdict(value, atMost) + ")";
  }
}
