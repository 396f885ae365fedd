package io.cheenhub.sfu.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The figures issue 17 compares, from one load generator result, and scenario (c)'s capacity. */
class ScenarioFiguresTest {

  private static final double FLOOR_MICROS = 8.0;

  @Test
  void perPacketCostIsTheProcessCpuOverThePacketsForwardedAndComparesToFloorAndJanus() {
    var ours =
        ScenarioFigures.of(
            new ResultJson()
                .room(3, 50)
                .window(60, 300_000)
                .serverCpu(6, 8.0)
                .loadgenCpu(30)
                .build());
    var janus =
        ScenarioFigures.of(
            new ResultJson().room(3, 50).window(60, 300_000).serverCpu(12, -1).build());

    assertThat(ours.listeners()).isEqualTo(47);
    assertThat(ours.forwardedPerSecond()).isEqualTo(5_000.0);
    assertThat(ours.cpuMicrosPerForwarded()).isCloseTo(20.0, within(1e-9));
    assertThat(ours.serverCpuPercentOfCore()).isCloseTo(10.0, within(1e-9));
    assertThat(ours.perPacketRelativeTo(janus)).isCloseTo(0.5, within(1e-9));
    assertThat(janus.perPacketRelativeTo(ours)).isCloseTo(2.0, within(1e-9));
    assertThat(ours.timesFloor(FLOOR_MICROS)).isCloseTo(2.5, within(1e-9));
    assertThat(ours.mediaTimesFloor(FLOOR_MICROS)).isCloseTo(1.0, within(1e-9));
    // 30 s of bot CPU in a 60 s window is half a core: a quarter of two cores.
    assertThat(ours.botsShareOfCores(2)).isCloseTo(25.0, within(1e-9));
    assertThat(ours.botsShareOfCores(1)).isCloseTo(50.0, within(1e-9));
    assertThat(ours.loadOneMinute()).isEqualTo("2.50");
  }

  @Test
  void whatWasNotMeasuredMakesEveryRatioUnknown() {
    var noCpu = ScenarioFigures.of(new ResultJson().serverCpu(-1, -1).build());
    var janus = ScenarioFigures.of(new ResultJson().serverCpu(12, -1).build());

    assertThat(noCpu.cpuMicrosPerForwarded()).isNaN();
    assertThat(noCpu.timesFloor(FLOOR_MICROS)).isNaN();
    assertThat(noCpu.perPacketRelativeTo(janus)).isNaN();
    assertThat(janus.perPacketRelativeTo(noCpu)).isNaN();
    assertThat(janus.mediaTimesFloor(FLOOR_MICROS)).isNaN(); // Janus has no thread split
    assertThat(janus.timesFloor(Double.NaN)).isNaN(); // the floor did not run
    assertThat(janus.botsShareOfCores(-1)).isNaN(); // nproc unknown
    assertThat(ScenarioFigures.of(new ResultJson().loadgenCpu(-1).build()).botsShareOfCores(2))
        .isNaN();
  }

  @Test
  void aStepHoldsWithEveryBotConnectedAndLossUnderOnePercent() {
    assertThat(ScenarioFigures.of(new ResultJson().loss(0.99).build()).held()).isTrue();
    assertThat(ScenarioFigures.of(new ResultJson().loss(1.0).build()).held()).isFalse();
    assertThat(ScenarioFigures.of(new ResultJson().failed(1).build()).held()).isFalse();
  }

  @Test
  void capacityIsTheStepWithTheMostListenersThatHeld() {
    var steps =
        List.of(
            step(60, 2.0), // lossy
            step(20, 0),
            step(40, 0.5));
    assertThat(ScenarioFigures.capacity(steps))
        .get()
        .extracting(ScenarioFigures::listeners)
        .isEqualTo(40);
    assertThat(ScenarioFigures.onlyALowerBound(steps, step(40, 0.5))).isFalse();
    // Every step held: the search ended before the server did.
    var allHeld = List.of(step(20, 0), step(40, 0.5));
    assertThat(ScenarioFigures.onlyALowerBound(allHeld, step(40, 0.5))).isTrue();
    assertThat(ScenarioFigures.capacity(List.of(step(20, 3.0)))).isEmpty();
    assertThat(ScenarioFigures.capacity(List.of())).isEmpty();
  }

  @Test
  void bothServersAreComparedAtTheMostListenersBothHeld() {
    var ours = List.of(step(20, 0), step(40, 0), step(60, 1.5), step(80, 0));
    var janus = List.of(step(20, 0), step(40, 4.0), step(60, 0), step(80, 0.2));

    assertThat(ScenarioFigures.commonCapacity(ours, janus)).hasValue(80);
    assertThat(ScenarioFigures.commonCapacity(ours, janus.subList(0, 3))).hasValue(20);
    assertThat(ScenarioFigures.commonCapacity(ours, List.of())).isEmpty();
    assertThat(ScenarioFigures.step(janus, 60))
        .get()
        .extracting(ScenarioFigures::lossPercent)
        .isEqualTo(0.0);
    assertThat(ScenarioFigures.step(janus, 100)).isEmpty();
  }

  private static ScenarioFigures step(int listeners, double loss) {
    return ScenarioFigures.of(new ResultJson().room(10, 10 + listeners).loss(loss).build());
  }
}
