package io.cheenhub.sfu.media;

import io.cheenhub.sfu.rtp.TransportCcCursor;

/**
 * A subscriber's downlink as its transport-wide congestion control feedback shows it: which of the
 * packets the server sent arrived, and a smoothed estimate of what the link carries.
 *
 * <p>Feedback (about every 100 ms from a browser) is counted on the subscribe transport's receive
 * worker; once a second the quality tick takes the counts of that second ({@link #tick}) and
 * updates the estimate with the loss-based rule of GCC (draft-ietf-rmcat-gcc-02 §6): above 10 %
 * loss it shrinks by half the loss, below 2 % it grows by 5 % a second but never beyond 1.5× what
 * was delivered, in between it holds. Audio alone cannot probe for more, so this is a floor that
 * says what the link demonstrably carries and how it degrades under loss; Phase 3 (layer selection)
 * reads it, and {@code GET /api/rooms/{id}/stats} shows it.
 */
public final class DownlinkEstimate {

  /** Above this loss the estimate shrinks (GCC §6). */
  static final double DECREASE_LOSS = 0.10;

  /** Below this loss it may grow (GCC §6). */
  static final double INCREASE_LOSS = 0.02;

  /** Growth per clean second (GCC §6: 5 %). */
  static final double INCREASE_FACTOR = 1.05;

  /**
   * The estimate never exceeds this multiple of the delivered rate (GCC §5's 1.5 × receive rate).
   */
  static final double DELIVERED_HEADROOM = 1.5;

  /** {@link #estimateBps()} before the first feedback. */
  public static final long UNKNOWN = -1;

  private static final long BITS_PER_BYTE = 8;
  private static final double NANOS_PER_SECOND = 1e9;

  // Receive worker writes, tick reads (single writer each).
  private volatile long acked;
  private volatile long lost;
  private volatile long ackedBytes;
  private volatile long feedbacks;
  private volatile long unknown;

  // Receive-worker confined: 1 + the number of a packet last reported missing, by history slot.
  private final int[] reportedLost = new int[SendHistory.ENTRIES];

  // Tick-confined.
  private long ackedPrior;
  private long lostPrior;
  private long bytesPrior;
  private long lastTickNanos;
  private volatile long estimateBps = UNKNOWN;
  private volatile double loss = Double.NaN;

  /** Counts one feedback packet's statuses against what {@code history} says was sent. */
  void onFeedback(TransportCcCursor cursor, SendHistory history) {
    long ackedNow = acked;
    long lostNow = lost;
    long bytesNow = ackedBytes;
    long unknownNow = unknown;
    while (cursor.next()) {
      int sequence = cursor.sequenceNumber();
      long entry = history.lookup(sequence);
      int slot = sequence & (SendHistory.ENTRIES - 1);
      if (entry == SendHistory.UNKNOWN) {
        unknownNow++;
      } else if (cursor.received()) {
        if (reportedLost[slot] == sequence + 1) {
          // Reported missing before and arrived late (jitter, reordering): not lost after all.
          reportedLost[slot] = 0;
          lostNow--;
        }
        ackedNow++;
        bytesNow += SendHistory.bytes(entry);
      } else if (reportedLost[slot] != sequence + 1) {
        reportedLost[slot] = sequence + 1;
        lostNow++;
      }
    }
    acked = ackedNow;
    lost = lostNow;
    ackedBytes = bytesNow;
    unknown = unknownNow;
    feedbacks++;
  }

  /**
   * The quality tick: takes the counts since the last tick, updates the estimate, returns the loss
   * (0..1) of that second or NaN when no feedback came.
   */
  double tick(long nowNanos) {
    long ackedNow = acked;
    long lostNow = lost;
    long bytesNow = ackedBytes;
    long ackedInterval = ackedNow - ackedPrior;
    long lostInterval = lostNow - lostPrior;
    long bytes = bytesNow - bytesPrior;
    double seconds = lastTickNanos == 0 ? 1 : (nowNanos - lastTickNanos) / NANOS_PER_SECOND;
    ackedPrior = ackedNow;
    lostPrior = lostNow;
    bytesPrior = bytesNow;
    lastTickNanos = nowNanos;
    long packets = ackedInterval + Math.max(0, lostInterval);
    if (packets <= 0 || seconds <= 0) {
      loss = Double.NaN;
      return Double.NaN;
    }
    double fraction = (double) Math.max(0, lostInterval) / packets;
    double deliveredBps = bytes * BITS_PER_BYTE / seconds;
    long estimate = estimateBps;
    double next;
    if (estimate == UNKNOWN) {
      next = deliveredBps;
    } else if (fraction > DECREASE_LOSS) {
      next = estimate * (1 - 0.5 * fraction);
    } else if (fraction < INCREASE_LOSS) {
      next =
          Math.max(
              estimate, Math.min(estimate * INCREASE_FACTOR, DELIVERED_HEADROOM * deliveredBps));
    } else {
      next = estimate;
    }
    estimateBps = (long) next;
    loss = fraction;
    return fraction;
  }

  /** The current estimate in bit/s, or {@link #UNKNOWN} before the first feedback. */
  public long estimateBps() {
    return estimateBps;
  }

  /** The loss (0..1) the feedback showed in the last tick, NaN if none came. */
  public double loss() {
    return loss;
  }

  /** Feedback packets counted. */
  public long feedbacks() {
    return feedbacks;
  }

  /** Statuses about numbers the history no longer (or never) held. */
  public long unknown() {
    return unknown;
  }
}
