package io.cheenhub.sfu.media;

import java.util.concurrent.TimeUnit;

/**
 * Chooses which of one speaker's audio layers one listener receives (issue 15), fed once per
 * quality tick with that listener's own downlink evidence.
 *
 * <p>Layers are numbered by index, 0 = best; the result is always between the listener's cap and
 * the speaker's worst layer. Rules:
 *
 * <ul>
 *   <li>Start at the best layer the cap allows.
 *   <li><b>Down fast.</b> On a tick with a known budget below what the current layer needs (its
 *       bitrate plus {@link #PACKET_OVERHEAD_BPS}): straight to the best layer the budget carries,
 *       or the worst ({@link Reason#BUDGET}). Else, on a tick whose loss is above {@link
 *       #HEAVY_LOSS}, or the {@link #LOSSY_TICKS_TO_STEP_DOWN}th evidence tick in a row above
 *       {@link #STEP_DOWN_LOSS}: one layer down ({@link Reason#LOSS}).
 *   <li><b>Up slowly.</b> One layer up ({@link Reason#RECOVERED}) after a stable period of {@link
 *       #STABLE_PERIOD_NANOS}: evidence covering that long, with a mean loss below {@link
 *       #CLEAN_LOSS}, no single tick above {@link #STEP_DOWN_LOSS}, and on every tick a budget,
 *       where known, of at least {@link #UP_HEADROOM} times what the better layer needs. Each step
 *       needs a new stable period. An up step undone by a down step within one stable period
 *       doubles the next stable period (up to {@link #MAX_BACKOFF_DOUBLINGS} times), so a link that
 *       cannot carry the better layer is not made to try it every few seconds.
 *   <li>At most one switch per {@link #MIN_SWITCH_INTERVAL_NANOS}; the first may come at once.
 *   <li>A cap change applies at once ({@link Reason#CAP}): to the cap if it is worse than the
 *       current layer, or back to the layer the link had allowed if the cap is lifted, in both
 *       cases no better than the budget carries.
 *   <li>A tick without loss evidence (NaN or negative) neither steps down on loss nor earns stable
 *       time; the next evidence is credited with the time since the previous one (up to {@link
 *       #EVIDENCE_SPAN_MAX_NANOS}), since transport-wide feedback and receiver reports describe all
 *       packets since the last ones.
 * </ul>
 *
 * <p>The <b>budget</b> must be an upper bound on what the link carries for this stream (e.g. a
 * loss-reduced estimate divided over the listener's streams). A floor does not work: {@link
 * DownlinkEstimate} cannot probe with audio and never exceeds 1.5 times what was delivered (60
 * kbit/s for a stream on l, short of the 67 kbit/s m needs with {@link #UP_HEADROOM}), and its
 * first value, one second's delivery, can read below the 88 kbit/s h needs on a clean link. Pass
 * NaN where the number is only a floor.
 *
 * <p>Deterministic: the result depends only on the sequence of arguments (no clock, no randomness).
 * Confined to the quality tick's thread; allocates nothing per tick.
 */
public final class LayerSelector {

  /** Why the last switch happened, for stats. */
  public enum Reason {
    /** No switch yet. */
    NONE,
    /** Sustained or heavy loss stepped down one layer. */
    LOSS,
    /** The budget did not carry the layer. */
    BUDGET,
    /** A stable period stepped up one layer. */
    RECOVERED,
    /** The listener's cap changed. */
    CAP
  }

  /** Most layers a source has (h, m, l). */
  public static final int MAX_LAYERS = 3;

  /**
   * Loss fraction above which a tick counts toward a step down (10 %): GCC's loss-based controller
   * (draft-ietf-rmcat-gcc-02 §6) decreases above 10 %, as {@link DownlinkEstimate} and the
   * publisher's {@link QualityController} do.
   */
  public static final double STEP_DOWN_LOSS = 0.10;

  /**
   * Evidence ticks in a row above {@link #STEP_DOWN_LOSS} that step down. One second of 20 ms
   * frames is 50 packets, too few to judge alone: at a true 5 % random loss one tick reads above 10
   * % with probability 3.8 % (binomial, 6+ of 50), two in a row with 0.14 %, once per ~12 minutes;
   * at a true 20 % loss two in a row read above it with probability 91 %.
   */
  public static final int LOSSY_TICKS_TO_STEP_DOWN = 2;

  /**
   * Loss fraction above which one tick steps down (25 %): 13+ of 50 lost happens at a true 10 %
   * loss with probability 0.1 %, so the tick is not noise, and waiting another second would lose a
   * quarter of it again.
   */
  public static final double HEAVY_LOSS = 0.25;

  /**
   * Mean loss fraction below which time counts toward a step up (2 %, GCC §6's increase threshold).
   * Judged over the whole stable period, not per tick: one lost packet in a 50-packet second is
   * already 2 %, so a per-tick rule would keep a listener at 1 % random loss down for minutes; 2 %
   * of the period's 500 packets allows 9 losses.
   */
  public static final double CLEAN_LOSS = 0.02;

