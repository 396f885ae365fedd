package io.cheenhub.sfu.loadgen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IdleCpuTest {

  @Test
  void threadsAreGroupedByWhatTheyDo() {
    assertThat(IdleCpu.group("C2 CompilerThread0")).isEqualTo("JIT");
    assertThat(IdleCpu.group("hz.magical_joliot.cached.thread-3")).isEqualTo("Hazelcast");
    assertThat(
            IdleCpu.group("java:app/concurrent/sfu-signaling-timers-managedThreadFactory-Thread-1"))
        .isEqualTo("sfu timers");
    assertThat(
            IdleCpu.group("java:app/concurrent/sfu-transport-timers-managedThreadFactory-Thread-1"))
        .isEqualTo("sfu timers");
    assertThat(
            IdleCpu.group("java:app/concurrent/sfu-packet-workers-managedThreadFactory-Thread-2"))
        .isEqualTo("sfu workers");
    assertThat(IdleCpu.group("ice4j.Agent-timer-pool-1-thread-1")).isEqualTo("ice4j");
    assertThat(
            IdleCpu.group(
                "org.ice4j.ice.harvest.AbstractUdpListener thread for 127.0.0.1:10000/udp"))
        .isEqualTo("ice4j");
    assertThat(IdleCpu.group("payara-executor-service-scheduled-task"))
        .isEqualTo("Payara executors");
    assertThat(IdleCpu.group("VM Periodic Task Thread")).isEqualTo("JVM");
    assertThat(IdleCpu.group("janus")).isEqualTo("other");
  }

  @Test
  void theReportGivesTheShareOfACoreAndTheSplit() {
    var reading =
        new IdleCpu.Reading(
            100,
            0.5,
            Map.of(
                "C2 CompilerThread0", 200_000_000L,
                "C1 CompilerThread0", 100_000_000L,
                "G1 Service", 50_000_000L));

    String report = IdleCpu.report(reading, "0.10 0.20 0.30");

    assertThat(report)
        .startsWith("idle cpu: 0.500 % of a core (0.50 s in 100 s), load 0.10 0.20 0.30")
        .contains("by group (schedstat): JIT 0.300 %; GC 0.050 %;")
        .contains("  0.300 %     300.0 ms  C# CompilerThread#");
  }

  @Test
  void itMeasuresALiveProcess() throws Exception {
    IdleCpu.Reading reading = IdleCpu.measure(ProcessHandle.current().pid(), 1);

    assertThat(reading.seconds()).isGreaterThanOrEqualTo(1);
    assertThat(reading.nanosByThread()).isNotEmpty();
  }
}
