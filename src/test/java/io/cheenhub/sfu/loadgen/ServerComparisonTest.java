package io.cheenhub.sfu.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 17's table: both servers in (a) and (c), the floor, the ratios and their verdicts. */
class ServerComparisonTest {

  private static final ScenarioFigures OURS_A =
      ScenarioFigures.of(
          new ResultJson()
              .room(3, 50)
              .window(60, 300_000)
              .latency(2_000, 5_000)
              .serverCpu(6, 8.0)
              .loadgenCpu(30)
              .resident(1_000L << 20)
              .load("2.50 1.00 0.50")
              .build());
  private static final ScenarioFigures JANUS_A =
      ScenarioFigures.of(
          new ResultJson()
              .room(3, 50)
              .window(60, 300_000)
              .latency(-1, 6_000)
              .serverCpu(12, -1)
              .loadgenCpu(24)
              .resident(30L << 20)
              .load("2.20 1.10 0.60")
              .build());
  private static final List<ScenarioFigures> OURS_C =
      List.of(
          step(20, 0, 100_000, 1.2, 6.0),
          step(40, 0.5, 200_000, 2.0, 6.0),
          step(60, 2.0, 300_000, 3.0, 5.0));
  private static final List<ScenarioFigures> JANUS_C =
      List.of(step(20, 0, 100_000, 2.5, -1), step(40, 1.5, 200_000, 4.0, -1));

  @Test
  void rowsShowBothServersWithTheRatiosToJanusAndToTheFloor() {
    String md =
        new ServerComparison(8.0, 2, "Janus 1.1.2", OURS_A, JANUS_A, OURS_C, JANUS_C).markdown();

    assertThat(md)
        .contains("| bots' CPU, share of 2 cores | load (1 min) |")
        .contains(
            "| (a) 1 room × 50, 3 talking | cheenhub-sfu | 50 / 0 | 5000 | 0.000 % | 2.00 ms"
                + " | 5.00 ms | 10.0 % of a core | 20.0 µs (media threads 8.0 µs) | 0.50 | 2.50×"
                + " | 1.00× | 25.0 % | 2.50 |")
        .contains(
            "| (a) 1 room × 50, 3 talking | Janus 1.1.2 | 50 / 0 | 5000 | 0.000 % | n/a"
                + " | 6.00 ms | 20.0 % of a core | 40.0 µs | – | 5.00× | n/a | 20.0 % | 2.20 |")
        // Our capacity is 40 listeners, Janus's 20: the ratio is taken where both held.
        .contains(
            "| (c) 1 room, 10 talking, 40 listening (capacity) | cheenhub-sfu | 50 / 0 | 10000"
                + " | 0.500 % | n/a | 5.00 ms | 10.0 % of a core | 10.0 µs (media threads 6.0 µs)"
                + " | 0.48 at 20 listeners | 1.25× | 0.75× | 37.5 % | 2.50 |")
        .contains(
            "| (c) 1 room, 10 talking, 20 listening (capacity) | Janus 1.1.2 | 30 / 0 | 5000"
                + " | 0.000 % | n/a | 5.00 ms | 12.5 % of a core | 25.0 µs | – | 3.13× | n/a");
  }

  @Test
  void ratiosAreJudgedAgainstTheIssueTargets() {
    String md =
        new ServerComparison(8.0, 2, "Janus 1.1.2", OURS_A, JANUS_A, OURS_C, JANUS_C).markdown();

    assertThat(md)
        .contains("raw UDP send floor 8.0 µs per send")
        .contains(
            "- CPU per forwarded packet, cheenhub-sfu ÷ Janus (≤ 0.5): (a) **0.50** (met);"
                + " (c) **0.48** (met) at 20 listeners, the most both held under 1 % loss.")
        .contains(
            "- Whole process ÷ floor (≤ 1.5): (a) **2.50×** (not met); (c) **1.25×** (met)."
                + " Media threads ÷ floor (≤ 1.25): (a) **1.00×** (met); (c) **0.75×** (met).")
        .contains(
            "- Capacity (c), the most listeners at < 1 % loss with every bot connected:"
                + " cheenhub-sfu **40 listeners**, Janus 1.1.2 **20 listeners**.")
        .contains("- Resident memory at the end of (a): cheenhub-sfu 1000 MB, Janus 1.1.2 30 MB.");
  }

  @Test
  void aRatioAboveItsTargetIsNotMet() {
    var slow =
        ScenarioFigures.of(
            new ResultJson().room(3, 50).window(60, 300_000).serverCpu(7.2, 11.0).build());
    String md =
        new ServerComparison(8.0, 2, "Janus", slow, JANUS_A, List.of(), List.of()).markdown();

    assertThat(md)
        .contains("(a) **0.60** (not met); (c) n/a.")
        .contains("(a) **3.00×** (not met); (c) n/a.")
        .contains("Media threads ÷ floor (≤ 1.25): (a) **1.38×** (not met)")
        .contains("cheenhub-sfu not run, Janus not run.");
  }

  @Test
  void aSubsetRunShowsWhatRanAndLeavesTheRatiosUnknown() {
    var janusOnly = new ServerComparison(8.0, 2, "Janus", null, JANUS_A, List.of(), JANUS_C);

    String md = janusOnly.markdown();
    assertThat(md).doesNotContain("| cheenhub-sfu |").contains("| Janus | 50 / 0 |");
    assertThat(md).contains("(≤ 0.5): (a) n/a; (c) n/a.");
    assertThat(janusOnly.perPacketA()).isNaN();
    assertThat(janusOnly.perPacketC()).isNaN();
    assertThat(new ServerComparison(8.0, 2, "Janus", null, null, List.of(), List.of()).markdown())
        .isEmpty();
  }

  @Test
  void aCapacityWhereEveryStepHeldIsALowerBound() {
    String md =
        new ServerComparison(
                8.0, 2, "Janus", OURS_A, JANUS_A, OURS_C.subList(0, 2), JANUS_C.subList(0, 1))
            .markdown();

    assertThat(md)
        .contains("| (c) 1 room, 10 talking, 40 listening (the most tried; capacity ≥) |")
        .contains(
            "cheenhub-sfu **≥ 40 listeners** (every step held), Janus **≥ 20 listeners** (every"
                + " step held).");
  }

  @Test
  void aCapacitySearchWhereNothingHeldSaysSo() {
    String md =
        new ServerComparison(
                8.0, 2, "Janus", OURS_A, JANUS_A, OURS_C, List.of(step(20, 5.0, 1, 1, -1)))
            .markdown();

    assertThat(md)
        .contains("| (c) 1 room, 10 talking: no step under 1 % loss | Janus ||||||||||||\n")
        .contains("cheenhub-sfu **40 listeners**, Janus no step.");
  }

  private static ScenarioFigures step(
      int listeners, double loss, long forwarded, double cpuSeconds, double media) {
    return ScenarioFigures.of(
        new ResultJson()
            .room(10, 10 + listeners)
            .window(20, forwarded)
            .loss(loss)
            .latency(-1, 5_000)
            .serverCpu(cpuSeconds, media)
            .loadgenCpu(15)
            .build());
  }
}
