package io.cheenhub.sfu.loadgen;

import io.cheenhub.sfu.loadgen.bot.Bot;
import io.cheenhub.sfu.loadgen.server.ServerProbe;
import io.cheenhub.sfu.loadgen.stats.BucketDeltas;
import io.cheenhub.sfu.loadgen.stats.Histogram;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A long run's watch over its measured window (issue 14): every {@code --soak-sample} s the
 * server's resources (heap after GC, threads, open files, UDP sockets) and the bots' counters;
 * every {@code --report-interval} s a slice with its own delay and server-latency percentiles and
 * loss. Readings happen on one thread of its own at fixed offsets from the window's start; the
 * bots' statistics are read on their media loops, so the packet path records into fixed histograms
 * only.
 */
final class Soak {

  /** What the run lets the soak read. */
  interface Bots {
    /** Packets the bots have sent, all time. */
    long sent();

    /** Packets the bots have received, all time. */
    long received();

    /** Unique packets received and lost so far over every stream (read on the media loops). */
    Bot.Heard heardSoFar() throws Exception;

    /** The delays recorded since the last call, merged over the loops, which then start afresh. */
    Histogram takeSliceDelays() throws Exception;
  }

  /** A moment in the window where the soak reads something, seconds after its start. */
  record Edge(int atSeconds, boolean sample, boolean sliceEnd) {}

  private final ServerProbe probe;
  private final Bots bots;
  private final int durationSeconds;
  private final int sampleEverySeconds;
  private final int reportIntervalSeconds;
  private final boolean progress;
  private final ScheduledThreadPoolExecutor scheduler;
  private final List<SoakReport.Sample> samples = new CopyOnWriteArrayList<>();
  private final List<SoakReport.Slice> slices = new CopyOnWriteArrayList<>();
  private long startNanos;
  private long sentBase;
  private long receivedBase;
  private Bot.Heard heardBase;
  private volatile Mark sliceStart;
  private final AtomicInteger readErrors = new AtomicInteger();

  /** The counters where the current slice began. */
  private record Mark(
      double atSeconds, long sent, long received, Bot.Heard heard, ServerProbe.Sample server) {}

