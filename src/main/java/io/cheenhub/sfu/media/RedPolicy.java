package io.cheenhub.sfu.media;

/**
 * Decides per subscriber whether a RED (RFC 2198) audio stream is forwarded with its redundancy
 * kept or stripped to the primary encoding, fed once per 1 s stats tick.
 *
 * <p>Redundancy lets the subscriber's decoder replace a lost packet with the copy in the next one,
 * but with one redundant block it roughly doubles the audio bytes, wasted on a clean link. Rules:
 *
 * <ul>
 *   <li>Start stripped.
 *   <li>Keep RED as soon as the subscriber's loss in a tick is above {@link #KEEP_LOSS} (strictly).
 *   <li>Strip again after {@link #CLEAN_MILLIS_TO_STRIP} of ticks with loss at or below {@link
 *       #CLEAN_LOSS}; a tick above it restarts that time (so loss between the two thresholds keeps
 *       RED kept, or stripped, as it is).
 *   <li>Strip, whatever the loss, while the subscriber's bandwidth estimate is known and below
 *       {@link #RED_BANDWIDTH_FACTOR} times the stream's primary bitrate: that loss is congestion,
 *       and more bytes would make it worse.
 *   <li>A tick without loss information (negative or NaN) holds and does not count as clean time;
 *       the bandwidth rule still applies.
 * </ul>
 *
 * <p>Single-threaded (the subscriber's stats tick); allocates nothing per tick.
 */
public final class RedPolicy {

  /**
   * Tick loss fraction above which redundancy is kept (1 %): Opus PLC hides isolated losses below
   * that, above it a second copy of each frame pays off.
   */
  public static final double KEEP_LOSS = 0.01;

  /** Tick loss fraction at or below which a tick counts as clean (0.5 %). */
  public static final double CLEAN_LOSS = 0.005;

  /** Clean time after which redundancy is stripped again, in milliseconds. */
  public static final long CLEAN_MILLIS_TO_STRIP = 10_000;

  /**
   * Bandwidth RED needs, as a multiple of the stream's bitrate without RED (payload and packet
   * headers): one redundant block doubles the Opus payload but not the RTP/UDP/IP headers, so RED
   * needs about 1.6 to 1.9 times it; below 1.8 times the estimate leaves no room for it.
   */
  public static final double RED_BANDWIDTH_FACTOR = 1.8;

  private final TickClock clock = new TickClock();
  private boolean kept;
  private long cleanMillis;
  private long changes;

  /**
   * Feeds one tick; returns whether RED is kept for this subscriber.
   *
   * @param lossFraction the subscriber's loss in this tick, {@code [0, 1]}; negative or NaN =
   *     unknown
   * @param estimateBps the subscriber's bandwidth estimate in bit/s, -1 if unknown
   * @param primaryBps the stream's bitrate without RED in bit/s, 0 or less if unknown
   */
  public boolean onTick(double lossFraction, long estimateBps, long primaryBps, long nowMillis) {
    long elapsed = clock.advance(nowMillis);
    boolean congested =
        estimateBps >= 0 && primaryBps > 0 && estimateBps < RED_BANDWIDTH_FACTOR * primaryBps;
    if (congested) {
      cleanMillis = 0;
      return set(false);
    }
    if (!(lossFraction >= 0)) {
      return kept;
    }
    if (lossFraction > CLEAN_LOSS) {
      cleanMillis = 0;
    } else {
      cleanMillis += elapsed;
    }
    if (lossFraction > KEEP_LOSS) {
      return set(true);
    }
    if (kept && cleanMillis >= CLEAN_MILLIS_TO_STRIP) {
      return set(false);
    }
    return kept;
  }

  /** Whether RED is currently kept (else stripped to the primary). */
  public boolean isKept() {
    return kept;
  }

  /** How many times the decision flipped. */
  public long changes() {
    return changes;
  }

  private boolean set(boolean keep) {
    if (keep != kept) {
      kept = keep;
      cleanMillis = 0;
      changes++;
    }
    return kept;
  }
}