  /**
   * Stable time for one step up (10 s, the roadmap's rule, as for {@link QualityController}): long
   * enough to span two receiver-report intervals of a listener without transport-wide feedback.
   */
  public static final long STABLE_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);

  /**
   * How often a failed step up doubles the next stable period: 10, 20, 40, then 80 s. A link that
   * cannot carry the better layer then tries it about once every 80 s, each try costing at most
   * {@link #MIN_SWITCH_INTERVAL_NANOS} of loss, while a link whose capacity came back is not kept
   * below it for much more than a minute.
   */
  public static final int MAX_BACKOFF_DOUBLINGS = 3;

  /**
   * Least time between two switches (3 s). A switch is a splice on the server, effective on the
   * next packet (the publisher's level change in {@link QualityController} waits 5 s because it
   * takes a signaling round trip and an encoder change). 3 s leaves two whole one-second samples of
   * the new layer before the next decision, and lets a sustained 30 % loss take h to l within 4 s
   * (h to m on the first tick, m to l three seconds later).
   */
  public static final long MIN_SWITCH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(3);

  /**
   * Most time one piece of loss evidence stands for (7.5 s): a receiver report covers the interval
   * since the previous one, at most 1.5 × libwebrtc's 5 s audio interval (RFC 3550 §6.3.1
   * randomisation; {@code QualityTick.LISTENER_LOSS_HOLD_NANOS}). Two lossy ticks further apart
   * than that are not "in a row".
   */
  public static final long EVIDENCE_SPAN_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(7_500);

  /** What the first evidence stands for, its start being unknown: one nominal tick. */
  static final long FIRST_EVIDENCE_SPAN_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Opus packets per second at the 20 ms frames browsers send (libwebrtc's default ptime). */
  static final int PACKETS_PER_SECOND = 50;

  /**
   * Bytes each packet carries besides its Opus payload: IPv4 20 + UDP 8 + RTP 12 + header
   * extensions ~10 (RFC 8285 one-byte header, audio level, transport-wide sequence number, mid) +
   * SRTP authentication tag 10 (AES_CM_128_HMAC_SHA1_80).
   */
  static final int OVERHEAD_BYTES_PER_PACKET = 60;

  /** What a layer costs on the wire beyond its bitrate, in bit/s (24 kbit/s). */
  public static final long PACKET_OVERHEAD_BPS =
      (long) PACKETS_PER_SECOND * OVERHEAD_BYTES_PER_PACKET * Byte.SIZE;

  /**
   * How much more than a better layer needs the budget must show before stepping up (20 %): GCC
   * (§5.5) answers an over-use by setting its rate to β = 0.85 of the received rate, i.e. it runs
   * about 18 % below what the path just delivered; a step up is held to the same margin so that a
   * budget hovering at a layer's need does not switch up and down.
   */
  public static final double UP_HEADROOM = 1.2;

  /** Loss means within this of {@link #CLEAN_LOSS} count as not clean (floating-point sums). */
  private static final double LOSS_ROUNDING = 1e-9;

  private final long[] bitratesBps;
  private final int worst;

  private int cap;
  private int linkLayer; // the best layer the link evidence allows, cap aside
  private int layer; // max(linkLayer, cap)

  private boolean ticked;
  private boolean switched;
  private long lastSwitchNanos;
  private long switches;
  private Reason lastReason = Reason.NONE;
  private int failedUps;

  private long lastEvidenceNanos;
  private int lossyTicks;
  private long stableCreditSinceNanos; // the next evidence earns stable time from here on
  private long stableNanos;
  private double stableLossNanos; // loss × time over the stable period

  /**
   * A selector for a speaker with {@code bitratesBps.length} layers, starting at {@code cap}.
   *
   * @param bitratesBps each layer's bitrate in bit/s, index 0 = best; 1 to {@link #MAX_LAYERS}
   *     values, each positive
   * @param cap the best layer index the listener allows (0 = any); larger than the worst index
   *     means the worst
   */
  public LayerSelector(long[] bitratesBps, int cap) {
    if (bitratesBps.length < 1 || bitratesBps.length > MAX_LAYERS) {
      throw new IllegalArgumentException("layers: " + bitratesBps.length);
    }
    for (long bitrate : bitratesBps) {
      if (bitrate <= 0) {
        throw new IllegalArgumentException("layer bitrate: " + bitrate);
      }
    }
    this.bitratesBps = bitratesBps.clone();
    this.worst = bitratesBps.length - 1;
    this.cap = clampCap(cap);
    this.layer = this.cap;
  }

  /**
   * Feeds one quality tick; returns the layer index the listener should receive.
   *
   * @param nowNanos the tick's time ({@link System#nanoTime()} scale)
   * @param loss the listener's loss on this stream since the last evidence, {@code [0, 1]}; NaN or
   *     negative = no new evidence
   * @param budgetBps the listener's downlink budget for this stream in bit/s; 0, negative or NaN =
   *     unknown
   * @param cap the best layer index the listener allows (0 = any); larger than the worst index
   *     means the worst
   */
  public int onTick(long nowNanos, double loss, double budgetBps, int cap) {
    int newCap = clampCap(cap);
    boolean budgetKnown = budgetBps > 0;
    if (!ticked) {
      ticked = true;
      lastEvidenceNanos = nowNanos - FIRST_EVIDENCE_SPAN_NANOS;
      stableCreditSinceNanos = lastEvidenceNanos;
    }
    if (switched
        && lastReason == Reason.RECOVERED
        && nowNanos - lastSwitchNanos >= STABLE_PERIOD_NANOS) {
      failedUps = 0; // the step up held
    }

    if (newCap != this.cap) {
      this.cap = newCap;
      int to = Math.max(linkLayer, newCap);
      if (budgetKnown && budgetBps < needBps(to)) {
        to = bestCarried(to, budgetBps);
      }
      if (to != layer) {
        // This tick's loss describes the old layer: the new one starts with fresh evidence.
        return switchTo(to, Reason.CAP, nowNanos);
      }
    }

    boolean evidence = loss >= 0;
    if (evidence) {
      countEvidence(loss, nowNanos);
    }
    if (budgetKnown && layer > 0 && budgetBps < UP_HEADROOM * needBps(layer - 1)) {
      restartStable(nowNanos); // the budget does not show room for the better layer
    }

    boolean mayChange = !switched || nowNanos - lastSwitchNanos >= MIN_SWITCH_INTERVAL_NANOS;
    if (!mayChange) {
      return layer;
    }
    if (layer < worst) {
      if (budgetKnown && budgetBps < needBps(layer)) {
        return switchTo(bestCarried(layer + 1, budgetBps), Reason.BUDGET, nowNanos);
      }
      if (evidence && (loss > HEAVY_LOSS || lossyTicks >= LOSSY_TICKS_TO_STEP_DOWN)) {
        return switchTo(layer + 1, Reason.LOSS, nowNanos);
      }
    }
    if (layer > this.cap && stableNanos >= stablePeriodNanos()) {
      return switchTo(layer - 1, Reason.RECOVERED, nowNanos);
    }
    return layer;
  }

  /** The current target layer index (0 = best). */
  public int layer() {
    return layer;
  }

  /** How many layers the speaker has. */
  public int layers() {
    return worst + 1;
  }

  /** How many times the target changed. */
  public long switches() {
    return switches;
  }

  /** Why the target last changed; {@link Reason#NONE} before the first switch. */
  public Reason lastReason() {
    return lastReason;
  }

  private void countEvidence(double loss, long nowNanos) {
    long sinceLast = nowNanos - lastEvidenceNanos;
    long span = Math.max(0, Math.min(nowNanos - stableCreditSinceNanos, EVIDENCE_SPAN_MAX_NANOS));
    lastEvidenceNanos = nowNanos;
    if (loss > STEP_DOWN_LOSS) {
      lossyTicks = sinceLast > EVIDENCE_SPAN_MAX_NANOS ? 1 : lossyTicks + 1;
      restartStable(nowNanos);
      return;
    }
    lossyTicks = 0;
    stableCreditSinceNanos = nowNanos;
    stableNanos += span;
    stableLossNanos += loss * span;
    if (stableLossNanos >= (CLEAN_LOSS - LOSS_ROUNDING) * stableNanos) {
      restartStable(nowNanos);
    }
  }

  private void restartStable(long nowNanos) {
    stableNanos = 0;
    stableLossNanos = 0;
    stableCreditSinceNanos = nowNanos;
  }

  private long stablePeriodNanos() {
    return STABLE_PERIOD_NANOS << failedUps;
  }

  private int switchTo(int to, Reason reason, long nowNanos) {
    boolean down = reason == Reason.LOSS || reason == Reason.BUDGET;
    if (down
        && lastReason == Reason.RECOVERED
        && nowNanos - lastSwitchNanos < STABLE_PERIOD_NANOS) {
      failedUps = Math.min(failedUps + 1, MAX_BACKOFF_DOUBLINGS);
    }
    if (reason != Reason.CAP || to > cap) {
      linkLayer = to; // keeps layer == max(linkLayer, cap)
    }
    layer = to;
    switched = true;
    lastSwitchNanos = nowNanos;
    switches++;
    lastReason = reason;
    lossyTicks = 0;
    restartStable(nowNanos);
    return layer;
  }

  /** The best layer from {@code from} down that {@code budgetBps} carries, else the worst. */
  private int bestCarried(int from, double budgetBps) {
    for (int index = from; index < worst; index++) {
      if (budgetBps >= needBps(index)) {
        return index;
      }
    }
    return worst;
  }

  private long needBps(int index) {
    return bitratesBps[index] + PACKET_OVERHEAD_BPS;
  }

  private int clampCap(int cap) {
    if (cap < 0) {
      throw new IllegalArgumentException("cap: " + cap);
    }
    return Math.min(cap, worst);
  }
}
