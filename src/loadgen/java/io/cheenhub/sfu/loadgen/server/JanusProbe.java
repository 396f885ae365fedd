package io.cheenhub.sfu.loadgen.server;

import io.cheenhub.sfu.loadgen.janus.JanusApi;
import java.io.IOException;
import java.util.Map;

/**
 * Janus seen from outside: CPU and memory from /proc, packets forwarded as the sum of every
 * handle's outgoing media packets from the Admin API ({@code handle_info}), handles as its
 * transports. Janus publishes no forwarding latency or drop counters.
 */
public final class JanusProbe implements ServerProbe {

  private final JanusApi api;
  private final ProcessStats process;

  public JanusProbe(JanusApi api, ProcessStats process) {
    this.api = api;
    this.process = process;
  }

  @Override
  public String describe() {
    return "Janus VideoRoom" + (process == null ? "" : " (pid " + process.pid() + ")");
  }

  @Override
  public Sample sample() throws IOException {
    long at = System.nanoTime();
    JanusApi.AdminStats stats = api.adminStats();
    return new Sample(
        at,
        process == null ? -1 : process.cpuSeconds(),
        process == null ? -1 : process.residentBytes(),
        -1,
        -1,
        -1,
        stats.packetsOut(),
        stats.handles(),
        Map.of(),
        Map.of(),
        Map.of());
  }

  @Override
  public Resources resources() throws IOException {
    if (process == null) {
      return Resources.UNKNOWN;
    }
    OpenResources open = process.openResources();
    return new Resources(-1, -1, -1, open.threads(), open.openFiles(), open.udpSockets());
  }

  @Override
  public double cpuSeconds() throws IOException {
    return process == null ? -1 : process.cpuSeconds();
  }
}
