package io.cheenhub.sfu.loadgen.stats;

/**
 * What one bot received of one other bot's stream, from the payload stamps (so it holds even where
 * a server rewrites SSRC and sequence numbers): packets, duplicates, reordering, loss and RFC 3550
 * interarrival jitter. Written by one media loop thread only.
 */
public final class StreamStats {

  /** Sequence numbers behind the highest one that duplicate detection remembers. */
  private static final int WINDOW = 64;

  private long received;
  private long duplicates;
  private long reordered;
  private long firstSequence = -1;
  private long highestSequence = -1;
  private long seenWindow; // bit i: highestSequence - i was received
  private long lastTransitNanos;
  private double jitterNanos;

  /** Records one packet: its stamped sequence number, send time and arrival time. */
  public void record(long sequence, long sentNanos, long arrivedNanos) {
    long transit = arrivedNanos - sentNanos;
    if (firstSequence < 0) {
      firstSequence = sequence;
      highestSequence = sequence;
      seenWindow = 1;
      received = 1;
      lastTransitNanos = transit;
      return;
    }
    if (sequence > highestSequence) {
      long shift = sequence - highestSequence;
      seenWindow = shift >= WINDOW ? 1 : (seenWindow << shift) | 1;
      highestSequence = sequence;
    } else {
      long behind = highestSequence - sequence;
      if (sequence < firstSequence) {
        // Older than the first packet seen: stretch the expected range back to it.
        firstSequence = sequence;
      }
      if (behind < WINDOW) {
        long bit = 1L << behind;
        if ((seenWindow & bit) != 0) {
          duplicates++;
          return;
        }
        seenWindow |= bit;
      }
      reordered++;
    }
    received++;
    double d = Math.abs(transit - lastTransitNanos);
    lastTransitNanos = transit;
    jitterNanos += (d - jitterNanos) / 16.0;
  }

  /** Unique packets received. */
  public long received() {
    return received;
  }

  public long duplicates() {
    return duplicates;
  }

  public long reordered() {
    return reordered;
  }

  /**
   * Packets the sender stamped between the first one this receiver saw and {@code lastSent} (the
   * sender's last sequence while both were in the room) that never arrived.
   */
  public long lost(long lastSent) {
    if (firstSequence < 0) {
      return 0;
    }
    long expected = Math.max(highestSequence, lastSent) - firstSequence + 1;
    return Math.max(0, expected - received);
  }

  public double jitterMillis() {
    return jitterNanos / 1e6;
  }
}
