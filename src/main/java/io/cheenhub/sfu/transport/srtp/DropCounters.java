package io.cheenhub.sfu.transport.srtp;

import java.util.concurrent.atomic.AtomicLongArray;

/** Drops per {@link SrtpDrop} reason, written by the packet threads, read by metrics. */
final class DropCounters {

  private final AtomicLongArray counts = new AtomicLongArray(SrtpDrop.values().length);

  /** Counts one drop and returns its status, so callers can {@code return drops.count(...)}. */
  int count(SrtpDrop reason) {
    counts.incrementAndGet(reason.ordinal());
    return reason.status();
  }

  long get(SrtpDrop reason) {
    return counts.get(reason.ordinal());
  }
}
