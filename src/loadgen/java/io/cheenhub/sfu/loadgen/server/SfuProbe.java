package io.cheenhub.sfu.loadgen.server;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * cheenhub-sfu seen from outside: {@code /api/forwarding} (packets forwarded, drops, the latency
 * histogram's buckets), {@code /metrics} (heap, GC, transports, transport drops) and, when the
 * process is on this host, its CPU time from /proc.
 */
public final class SfuProbe implements ServerProbe {

  private final HttpClient http;
  private final URI base;
  private final ProcessStats process;

  /** {@code process} may be null (a remote server: no CPU figures). */
  public SfuProbe(HttpClient http, URI base, ProcessStats process) {
    this.http = http;
    this.base = base;
    this.process = process;
  }

  @Override
  public String describe() {
    return "cheenhub-sfu at " + base + (process == null ? "" : " (pid " + process.pid() + ")");
  }

  @Override
  public Sample sample() throws IOException {
    long at = System.nanoTime();
    JsonObject forwarding = Json.createReader(new StringReader(get("api/forwarding"))).readObject();
    var metrics = new Prometheus(get("/metrics"));
    var drops = new TreeMap<String, Long>();
    forwarding
        .getJsonObject("drops")
        .forEach(
            (reason, count) -> drops.put("forwarding/" + reason, Long.parseLong(count.toString())));
    metrics
        .byLabel("sfu_media_drops_total", "reason")
        .forEach((reason, count) -> drops.put("transport/" + reason, count));
    var latency = new TreeMap<Long, Long>();
    forwarding
        .getJsonObject("latency")
        .getJsonObject("buckets")
        .forEach(
            (top, count) -> latency.put(Long.parseLong(top), Long.parseLong(count.toString())));
    return new Sample(
        at,
        process == null ? -1 : process.cpuSeconds(),
        process == null ? -1 : process.residentBytes(),
        (long) metrics.sum("memory_usedHeap_bytes", ""),
        (long) metrics.sum("gc_total", ""),
        metrics.sum("gc_time_seconds_total", ""),
        forwarding.getJsonNumber("packetsForwarded").longValue(),
        (long) metrics.sum("sfu_transports_active", ""),
        drops,
        latency,
        process == null ? Map.of() : process.cpuByThreadGroup());
  }

  @Override
  public Resources resources() throws IOException {
    var metrics = new Prometheus(get("/metrics"));
    OpenResources open = process == null ? OpenResources.UNKNOWN : process.openResources();
    // 0 until the first collection after the application started: not a reading yet.
    long afterGc = (long) metrics.sum("sfu_heap_after_gc_bytes", "");
    return new Resources(
        afterGc > 0 ? afterGc : -1,
        (long) metrics.sum("memory_usedHeap_bytes", ""),
        (long) metrics.sum("gc_total", ""),
        open.threads() >= 0 ? open.threads() : (long) metrics.sum("thread_count", ""),
        open.openFiles(),
        open.udpSockets());
  }

  @Override
  public long liveHeapBytes() throws IOException {
    if (process == null || !process.collectGarbage()) {
      return -1;
    }
    return (long) new Prometheus(get("/metrics")).sum("memory_usedHeap_bytes", "");
  }

  @Override
  public double cpuSeconds() throws IOException {
    return process == null ? -1 : process.cpuSeconds();
  }

  /** Heap, GC and transports only: for watching a server settle after a run. */
  public long transportsActive() throws IOException {
    return (long) new Prometheus(get("/metrics")).sum("sfu_transports_active", "");
  }

  /** {@code path} relative to the application, or absolute ({@code /metrics} is the server's). */
  private String get(String path) throws IOException {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException("GET " + path + " answered " + response.statusCode());
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
