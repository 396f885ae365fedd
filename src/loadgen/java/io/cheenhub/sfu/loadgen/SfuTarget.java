package io.cheenhub.sfu.loadgen;

import io.cheenhub.sfu.loadgen.server.ProcessStats;
import io.cheenhub.sfu.loadgen.server.ServerProbe;
import io.cheenhub.sfu.loadgen.server.SfuProbe;
import io.cheenhub.sfu.loadgen.signal.SfuSignaling;
import io.cheenhub.sfu.loadgen.signal.Signaling;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.concurrent.ExecutorService;

/** cheenhub-sfu: WebSocket signaling at {@code /ws}, the probe on its REST and metrics. */
final class SfuTarget implements ServerTarget {

  private final HttpClient http;
  private final URI webSocket;
  private final SfuProbe probe;
  private final ExecutorService work;

  SfuTarget(HttpClient http, URI server, ProcessStats process, ExecutorService work) {
    this.http = http;
    this.webSocket = URI.create(server.toString().replaceFirst("^http", "ws")).resolve("ws");
    this.probe = new SfuProbe(http, server, process);
    this.work = work;
  }

  @Override
  public void prepare(List<String> rooms, int publishersPerRoom) {
    // rooms exist from their first join
  }

  @Override
  public Signaling signaling(String room) throws IOException {
    return new SfuSignaling(http, webSocket, work);
  }

  @Override
  public ServerProbe probe() {
    return probe;
  }

  @Override
  public long transportsActive() throws IOException {
    return probe.transportsActive();
  }

  @Override
  public void close() {}
}
