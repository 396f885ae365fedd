package io.cheenhub.sfu.loadgen.server;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the server under test from the outside: process CPU, memory and GC, packets forwarded, its
 * own drop counters and forwarding latency where it publishes them. A run takes one sample before
 * and one after its window and reports the difference.
 */
public interface ServerProbe {

  /** One reading; fields a server does not publish are -1 (and empty maps). */
  record Sample(
      long atNanos,
      double cpuSeconds,
      long residentBytes,
      long heapUsedBytes,
      long gcCount,
      double gcSeconds,
      long packetsForwarded,
      long transportsActive,
      Map<String, Long> drops,
      Map<Long, Long> latencyBuckets,
      Map<ProcessStats.ThreadGroup, Double> cpuByThreads) {

    /** Drop counts that grew between {@code before} and this sample. */
    public Map<String, Long> dropsSince(Sample before) {
      var grown = new TreeMap<String, Long>();
      drops.forEach(
          (reason, count) -> {
            long delta = count - before.drops.getOrDefault(reason, 0L);
            if (delta != 0) {
              grown.put(reason, delta);
            }
          });
      return grown;
    }
  }

  /**
   * What a long run watches for leaks; -1 where unknown. {@code heapAfterGcBytes} is the heap in
   * use right after the last collection (young ones included), {@code gcCount} the collections so
   * far; {@code threads} the process's threads from /proc where it is on this host, else the JVM's
   * live thread count.
   */
  record Resources(
      long heapAfterGcBytes,
      long heapUsedBytes,
      long gcCount,
      long threads,
      long openFiles,
      long udpSockets) {

    public static final Resources UNKNOWN = new Resources(-1, -1, -1, -1, -1, -1);
  }

  /** What this probe is reading (for the report). */
  String describe();

  /** A full reading (HTTP round trips to the server: for window boundaries, not every second). */
  Sample sample() throws IOException;

  /** The resources reading: one metrics scrape where the server has one, and /proc. */
  Resources resources() throws IOException;

  /**
   * Live heap in bytes: a full collection in the server, then its heap reading; -1 where the server
   * is not a local JVM.
   */
  default long liveHeapBytes() throws IOException {
    return -1;
  }

  /** Just the process's CPU seconds, from /proc (free for the server); -1 if unknown. */
  double cpuSeconds() throws IOException;
}
