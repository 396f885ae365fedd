package io.cheenhub.sfu.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The markdown section benchmark.sh writes from a run's directory. */
class BenchmarkReportTest {

  private static final String MACHINE =
      """
      nproc: 2
      cpu model: AMD EPYC
      cpu: 2 x AMD EPYC
      janus: 1.1.2-1
      date: 2026-12-08T10:00Z
      commit: abc1234
      load before: 0.50 0.40 0.30
      load after: 2.10 1.90 1.20
      """;
  private static final String FLOOR =
      "udp floor: 300000 datagrams of 130 bytes on loopback: sender CPU 8.00 µs per send,"
          + " receiver CPU 3.37 µs per datagram, 297848 received\n";

  @TempDir Path dir;

  @Test
  void aFullRunGivesTheHeadlineTheComparisonTheStepsAndBothIdleRows() throws IOException {
    write("machine.txt", MACHINE);
    write("floor.txt", FLOOR);
    write("a-sfu.json", new ResultJson().room(3, 50).serverCpu(6, 8.0).latency(2_000, 5_000));
    write("a-janus.json", new ResultJson().room(3, 50).serverCpu(12, -1));
    write("c-sfu-40.json", new ResultJson().room(10, 50).serverCpu(3, 6.0));
    write("c-sfu-80.json", new ResultJson().room(10, 90).serverCpu(4, 5.0).loss(3));
    write("c-janus-40.json", new ResultJson().room(10, 50).serverCpu(5, -1));
    write(
        "idle-sfu.txt",
        "idle cpu: 0.530 % of a core (0.64 s in 120 s), load 1.0 1.0 1.0\n"
            + "  by group (schedstat): JIT 0.170 %; GC 0.030 %;\n");
    write(
        "idle-janus.txt",
        "idle cpu: 0.300 % of a core (0.36 s in 120 s), load 1.0 1.0 1.0\n"
            + "  by group (schedstat): other 0.300 %;\n");

    String md = BenchmarkReport.render(dir);

    assertThat(md)
        .startsWith(BenchmarkReport.BEGIN)
        .endsWith(BenchmarkReport.END)
        .contains(
            "Run of 2026-12-08T10:00Z at commit `abc1234` on 2 × AMD EPYC (`nproc`,"
                + " /proc/cpuinfo); load average (1 / 5 / 15 min) 0.50 0.40 0.30 before the run,"
                + " 2.10 1.90 1.20 after it.")
        .contains("sender CPU 8.00 µs per send")
        .contains("**cheenhub-sfu and Janus 1.1.2, scenarios (a) and (c)**")
        .contains("| (a) 1 room × 50, 3 talking | cheenhub-sfu | 50 / 0 |")
        .contains("| (c) 1 room, 10 talking, 40 listening (capacity) | cheenhub-sfu |")
        // Janus held its only step: the search stopped first.
        .contains(
            "| (c) 1 room, 10 talking, 40 listening (the most tried; capacity ≥) | Janus 1.1.2 |")
        // 6 s / 300 000 packets = 20 µs against Janus's 12 s = 40 µs; (c) 10 µs against 16.7 µs.
        .contains("(a) **0.50** (met); (c) **0.60** (not met) at 40 listeners")
        .contains("| cheenhub-sfu | 80 | 90 / 0 |")
        // Janus has no latency histogram: n/a, without a unit.
        .contains("| Janus 1.1.2 | 40 | 50 / 0 | 5000 | 0.000 % | 5.00 ms | n/a |")
        .contains(
            "This machine takes **40 listeners** for 10 talkers at < 1 % loss on cheenhub-sfu"
                + " (bots and server share its cores).\n")
        .contains("| cheenhub-sfu | 0.530 % of a core (0.64 s in 120 s), load 1.0 1.0 1.0 |")
        .contains(
            "| Janus | 0.300 % of a core (0.36 s in 120 s), load 1.0 1.0 1.0 | other 0.300 %; |")
        // Scenarios that did not run leave no empty rows.
        .doesNotContain("(b) 10 rooms")
        .doesNotContain("(d) churn")
        .doesNotContain("(no result)");
  }

  @Test
  void aSearchThatNeverFailedGivesOnlyALowerBound() throws IOException {
    write("machine.txt", MACHINE);
    write("floor.txt", FLOOR);
    write("c-sfu-20.json", new ResultJson().room(10, 30));
    write("c-sfu-40.json", new ResultJson().room(10, 50));

    assertThat(BenchmarkReport.render(dir))
        .contains(
            "This machine takes at least **40 listeners** for 10 talkers at < 1 % loss on"
                + " cheenhub-sfu (bots and server share its cores); every step held, the search"
                + " stopped first.");
  }

  @Test
  void aJanusOnlyRunHasNoCheenhubTables() throws IOException {
    write("machine.txt", MACHINE);
    write("floor.txt", FLOOR);
    write("a-janus.json", new ResultJson().room(3, 50).serverCpu(12, -1));

    String md = BenchmarkReport.render(dir);

    assertThat(md)
        .contains("| (a) 1 room × 50, 3 talking | Janus 1.1.2 |")
        .doesNotContain("cheenhub-sfu, every scenario")
        .doesNotContain("listeners added until");
  }

  @Test
  void mainReplacesThePreviousRunsSectionAndKeepsTheRestOfTheDoc() throws IOException {
    write("machine.txt", MACHINE);
    write("floor.txt", FLOOR);
    write("a-sfu.json", new ResultJson().room(3, 50));
    Path doc = dir.resolve("benchmarks.md");
    Files.writeString(
        doc,
        "# Benchmarks\n\nbefore\n\n"
            + BenchmarkReport.BEGIN
            + "\nold numbers\n"
            + BenchmarkReport.END
            + "\n\nafter\n");

    BenchmarkReport.main(new String[] {dir.toString(), doc.toString()});

    String text = Files.readString(doc);
    assertThat(text)
        .startsWith("# Benchmarks\n\nbefore\n\n" + BenchmarkReport.BEGIN)
        .endsWith(BenchmarkReport.END + "\n\nafter\n")
        .doesNotContain("old numbers")
        .contains("at commit `abc1234`");
  }

  @Test
  void machineFieldsCoresAndJanusVersion() {
    var machine = BenchmarkReport.machine("cpu: 2 x AMD EPYC 7B13\ndate: 2026-12-08T10:00Z\n");
    assertThat(machine).containsEntry("cpu", "2 x AMD EPYC 7B13");
    assertThat(BenchmarkReport.cores(machine)).isEqualTo(2); // older runs: no nproc line
    assertThat(BenchmarkReport.cores(BenchmarkReport.machine("nproc: 16\n"))).isEqualTo(16);
    assertThat(BenchmarkReport.cores(BenchmarkReport.machine("date: x\n"))).isEqualTo(-1);
    assertThat(BenchmarkReport.janusName("1.1.2-1")).isEqualTo("Janus 1.1.2");
    assertThat(BenchmarkReport.janusName("not installed")).isEqualTo("Janus");
    assertThat(BenchmarkReport.floorMicros(FLOOR)).isEqualTo(8.0);
    assertThat(BenchmarkReport.floorMicros("no floor")).isNaN();
  }

  private void write(String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text);
  }

  private void write(String name, ResultJson result) throws IOException {
    JsonObject json = result.build();
    Files.writeString(dir.resolve(name), json.toString());
  }
}