  Soak(ServerProbe probe, Bots bots, Options options) {
    this.probe = probe;
    this.bots = bots;
    this.durationSeconds = options.durationSeconds();
    this.sampleEverySeconds = options.soakSampleSeconds();
    this.reportIntervalSeconds = options.reportIntervalSeconds();
    this.progress = options.progress();
    this.scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "soak");
              thread.setDaemon(true);
              return thread;
            });
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Whether the options ask for anything. */
  static boolean wanted(Options options) {
    return options.soakSampleSeconds() > 0 || options.reportIntervalSeconds() > 0;
  }

  /**
   * The readings inside a window of {@code duration} s, after the one at its start and before the
   * one at its end (which {@link #start} and {@link #finish} take); 0 turns a kind off.
   */
  static List<Edge> edges(int duration, int sampleEvery, int reportInterval) {
    var edges = new ArrayList<Edge>();
    for (int at = 1; at < duration; at++) {
      boolean sample = sampleEvery > 0 && at % sampleEvery == 0;
      boolean sliceEnd = reportInterval > 0 && at % reportInterval == 0;
      if (sample || sliceEnd) {
        edges.add(new Edge(at, sample, sliceEnd));
      }
    }
    return edges;
  }

  /**
   * The window starts now; {@code server} is the run's own reading at its start (the first slice's
   * baseline). The bots' delay histograms must have been reset with the window.
   */
  void start(ServerProbe.Sample server) throws Exception {
    startNanos = System.nanoTime();
    heardBase = bots.heardSoFar(); // the same order as every later reading
    sentBase = bots.sent();
    receivedBase = bots.received();
    sliceStart = new Mark(0, sentBase, receivedBase, heardBase, server);
    if (sampleEverySeconds > 0) {
      sample(0, heardBase, sentBase, receivedBase);
    }
    for (Edge edge : edges(durationSeconds, sampleEverySeconds, reportIntervalSeconds)) {
      long delay = startNanos + TimeUnit.SECONDS.toNanos(edge.atSeconds()) - System.nanoTime();
      scheduler.schedule(() -> read(edge, null), Math.max(0, delay), TimeUnit.NANOSECONDS);
    }
  }

  /** The window ended; {@code server} is the run's reading at its end. */
  SoakReport finish(ServerProbe.Sample server) throws InterruptedException {
    scheduler.shutdown(); // cancels readings not yet due, lets one under way finish
    if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
      scheduler.shutdownNow();
    }
    read(
        new Edge(-1, sampleEverySeconds > 0, reportIntervalSeconds > 0),
        server); // the window's end, wherever it fell
    return new SoakReport(
        sampleEverySeconds,
        reportIntervalSeconds,
        List.copyOf(samples),
        List.copyOf(slices),
        readErrors.get());
  }

  private void read(Edge edge, ServerProbe.Sample serverAtEnd) {
    double at = (System.nanoTime() - startNanos) / 1e9;
    try {
      Bot.Heard heard = bots.heardSoFar();
      long sent = bots.sent();
      long received = bots.received();
      if (edge.sample()) {
        sample(at, heard, sent, received);
      }
      if (edge.sliceEnd()) {
        endSlice(at, heard, sent, received, serverAtEnd);
      }
    } catch (Exception e) {
      readErrors.incrementAndGet();
      System.out.printf("soak: reading at %.0f s failed: %s%n", at, e);
    }
  }

  private void sample(double at, Bot.Heard heard, long sent, long received) {
    ServerProbe.Resources resources;
    try {
      resources = probe.resources();
    } catch (IOException e) {
      readErrors.incrementAndGet();
      System.out.printf("soak: server resources at %.0f s: %s%n", at, e);
      resources = ServerProbe.Resources.UNKNOWN;
    }
    var sample =
        new SoakReport.Sample(
            at,
            resources.heapAfterGcBytes(),
            resources.heapUsedBytes(),
            resources.gcCount(),
            resources.threads(),
            resources.openFiles(),
            resources.udpSockets(),
            sent - sentBase,
            received - receivedBase,
            heard.lost() - heardBase.lost());
    samples.add(sample);
    if (progress) {
      System.out.println("soak " + sample.describe());
    }
  }

  private void endSlice(
      double at, Bot.Heard heard, long sent, long received, ServerProbe.Sample serverAtEnd)
      throws Exception {
    ServerProbe.Sample server = serverAtEnd;
    if (server == null) {
      try {
        server = probe.sample();
      } catch (IOException e) {
        readErrors.incrementAndGet();
        System.out.printf("soak: server sample at %.0f s: %s%n", at, e);
      }
    }
    Histogram delay = bots.takeSliceDelays();
    Mark from = sliceStart;
    boolean serverKnown = server != null && from.server() != null;
    var slice =
        new SoakReport.Slice(
            from.atSeconds(),
            at,
            sent - from.sent(),
            received - from.received(),
            serverKnown ? server.packetsForwarded() - from.server().packetsForwarded() : -1,
            heard.received() - from.heard().received(),
            heard.lost() - from.heard().lost(),
            delay.count(),
            delay.percentileMicros(50),
            delay.percentileMicros(95),
            delay.percentileMicros(99),
            delay.maxMicros(),
            serverKnown ? serverLatency(from.server(), server, 50) : -1,
            serverKnown ? serverLatency(from.server(), server, 99) : -1);
    slices.add(slice);
    sliceStart = new Mark(at, sent, received, heard, server);
    if (progress) {
      System.out.println("soak " + slice.describe());
    }
  }

  private static long serverLatency(
      ServerProbe.Sample before, ServerProbe.Sample after, double percentile) {
    return BucketDeltas.percentile(before.latencyBuckets(), after.latencyBuckets(), percentile);
  }
}
