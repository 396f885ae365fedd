package io.cheenhub.sfu.loadgen.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a server costs when nothing happens (issue 17, docs/benchmarks.md "Idle and fixed cost"):
 * the process's CPU ({@code utime + stime} of /proc/[pid]/stat) over a window, as a share of one
 * core, and where it goes by thread. The split reads each thread's run time in nanoseconds
 * (/proc/[pid]/task/[tid]/schedstat) because an idle thread that wakes for 30 µs is charged a whole
 * 10 ms clock tick or nothing in {@code stat}; Java threads get their full names from {@code jcmd
 * <pid> Thread.print} (Linux keeps only 15 characters).
 *
 * <p>{@code java -cp target/cheenhub-loadgen.jar io.cheenhub.sfu.loadgen.server.IdleCpu <pid>
 * [warm-up s] [window s]}
 */
public final class IdleCpu {

  private static final double CLOCK_TICKS_PER_SECOND = 100.0; // getconf CLK_TCK on Linux

  /** Thread groups of the split, first match wins; the rest is "other". */
  private static final List<Map.Entry<String, Pattern>> GROUPS =
      List.of(
          Map.entry("JIT", Pattern.compile("C[12] CompilerThread.*|Sweeper thread")),
          Map.entry("GC", Pattern.compile("GC .*|G1 .*|VM Thread")),
          Map.entry("Hazelcast", Pattern.compile("hz\\..*")),
          Map.entry(
              "sfu timers", Pattern.compile("java:app/concurrent/sfu-[a-z-]*(timers|log-pump).*")),
          Map.entry("ice4j", Pattern.compile(".*ice4j.*|iceNj.*")),
          Map.entry("sfu workers", Pattern.compile("java:app/concurrent/sfu-.*")),
          Map.entry("HTTP", Pattern.compile("http-.*|Grizzly.*")),
          Map.entry(
              "Payara executors",
              Pattern.compile("payara-executor-service.*|concurrent/__default.*|Container.*")),
          Map.entry(
              "JVM",
              Pattern.compile(
                  "VM Periodic Task Thread|Monitor Deflation Thread|Service Thread|Signal"
                      + " Dispatcher|Common-Cleaner|Finalizer|Reference Handler|Attach Listener")));

  private IdleCpu() {}

  /** One window's reading. */
  record Reading(double seconds, double cpuSeconds, Map<String, Long> nanosByThread) {

    /** Process CPU as a share of one core, in percent. */
    double percentOfCore() {
      return 100 * cpuSeconds / seconds;
    }

    /** Run time by group ({@link #GROUPS}), largest first. */
    Map<String, Long> byGroup() {
      var sums = new HashMap<String, Long>();
      nanosByThread.forEach((name, nanos) -> sums.merge(group(name), nanos, Long::sum));
      return sortedByValue(sums);
    }

    /** Run time by thread name with pool numbers folded ("…-Thread-2" → "…-Thread-#"). */
    Map<String, Long> byName() {
      var sums = new HashMap<String, Long>();
      nanosByThread.forEach(
          (name, nanos) -> sums.merge(name.replaceAll("\\d+", "#"), nanos, Long::sum));
      return sortedByValue(sums);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: IdleCpu <pid> [warm-up seconds, 60] [window seconds, 120]");
      System.exit(2);
    }
    long pid = Long.parseLong(args[0]);
    long warmUp = args.length > 1 ? Long.parseLong(args[1]) : 60;
    long window = args.length > 2 ? Long.parseLong(args[2]) : 120;
    TimeUnit.SECONDS.sleep(warmUp);
    Reading reading = measure(pid, window);
    System.out.print(report(reading, loadAverage()));
  }

  /** Reads the process over {@code seconds}. */
  static Reading measure(long pid, long seconds) throws IOException, InterruptedException {
    var stats = new ProcessStats(pid);
    Map<Long, Long> before = threadNanos(pid);
    double cpuBefore = stats.cpuSeconds();
    long t0 = System.nanoTime();
    TimeUnit.SECONDS.sleep(seconds);
    double cpuAfter = stats.cpuSeconds();
    long t1 = System.nanoTime();
    Map<Long, Long> after = threadNanos(pid);
    Map<Long, String> names = threadNames(pid);
    var byThread = new HashMap<String, Long>();
    after.forEach(
        (tid, nanos) -> {
          long used = nanos - before.getOrDefault(tid, 0L);
          if (used > 0) {
            byThread.merge(names.getOrDefault(tid, "tid " + tid), used, Long::sum);
          }
        });
    return new Reading((t1 - t0) / 1e9, cpuAfter - cpuBefore, byThread);
  }

  static String report(Reading r, String load) {
    var out = new StringBuilder();
    out.append(
        String.format(
            "idle cpu: %.3f %% of a core (%.2f s in %.0f s), load %s%n",
            r.percentOfCore(), r.cpuSeconds(), r.seconds(), load));
    out.append("  by group (schedstat):");
    r.byGroup().forEach((g, ns) -> out.append(String.format(" %s %.3f %%;", g, pct(ns, r))));
    out.append(System.lineSeparator());
    int shown = 0;
    for (var e : r.byName().entrySet()) {
      if (shown++ == 15) {
        break;
      }
      out.append(
          String.format(
              "    %7.3f %%  %8.1f ms  %s%n",
              pct(e.getValue(), r), e.getValue() / 1e6, e.getKey()));
    }
    return out.toString();
  }

  static String group(String threadName) {
    for (var g : GROUPS) {
      if (g.getValue().matcher(threadName).matches()) {
        return g.getKey();
      }
    }
    return "other";
  }

  private static double pct(long nanos, Reading r) {
    return 100 * nanos / 1e9 / r.seconds();
  }

  private static <K> Map<K, Long> sortedByValue(Map<K, Long> map) {
    var entries = new ArrayList<>(map.entrySet());
    entries.sort(Map.Entry.<K, Long>comparingByValue().reversed());
    var sorted = new LinkedHashMap<K, Long>();
    entries.forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  /** Run time of every thread, by thread id, from schedstat (first field, nanoseconds). */
  private static Map<Long, Long> threadNanos(long pid) throws IOException {
    var nanos = new HashMap<Long, Long>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String schedstat = Files.readString(task.resolve("schedstat")).trim();
          nanos.put(
              Long.parseLong(task.getFileName().toString()),
              Long.parseLong(schedstat.substring(0, schedstat.indexOf(' '))));
        } catch (IOException e) {
          // the thread ended while we looked
        }
      }
    }
    return nanos;
  }

  private static final Pattern THREAD_LINE = Pattern.compile("^\"(.*)\" .*nid=0x([0-9a-f]+)");

  /** Thread names: Java's full names where jcmd answers, else Linux's 15-character comm. */
  private static Map<Long, String> threadNames(long pid) throws IOException {
    var names = new HashMap<Long, String>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          names.put(
              Long.parseLong(task.getFileName().toString()),
              Files.readString(task.resolve("comm")).strip());
        } catch (IOException e) {
          // ended
        }
      }
    }
    try {
      Process jcmd =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(pid),
                  "Thread.print")
              .redirectErrorStream(true)
              .start();
      String text = new String(jcmd.getInputStream().readAllBytes());
      if (jcmd.waitFor(30, TimeUnit.SECONDS)) {
        for (String line : text.split("\n")) {
          Matcher m = THREAD_LINE.matcher(line);
          if (m.find()) {
            names.put(Long.parseLong(m.group(2), 16), m.group(1));
          }
        }
      }
    } catch (IOException e) {
      // not a JVM we may attach to: keep the Linux names
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return names;
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "n/a";
    }
  }
}
