package io.cheenhub.sfu.loadgen.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * A server process seen from outside through Linux's /proc: CPU time (utime + stime), resident
 * memory, threads, and which process listens on a TCP port. Works for any server on this host, Java
 * or not, so both SFUs are measured the same way.
 */
public final class ProcessStats {

  private static final double CLOCK_TICKS_PER_SECOND = 100.0; // getconf CLK_TCK on Linux

  private final long pid;

  public ProcessStats(long pid) {
    this.pid = pid;
  }

  public long pid() {
    return pid;
  }

  /** User + system CPU seconds the process has used, all its threads. */
  public double cpuSeconds() throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // Fields after the command name, which is in parentheses and may contain spaces.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long utime = Long.parseLong(fields[11]); // field 14 of proc(5)
    long stime = Long.parseLong(fields[12]); // field 15
    return (utime + stime) / CLOCK_TICKS_PER_SECOND;
  }

  /** Where a thread's CPU goes, judged by its (15-character) Linux name. */
  public enum ThreadGroup {
    /** cheenhub-sfu's managed executors (packet workers, blocking tasks) and ice4j's threads. */
    MEDIA,
    /** The JIT compilers and the code cache sweeper. */
    JIT,
    /** Garbage collection and safepoint work. */
    GC,
    /** Everything else: the container's HTTP, Hazelcast, timers, JFR. */
    OTHER;

    static ThreadGroup of(String name) {
      if (name.startsWith("java:app/concur")
          || name.contains("ice4j")
          || name.contains("iceNj")
          || name.startsWith("org.ice4j")) {
        return MEDIA;
      }
      if (name.contains("CompilerThre") || name.startsWith("Sweeper")) {
        return JIT;
      }
      if (name.startsWith("GC ") || name.startsWith("G1 ") || name.equals("VM Thread")) {
        return GC;
      }
      return OTHER;
    }
  }

  /**
   * CPU seconds by {@link ThreadGroup}, summed over the threads alive now (threads that ended since
   * are missing: compare two readings over a window where the pools are steady).
   */
  public java.util.EnumMap<ThreadGroup, Double> cpuByThreadGroup() throws IOException {
    var groups = new java.util.EnumMap<ThreadGroup, Double>(ThreadGroup.class);
    for (ThreadGroup group : ThreadGroup.values()) {
      groups.put(group, 0.0);
    }
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          double seconds =
              (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS_PER_SECOND;
          groups.merge(ThreadGroup.of(name), seconds, Double::sum);
        } catch (IOException e) {
          // the thread ended while we looked
        }
      }
    }
    return groups;
  }

  /**
   * Asks a local JVM for a full collection ({@code jcmd <pid> GC.run}), so that a heap reading
   * right after it is live data, not garbage. Returns false if that is not possible (not a JVM,
   * another user).
   */
  public boolean collectGarbage() {
    try {
      Process jcmd =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(pid),
                  "GC.run")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return jcmd.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && jcmd.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Threads, file descriptors and UDP sockets the process holds now. */
  public OpenResources openResources() throws IOException {
    return OpenResources.read(Path.of("/proc"), pid);
  }

  /** Resident set size in bytes. */
  public long residentBytes() throws IOException {
    return statusValue("VmRSS:") * 1024;
  }

  private long statusValue(String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
      }
    }
    return -1;
  }

  /**
   * The process listening on TCP {@code port} (IPv4 or IPv6), found through the socket's inode in
   * /proc/net/tcp* and /proc/[pid]/fd; empty if none is visible (another user, another host).
   */
  public static OptionalLong listeningOn(int port) throws IOException {
    String inode = null;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path path = Path.of(table);
      if (!Files.exists(path)) {
        continue;
      }
      for (String line : Files.readAllLines(path)) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && f[1].contains(":") && f[3].equals("0A")) {
          int localPort = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
          if (localPort == port) {
            inode = f[9];
          }
        }
      }
    }
    if (inode == null) {
      return OptionalLong.empty();
    }
    String target = "socket:[" + inode + "]";
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process : (Iterable<Path>) processes::iterator) {
        String name = process.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try (Stream<Path> fds = Files.list(process.resolve("fd"))) {
          for (Path fd : (Iterable<Path>) fds::iterator) {
            try {
              if (Files.readSymbolicLink(fd).toString().equals(target)) {
                return OptionalLong.of(Long.parseLong(name));
              }
            } catch (IOException e) {
              // the fd closed while we looked
            }
          }
        } catch (IOException | SecurityException e) {
          // not ours to read, or gone
        }
      }
    }
    return OptionalLong.empty();
  }
}
