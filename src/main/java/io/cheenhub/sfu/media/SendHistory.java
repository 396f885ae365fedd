package io.cheenhub.sfu.media;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one subscribe transport sent, by transport-wide sequence number
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01): send time and size, so the browser's
 * feedback about those numbers can be turned into loss and delivered rate ({@link
 * DownlinkEstimate}).
 *
 * <p>Written by the subscriber's send queue (one thread at a time), read by the subscribe
 * transport's receive worker; each entry is one {@code long} (number, size, time), so a reader sees
 * an old entry or a new one, never half of each. Allocation-free.
 */
final class SendHistory {

  /** Entries kept: 2 s of a 20-stream room at 50 packets/s, far beyond the feedback interval. */
  static final int ENTRIES = 2_048;

  /** {@link #lookup} when the number is not (or no longer) in the history. */
  static final long UNKNOWN = -1;

  private static final int MASK = ENTRIES - 1;
  private static final int SEQUENCE_MASK = 0xFFFF;
  private static final int BYTES_MASK = 0xFFFF;
  private static final long MICROS_MASK = 0xFFFF_FFFFL;
  private static final long NANOS_PER_MICRO = 1_000;

  private final AtomicLongArray entries = new AtomicLongArray(ENTRIES);
  private int next;

  /** The next transport-wide sequence number; send queue only. */
  int nextSequence() {
    int sequence = next;
    next = (next + 1) & SEQUENCE_MASK;
    return sequence;
  }

  /** Records that {@code sequence} went out at {@code nowNanos} with {@code bytes} bytes. */
  void record(int sequence, int bytes, long nowNanos) {
    long micros = (nowNanos / NANOS_PER_MICRO) & MICROS_MASK;
    // 1 + sequence so that an empty slot (0) never matches.
    long entry = ((long) (sequence + 1) << 48) | ((long) (bytes & BYTES_MASK) << 32) | micros;
    entries.lazySet(sequence & MASK, entry);
  }

  /**
   * The entry of {@code sequence} (see {@link #bytes}, {@link #sendMicros}) or {@link #UNKNOWN}.
   */
  long lookup(int sequence) {
    long entry = entries.get(sequence & MASK);
    return entry >>> 48 == (sequence & SEQUENCE_MASK) + 1 ? entry : UNKNOWN;
  }

  /** The packet size of an entry. */
  static int bytes(long entry) {
    return (int) ((entry >>> 32) & BYTES_MASK);
  }

  /** The send time of an entry, in µs of {@link System#nanoTime()}, modulo 2^32. */
  static long sendMicros(long entry) {
    return entry & MICROS_MASK;
  }
}
