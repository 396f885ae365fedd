package io.cheenhub.sfu.loadgen.stats;

import java.util.Map;
import java.util.TreeMap;

/**
 * Percentiles of what a server's cumulative latency histogram gained between two readings (bucket
 * upper bound in µs → count, as {@code /api/forwarding} publishes it): the latency of the packets
 * forwarded in between only.
 */
public final class BucketDeltas {

  private BucketDeltas() {}

  /**
   * The upper bound of the bucket holding {@code percentile} (0..100) of the counts that grew from
   * {@code before} to {@code after}; -1 when nothing grew.
   */
  public static long percentile(Map<Long, Long> before, Map<Long, Long> after, double percentile) {
    var delta = new TreeMap<Long, Long>();
    long total = 0;
    for (var bucket : after.entrySet()) {
      long grown = bucket.getValue() - before.getOrDefault(bucket.getKey(), 0L);
      if (grown > 0) {
        delta.put(bucket.getKey(), grown);
        total += grown;
      }
    }
    if (total == 0) {
      return -1;
    }
    long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * total));
    long seen = 0;
    for (var bucket : delta.entrySet()) {
      seen += bucket.getValue();
      if (seen >= rank) {
        return bucket.getKey();
      }
    }
    return delta.lastKey();
  }
}
