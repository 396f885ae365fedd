package io.cheenhub.sfu.loadgen;

import io.cheenhub.sfu.loadgen.bot.Bot;
import io.cheenhub.sfu.loadgen.peer.MediaLoop;
import io.cheenhub.sfu.loadgen.server.ServerProbe;
import io.cheenhub.sfu.loadgen.stats.Histogram;
import io.cheenhub.sfu.loadgen.stats.SsrcCounts;
import io.cheenhub.sfu.loadgen.stats.StreamStats;
import io.cheenhub.sfu.transport.dtls.DtlsCertificate;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One load run: fills the rooms with bots according to the profile, measures a window (bots'
 * counters and the server's probe before and after), stops the talkers, lets the last packets
 * arrive, computes what every bot heard, makes everyone leave and checks the server let go of every
 * transport.
 */
final class Run implements AutoCloseable {

  /** Joins that may be in flight at once (each blocks a thread through ICE and DTLS). */
  private static final int JOIN_THREADS = 16;

  /** Wait after a full GC in the server before the window starts (ms). */
  private static final long AFTER_FULL_GC_MILLIS = 2_000;

  private final Options options;
  private final ServerTarget target;
  private final List<MediaLoop> loops = new ArrayList<>();
  private final List<Bot.LoopStats> loopStats = new ArrayList<>();
  private final ExecutorService handshakes;
  private final ExecutorService joins;
  private final DtlsCertificate certificate = DtlsCertificate.generate();
  private final List<Bot> bots = new CopyOnWriteArrayList<>();
  private final List<Bot> departed = new CopyOnWriteArrayList<>();
  private final List<String> rooms = new ArrayList<>();
  private final AtomicInteger nextIndex = new AtomicInteger();
  private final AtomicInteger churnCycles = new AtomicInteger();
  private final SplittableRandom random = new SplittableRandom(42);
  private final int maxBots;
  private final Bot.Config botConfig;
  private final long startNanos = System.nanoTime();
  private final List<Long> heapSamples = new CopyOnWriteArrayList<>();
  private volatile String phase = "start";
  private volatile long lastSent;
  private volatile long lastReceived;

  Run(Options options, ServerTarget target) {
    this.options = options;
    this.target = target;
    this.handshakes = Executors.newCachedThreadPool(daemon("dtls"));
    this.joins = Executors.newFixedThreadPool(JOIN_THREADS, daemon("join"));
    for (int i = 0; i < options.botThreads(); i++) {
      loops.add(new MediaLoop("bot-media-" + i));
      loopStats.add(new Bot.LoopStats());
    }
    int perRoom =
        options.participants() + (options.profile() == Options.Profile.SPIKE ? options.spike() : 0);
    int churnBots =
        options.profile() == Options.Profile.CHURN
            ? (int) Math.ceil(options.churnRate() * options.durationSeconds()) + 16
            : 0;
    this.maxBots = options.rooms() * perRoom + churnBots;
    this.botConfig =
        Bot.Config.DEFAULT
            .withLayers(options.layers())
            .withReceiverReports(Duration.ofMillis(options.receiverReportMillis()))
            .withBitrate(options.bitrateBps())
            .withListenEvery(options.listenEvery())
            .withListenersPublish(options.listenersPublish());
    for (int r = 0; r < options.rooms(); r++) {
      rooms.add("load-" + Long.toHexString(System.currentTimeMillis() & 0xFFFFFF) + "-" + r);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  Result execute() throws Exception {
    target.prepare(rooms, options.talkers() + 1);
    if (options.liveHeap()) {
      liveHeapIdle = target.probe().liveHeapBytes();
    }
    ServerProbe.Sample idle = target.probe().sample();
    var progress = Executors.newSingleThreadScheduledExecutor(daemon("progress"));
    progress.scheduleAtFixedRate(this::progress, 1, 1, TimeUnit.SECONDS);
    try {
      ServerProbe.Sample before;
      long windowStart;
      switch (options.profile()) {
        case RAMP -> {
          before = startWindow();
          windowStart = System.nanoTime();
          phase = "ramp";
          fill(options.participants(), options.rampRate());
          phase = "hold";
          sleepUntil(windowStart + TimeUnit.SECONDS.toNanos(options.durationSeconds()));
        }
        case SPIKE -> {
          phase = "fill";
          fill(options.participants(), options.rampRate());
          settle();
          before = startWindow();
          windowStart = System.nanoTime();
          phase = "before spike";
          sleepUntil(windowStart + TimeUnit.SECONDS.toNanos(options.durationSeconds()) / 2);
          phase = "spike";
          fill(options.spike(), 1_000, 0); // listeners only
          phase = "after spike";
          sleepUntil(windowStart + TimeUnit.SECONDS.toNanos(options.durationSeconds()));
        }
        case CHURN -> {
          phase = "fill";
          fill(options.participants(), options.rampRate());
          settle();
          before = startWindow();
          windowStart = System.nanoTime();
          phase = "churn";
          churnUntil(windowStart + TimeUnit.SECONDS.toNanos(options.durationSeconds()));
        }
        default -> {
          phase = "fill";
          fill(options.participants(), options.rampRate());
          settle();
          before = startWindow();
          windowStart = System.nanoTime();
          phase = "measure";
          sleepUntil(windowStart + TimeUnit.SECONDS.toNanos(options.durationSeconds()));
        }
      }
      long windowNanos = System.nanoTime() - windowStart;
      ServerProbe.Sample after = target.probe().sample();
      SoakReport soakReport = soak == null ? null : soak.finish(after);
      long sentInWindow = sent() - windowSent;
      long receivedInWindow = received() - windowReceived;
      SsrcCounts.Window atWindowEnd = ssrcWindows();
      long ownCpu = ownCpuNanos() - windowOwnCpuNanos;
      String loadAverage = loadAverage();
      phase = "drain";
      for (Bot bot : bots) {
        bot.stopTalking();
      }
      Thread.sleep(1_000);
      var result = measure(idle, before, after, windowNanos, sentInWindow, receivedInWindow);
      result.receivedBytesInWindow = atWindowEnd.bytes();
      result.loadgenCpuSeconds = ownCpu / 1e9;
      result.loadAverage = loadAverage;
      result.liveHeapIdle = liveHeapIdle;
      long liveHeapAfter = -1;
      if (measuresLiveHeap()) {
        // As many participants as before the window (churn: hundreds of others came and went;
        // soak: an hour passed): live heap after a full GC should be where it started. Only now:
        // the pause delays packets in flight, which must not reach the window's delay and jitter.
        liveHeapAfter = target.probe().liveHeapBytes();
      }
      phase = "leave";
      leaveAll();
      result.transportsLeftAfterLeave = awaitTransportsGone(idle.transportsActive());
      result.liveHeapBefore = liveHeapBefore;
      result.liveHeapAfter = liveHeapAfter;
      result.soak = soakReport;
      return result;
    } finally {
      progress.shutdownNow();
    }
  }

  /** Joins {@code perRoom} bots into every room at {@code rate} joins/s; the room's first talk. */
  private void fill(int perRoom, double rate) throws InterruptedException {
    fill(perRoom, rate, options.talkers());
  }

  /**
   * Joins {@code perRoom} bots into every room at {@code rate} joins/s; the first {@code talkers}
   * talk.
   */
  private void fill(int perRoom, double rate, int talkers) throws InterruptedException {
    var joining = new ArrayList<CompletableFuture<Void>>();
    long interval = (long) (1e9 / rate);
    long next = System.nanoTime();
    for (int i = 0; i < perRoom; i++) {
      for (String room : rooms) {
        joining.add(startBot(room, i < talkers));
        next += interval;
        sleepUntil(next);
      }
    }
    CompletableFuture.allOf(joining.toArray(CompletableFuture[]::new))
        .exceptionally(e -> null)
        .join();
  }

  private CompletableFuture<Void> startBot(String room, boolean talker) {
    int index = nextIndex.getAndIncrement();
    if (index >= maxBots) {
      throw new IllegalStateException("more bots than planned: " + maxBots);
    }
    int loop = index % loops.size();
    return CompletableFuture.runAsync(
        () -> {
          Bot bot;
          try {
            bot =
                new Bot(
                    index,
                    maxBots,
                    room,
                    "bot" + index,
                    talker,
                    target.signaling(room),
                    loops.get(loop),
                    loopStats.get(loop),
                    options.bind(),
                    certificate,
                    handshakes,
                    botConfig);
          } catch (IOException e) {
            failedToStart.add(e.toString());
            return;
          }
          bots.add(bot);
          bot.connect();
        },
        joins);
  }

  private final List<String> failedToStart = new CopyOnWriteArrayList<>();

  /**
   * Gives the last joiners' first packets time to flow, and the server's JIT time to finish what
   * the joins made it compile, before measuring.
   */
  private void settle() throws InterruptedException {
    Thread.sleep(5_000);
  }

  private void churnUntil(long deadline) throws InterruptedException {
    long interval = (long) (1e9 / options.churnRate());
    long next = System.nanoTime() + interval;
    var pending = new ArrayList<CompletableFuture<Void>>();
    while (next < deadline) {
      sleepUntil(next);
      next += interval;
      List<Bot> listeners =
          bots.stream().filter(b -> !b.talker() && b.state() == Bot.State.CONNECTED).toList();
      if (listeners.isEmpty()) {
        continue;
      }
      Bot leaving = listeners.get(random.nextInt(listeners.size()));
      bots.remove(leaving);
      departed.add(leaving);
      String room = leaving.room();
      pending.add(CompletableFuture.runAsync(leaving::leave, joins));
      pending.add(startBot(room, false));
      churnCycles.incrementAndGet();
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .exceptionally(e -> null)
        .join();
  }

  private void leaveAll() {
    var leaving = new ArrayList<CompletableFuture<Void>>();
    for (Bot bot : bots) {
      leaving.add(CompletableFuture.runAsync(bot::leave, joins));
    }
    CompletableFuture.allOf(leaving.toArray(CompletableFuture[]::new))
        .exceptionally(e -> null)
        .join();
  }

  /** Waits up to 20 s for the server's transports to fall back to {@code baseline}. */
  private long awaitTransportsGone(long baseline) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long active = target.transportsActive();
    while (active > Math.max(0, baseline) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      active = target.transportsActive();
    }
    return active < 0 ? -1 : active - Math.max(0, baseline);
  }

  private long liveHeapBefore = -1;
  private Soak soak;
  private volatile long windowSent;
  private volatile long windowReceived;

  /**
   * Takes the live heap where the run compares it, resets the bots' delay histograms, notes their
   * counters, samples the server and starts the soak's readings if asked for.
   */
  private ServerProbe.Sample startWindow() throws Exception {
    if (measuresLiveHeap()) {
      liveHeapBefore = target.probe().liveHeapBytes();
      // The full GC's pause held packets back; let them arrive before the window starts.
      Thread.sleep(AFTER_FULL_GC_MILLIS);
    }
    resetDelays();
    markBots();
    windowOwnCpuNanos = ownCpuNanos();
    windowSent = sent();
    windowReceived = received();
    ServerProbe.Sample sample = target.probe().sample();
    if (Soak.wanted(options)) {
      soak = new Soak(target.probe(), new SoakBots(), options);
      soak.start(sample);
    }
    return sample;
  }

  private void resetDelays() throws Exception {
    for (int i = 0; i < loops.size(); i++) {
      Bot.LoopStats stats = loopStats.get(i);
      onLoop(
          i,
          () -> {
            stats.delay.reset();
            stats.sliceDelay.reset();
          });
    }
  }

  /**
   * Churn and soak runs compare the live heap (after a full GC) before and after the window; {@code
   * --live-heap} runs take it too, for memory per participant.
   */
  private boolean measuresLiveHeap() {
    return options.profile() == Options.Profile.CHURN || Soak.wanted(options) || options.liveHeap();
  }

  private long liveHeapIdle = -1;
  private long windowOwnCpuNanos;

  /** The load generator's own CPU time (all its threads), ns. */
  private static long ownCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * The host's load average at the window's end, as /proc/loadavg gives it ("1-min 5-min 15-min"),
   * so a report can say how busy the shared cores were; "n/a" where there is no /proc.
   */
  private static String loadAverage() {
    try {
      String[] fields =
          java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException | ArrayIndexOutOfBoundsException e) {
      return "n/a";
    }
  }

  /** Starts every bot's window on its loop: stamps and SSRC counts, slot drops. */
  private void markBots() throws Exception {
    for (int i = 0; i < loops.size(); i++) {
      MediaLoop loop = loops.get(i);
      onLoop(
          i,
          () -> {
            for (Bot bot : bots) {
              if (bot.loop() == loop) {
                bot.mark();
              }
            }
          });
    }
  }

  /** What every bot's subscribe PeerConnection received since its mark, read on the loops. */
  private SsrcCounts.Window ssrcWindows() throws Exception {
    var total = new SsrcCounts.Window(0, 0, 0, 0);
    for (MediaLoop loop : loops) {
      var sum = new CompletableFuture<SsrcCounts.Window>();
      loop.execute(
          () -> {
            var window = new SsrcCounts.Window(0, 0, 0, 0);
            for (Bot bot : bots) {
              if (bot.loop() == loop) {
                window = window.plus(bot.ssrcWindow());
              }
            }
            sum.complete(window);
          });
      total = total.plus(sum.get(5, TimeUnit.SECONDS));
    }
    return total;
  }

  /** The bots as the soak reads them: their statistics on their own media loops. */
  private final class SoakBots implements Soak.Bots {

    @Override
    public long sent() {
      return Run.this.sent();
    }

    @Override
    public long received() {
      return Run.this.received();
    }

    @Override
    public Bot.Heard heardSoFar() throws Exception {
      List<Bot> everyone = new ArrayList<>(bots);
      everyone.addAll(departed);
      var total = new Bot.Heard(0, 0);
      for (MediaLoop loop : loops) {
        var heard = new CompletableFuture<Bot.Heard>();
        loop.execute(
            () -> {
              var sum = new Bot.Heard(0, 0);
              for (Bot bot : everyone) {
                if (bot.loop() == loop) {
                  sum = sum.plus(bot.heardSoFar());
                }
              }
              heard.complete(sum);
            });
        total = total.plus(heard.get(5, TimeUnit.SECONDS));
      }
      return total;
    }

    @Override
    public Histogram takeSliceDelays() throws Exception {
      var all = new Histogram();
      for (int i = 0; i < loops.size(); i++) {
        Bot.LoopStats stats = loopStats.get(i);
        var copy = new CompletableFuture<Histogram>();
        loops
            .get(i)
            .execute(
                () -> {
                  copy.complete(stats.sliceDelay.copy());
                  stats.sliceDelay.reset();
                });
        all.add(copy.get(5, TimeUnit.SECONDS));
      }
      return all;
    }
  }

  private void onLoop(int loop, Runnable task) throws Exception {
    var done = new CompletableFuture<Void>();
    loops
        .get(loop)
        .execute(
            () -> {
              task.run();
              done.complete(null);
            });
    done.get(5, TimeUnit.SECONDS);
  }

  private Histogram delays() throws Exception {
    var all = new Histogram();
    for (int i = 0; i < loops.size(); i++) {
      Bot.LoopStats stats = loopStats.get(i);
      var copy = new CompletableFuture<Histogram>();
      loops.get(i).execute(() -> copy.complete(stats.delay.copy()));
      all.add(copy.get(5, TimeUnit.SECONDS));
    }
    return all;
  }

  private long sent() {
    long sum = 0;
    for (Bot bot : bots) {
      sum += bot.packetsSent();
    }
    for (Bot bot : departed) {
      sum += bot.packetsSent();
    }
    return sum;
  }

  private long received() {
    long sum = 0;
    for (Bot bot : bots) {
      sum += bot.packetsReceived();
    }
    for (Bot bot : departed) {
      sum += bot.packetsReceived();
    }
    return sum;
  }

  private Result measure(
      ServerProbe.Sample idle,
      ServerProbe.Sample before,
      ServerProbe.Sample after,
      long windowNanos,
      long sentInWindow,
      long receivedInWindow)
      throws Exception {
    var result = new Result();
    result.options = options;
    result.server = target.probe().describe();
    result.windowSeconds = windowNanos / 1e9;
    var failures = new TreeMap<String, Integer>();
    var connectTimes = new ArrayList<Long>();
    for (String failure : failedToStart) {
      failures.merge(shorten(failure), 1, Integer::sum);
    }
    List<Bot> everyone = new ArrayList<>(bots);
    everyone.addAll(departed);
    for (Bot bot : everyone) {
      if (bot.state() == Bot.State.FAILED) {
        result.failed++;
        failures.merge(shorten(bot.failure()), 1, Integer::sum);
      } else if (bot.connectMillis() >= 0) {
        result.connected++;
        connectTimes.add(bot.connectMillis());
      }
    }
    result.failedToStart = failedToStart.size();
    result.failures = failures;
    result.churnCycles = churnCycles.get();
    // Exact percentiles: connect times run to seconds, past the delay histogram's fine range.
    connectTimes.sort(null);
    result.connectP50Millis = nearestRank(connectTimes, 50);
    result.connectP95Millis = nearestRank(connectTimes, 95);
    result.connectMaxMillis =
        connectTimes.isEmpty() ? 0 : connectTimes.get(connectTimes.size() - 1);
    result.packetsSent = sentInWindow;
    result.packetsReceived = receivedInWindow;
    // Streams between bots that were both connected to the end: loss counts to the sender's last
    // packet. Streams of churned bots count to the last packet the receiver saw.
    //
    // In a speaker-slot room a listener hears a talker only while the talker holds a slot; the
    // room's switch to slots happens during the fill. There the window counts: packets stamped
    // after the window's start (the highest stamp then) up to the sender's last, for the talkers
    // that kept their slot all window long; a talker that lost its slot for this listener in the
    // window is left out and counted (streamsSlotDropped). Listeners that do not decrypt every
    // packet (--listen count|sample:N) count loss as gaps in each SSRC's sequence numbers instead.
    for (Bot receiver : everyone) {
      boolean slots = receiver.slotsSeen();
      if (slots) {
        result.slottedBots++;
        long offers = receiver.offersAfterSlots();
        if (offers > 0) {
          result.offersAfterSlots += offers;
          result.botsReoffered++;
        }
      }
      Set<Integer> dropped = slots ? receiver.droppedSinceMark() : Set.of();
      if (!receiver.decryptsAll()) {
        SsrcCounts.Window window = receiver.ssrcWindow();
        result.headerLost += window.lost();
        result.headerReceived += window.packets();
        result.headerCountedBots++;
      }
      for (Bot sender : everyone) {
        if (sender == receiver || !sender.talker() || !sender.room().equals(receiver.room())) {
          continue;
        }
        StreamStats stream = receiver.heardFrom(sender.index());
        boolean bothStayed = bots.contains(receiver) && bots.contains(sender);
        boolean shouldHear =
            bothStayed
                && receiver.state() == Bot.State.CONNECTED
                && sender.state() == Bot.State.CONNECTED;
        if (dropped.contains(sender.index())) {
          result.streamsSlotDropped++;
          continue;
        }
        if (stream == null) {
          if (shouldHear && (receiver.decryptsAll() || options.listenEvery() > 1)) {
            result.streamsMissing++;
          }
          continue;
        }
        result.streams++;
        if (!receiver.decryptsAll()) {
          continue; // sampled stamps have gaps by design: loss is the SSRC counts' above
        }
        long lastSent = bothStayed ? sender.lastSequence() : -1;
        result.lost += slots ? stream.lostSinceMark(lastSent) : stream.lost(lastSent);
        result.uniqueReceived += slots ? stream.receivedSinceMark() : stream.received();
        result.duplicates += stream.duplicates();
        result.reordered += stream.reordered();
        result.jitterMaxMillis = Math.max(result.jitterMaxMillis, stream.jitterMillis());
        result.jitterSumMillis += stream.jitterMillis();
        result.layers.add(stream.totals());
      }
    }
    for (Bot.LoopStats stats : loopStats) {
      result.echoes += stats.echoes;
      result.unstamped += stats.unstamped;
    }
    for (Bot bot : everyone) {
      result.decryptFailures += bot.decryptFailures();
    }
    Histogram delay = delays();
    result.delayCount = delay.count();
    result.delayP50Micros = delay.percentileMicros(50);
    result.delayP95Micros = delay.percentileMicros(95);
    result.delayP99Micros = delay.percentileMicros(99);
    result.delayMaxMicros = delay.maxMicros();
    result.serverBefore = before;
    result.serverAfter = after;
    result.serverIdle = idle;
    result.heapSamples = List.copyOf(heapSamples);
    return result;
  }

  private static long nearestRank(List<Long> sorted, double percentile) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static String shorten(String failure) {
    if (failure == null) {
      return "unknown";
    }
    String text = failure.replaceAll("bot\\d+", "bot").replaceAll("\\d{3,}", "N");
    return text.length() > 120 ? text.substring(0, 120) : text;
  }

  /**
   * Once a second: a progress line from the bots' own counters and the server's CPU from /proc.
   * Every {@code --sample-every} s a full server sample (HTTP) adds a heap reading; scraping the
   * server every second would cost it more than forwarding does at small loads.
   */
  private void progress() {
    try {
      long tick = progressTicks++;
      int every = options.sampleEverySeconds();
      if (every > 0 && tick % every == 0) {
        long heap = target.probe().sample().heapUsedBytes();
        if (heap >= 0) {
          heapSamples.add(heap);
          lastHeap = heap;
        }
      }
      long at = System.nanoTime();
      double cpu = target.probe().cpuSeconds();
      long sent = sent();
      long received = received();
      long up = bots.stream().filter(b -> b.state() == Bot.State.CONNECTED).count();
      long failed = bots.stream().filter(b -> b.state() == Bot.State.FAILED).count();
      if (options.progress() && lastProgressNanos != 0) {
        double seconds = (at - lastProgressNanos) / 1e9;
        System.out.printf(
            "[%4ds] %-12s bots %d up, %d failed | sent %5.0f pps, received %6.0f pps |"
                + " server cpu %5.1f%%%s%n",
            (at - startNanos) / 1_000_000_000,
            phase,
            up,
            failed + failedToStart.size(),
            (sent - lastSent) / seconds,
            (received - lastReceived) / seconds,
            cpu < 0 ? -1 : 100 * (cpu - lastCpu) / seconds,
            lastHeap < 0 ? "" : " heap " + (lastHeap >> 20) + " MB");
      }
      lastProgressNanos = at;
      lastCpu = cpu;
      lastSent = sent;
      lastReceived = received;
    } catch (IOException | RuntimeException e) {
      System.out.println("progress: " + e);
    }
  }

  private long progressTicks;
  private long lastProgressNanos;
  private double lastCpu;
  private long lastHeap = -1;

  private static void sleepUntil(long deadline) throws InterruptedException {
    long wait = deadline - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  @Override
  public void close() {
    for (Bot bot : bots) {
      bot.leave();
    }
    for (MediaLoop loop : loops) {
      loop.close();
    }
    joins.shutdownNow();
    handshakes.shutdownNow();
  }
}
