package io.cheenhub.sfu.loadgen;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

/** A load generator result with the fields the benchmark report reads, for report tests. */
final class ResultJson {

  private int talkers = 10;
  private int participants = 50;
  private double windowSeconds = 60;
  private long forwarded = 300_000;
  private double lossPercent;
  private int connected = 50;
  private int failed;
  private long serverLatencyP99Micros = -1;
  private long delayP99Micros = 5_000;
  private double serverCpuSeconds = 6;
  private double mediaMicros = -1;
  private double loadgenCpuSeconds = 30;
  private long residentBytes = 100L << 20;
  private String loadAverage = "2.50 1.00 0.50";

  ResultJson room(int talkers, int participants) {
    this.talkers = talkers;
    this.participants = participants;
    this.connected = participants;
    return this;
  }

  ResultJson window(double seconds, long forwarded) {
    this.windowSeconds = seconds;
    this.forwarded = forwarded;
    return this;
  }

  ResultJson loss(double percent) {
    this.lossPercent = percent;
    return this;
  }

  ResultJson failed(int failed) {
    this.failed = failed;
    this.connected = participants - failed;
    return this;
  }

  ResultJson latency(long serverP99Micros, long delayP99Micros) {
    this.serverLatencyP99Micros = serverP99Micros;
    this.delayP99Micros = delayP99Micros;
    return this;
  }

  ResultJson serverCpu(double seconds, double mediaMicrosPerForwarded) {
    this.serverCpuSeconds = seconds;
    this.mediaMicros = mediaMicrosPerForwarded;
    return this;
  }

  ResultJson loadgenCpu(double seconds) {
    this.loadgenCpuSeconds = seconds;
    return this;
  }

  ResultJson resident(long bytes) {
    this.residentBytes = bytes;
    return this;
  }

  ResultJson load(String loadAverage) {
    this.loadAverage = loadAverage;
    return this;
  }

  JsonObject build() {
    JsonObjectBuilder byThreads = Json.createObjectBuilder();
    if (mediaMicros >= 0) {
      byThreads.add("media", mediaMicros).add("jit", 1.0).add("gc", 0.1).add("other", 0.5);
    }
    double perPacket = serverCpuSeconds < 0 ? -1 : serverCpuSeconds * 1e6 / forwarded;
    return Json.createObjectBuilder()
        .add("server", "test")
        .add(
            "options",
            Json.createObjectBuilder()
                .add("participants", participants)
                .add("talkers", talkers)
                .add("rooms", 1))
        .add("windowSeconds", windowSeconds)
        .add("connected", connected)
        .add("failed", failed)
        .add("churnCycles", 0)
        .add("packetsForwarded", forwarded)
        .add("lossPercent", lossPercent)
        .add("loadgenCpuSeconds", loadgenCpuSeconds)
        .add("loadAverage", loadAverage)
        .add(
            "delayMicros",
            Json.createObjectBuilder()
                .add("p50", 1_000)
                .add("p95", 2_000)
                .add("p99", delayP99Micros)
                .add("max", 9_000))
        .add(
            "serverLatencyMicros",
            Json.createObjectBuilder()
                .add("p50", serverLatencyP99Micros < 0 ? -1 : 100)
                .add("p95", serverLatencyP99Micros < 0 ? -1 : 500)
                .add("p99", serverLatencyP99Micros))
        .add("serverCpuSeconds", serverCpuSeconds)
        .add("serverCpuMicrosPerForwarded", perPacket)
        .add("serverCpuMicrosPerForwardedByThreads", byThreads)
        .add(
            "serverHeapBytes",
            Json.createObjectBuilder()
                .add("before", -1)
                .add("after", -1)
                .add("floorFirstQuarter", -1)
                .add("floorLastQuarter", -1))
        .add("serverGc", Json.createObjectBuilder().add("count", 0).add("seconds", 0))
        .add("serverResidentBytes", residentBytes)
        .add("serverDrops", Json.createObjectBuilder())
        .add("transportsLeftAfterLeave", 0)
        .build();
  }
}
