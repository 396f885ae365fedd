package io.cheenhub.sfu.loadgen.stats;

/**
 * What one bot received of one other bot's stream, from the payload stamps (so it holds even where
 * a server rewrites SSRC and sequence numbers): packets, duplicates, reordering, loss and RFC 3550
 * interarrival jitter; and what carried them: payload bytes, the audio layer each packet was
 * stamped with (packets per layer, how often it changed) and the SSRC it arrived on. Written by one
 * media loop thread only.
 */
public final class StreamStats {

  /** Sequence numbers behind the highest one that duplicate detection remembers. */
  private static final int WINDOW = 64;

  /** Layers told apart (h, m, l); a higher stamped index counts as the last. */
  public static final int LAYERS = 3;

  /**
   * The running totals at one moment; two of them give what arrived in between.
   *
   * @param packetsByLayer unique packets per stamped layer index
   * @param payloadBytesByLayer their payload bytes (RTP payload, stamp included)
   * @param layer the layer of the newest packet, -1 before the first
   * @param layerChanges how often consecutive packets came from different layers
   * @param ssrc the SSRC the newest packet arrived on
   * @param ssrcChanges how often that SSRC changed
   * @param highestSequence the highest stamped sequence number received, -1 before the first
   */
  public record Totals(
      long received,
      long highestSequence,
      long[] packetsByLayer,
      long[] payloadBytesByLayer,
      int layer,
      long layerChanges,
      int ssrc,
      long ssrcChanges,
      long firstArrivalNanos,
      long lastArrivalNanos) {

    /** Payload bytes of every layer. */
    public long payloadBytes() {
      long total = 0;
      for (long bytes : payloadBytesByLayer) {
        total += bytes;
      }
      return total;
    }
  }

  private long received;
  private long duplicates;
  private long reordered;
  private long firstSequence = -1;
  private long highestSequence = -1;
  private long seenWindow; // bit i: highestSequence - i was received
  private long lastTransitNanos;
  private double jitterNanos;
  private final long[] packetsByLayer = new long[LAYERS];
  private final long[] payloadBytesByLayer = new long[LAYERS];
  private int layer = -1;
  private long layerChanges;
  private int ssrc;
  private long ssrcChanges;
  private long firstArrivalNanos;
  private long lastArrivalNanos;
  private long markedHighest = -1;
  private long markedReceived;

  /** Records one packet of a single-layer stream: its stamped sequence, send and arrival time. */
  public void record(long sequence, long sentNanos, long arrivedNanos) {
    record(sequence, sentNanos, arrivedNanos, 0, 0, 0);
  }

  /**
   * Records one packet: its stamped sequence number, send time and arrival time, the layer it was
   * stamped with, its payload length and the SSRC it arrived on. A duplicate counts only as one.
   */
  public void record(
      long sequence, long sentNanos, long arrivedNanos, int layer, int payloadBytes, int ssrc) {
    long transit = arrivedNanos - sentNanos;
    if (firstSequence < 0) {
      firstSequence = sequence;
      highestSequence = sequence;
      seenWindow = 1;
      received = 1;
      lastTransitNanos = transit;
      firstArrivalNanos = arrivedNanos;
      this.layer = Math.max(0, Math.min(layer, LAYERS - 1)); // the first layer is no change
      this.ssrc = ssrc;
      carried(layer, payloadBytes, ssrc, arrivedNanos);
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
    carried(layer, payloadBytes, ssrc, arrivedNanos);
    double d = Math.abs(transit - lastTransitNanos);
    lastTransitNanos = transit;
    jitterNanos += (d - jitterNanos) / 16.0;
  }

  private void carried(int layer, int payloadBytes, int ssrc, long arrivedNanos) {
    int index = Math.max(0, Math.min(layer, LAYERS - 1));
    packetsByLayer[index]++;
    payloadBytesByLayer[index] += payloadBytes;
    if (index != this.layer) {
      layerChanges++;
      this.layer = index;
    }
    if (ssrc != this.ssrc) {
      ssrcChanges++;
      this.ssrc = ssrc;
    }
    lastArrivalNanos = arrivedNanos;
  }

  /** The totals so far (a copy; allocates). */
  public Totals totals() {
    return new Totals(
        received,
        highestSequence,
        packetsByLayer.clone(),
        payloadBytesByLayer.clone(),
        layer,
        layerChanges,
        ssrc,
        ssrcChanges,
        firstArrivalNanos,
        lastArrivalNanos);
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

  /**
   * Marks the start of a measured window: {@link #lostSinceMark} and {@link #receivedSinceMark}
   * count from here (a speaker-slot room: what happened while the room switched is not the
   * window's).
   */
  public void mark() {
    markedHighest = highestSequence;
    markedReceived = received;
  }

  /** Unique packets received since {@link #mark()} (all of them if never marked). */
  public long receivedSinceMark() {
    return received - markedReceived;
  }

  /**
   * Packets the sender stamped after the highest one received at {@link #mark()} up to {@code
   * lastSent} that never arrived; without a mark (nothing had arrived then) as {@link #lost}.
   */
  public long lostSinceMark(long lastSent) {
    if (markedHighest < 0) {
      return lost(lastSent);
    }
    long expected = Math.max(highestSequence, lastSent) - markedHighest;
    return Math.max(0, expected - receivedSinceMark());
  }

  public double jitterMillis() {
    return jitterNanos / 1e6;
  }
}
