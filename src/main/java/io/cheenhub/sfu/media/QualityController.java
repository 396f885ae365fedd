package io.cheenhub.sfu.media;

/**
 * Chooses one publisher's {@link QualityLevel} from packet loss, fed once per 1 s tick.
 *
 * <p>Rules (roadmap Phase 2):
 *
 * <ul>
 *   <li>The loss judged is the window loss: lost / expected summed over the last {@link
 *       #WINDOW_TICKS} ticks that carried data.
 *   <li>Window loss above {@link #STEP_DOWN_LOSS} (strictly): step down one level.
 *   <li>Window loss below {@link #CLEAN_LOSS} (strictly) adds the tick's duration (the time since
 *       the previous tick, 1 s for the first, at most 2 s) to the clean time; any tick with data at
 *       or above it resets the clean time to 0. After {@link #CLEAN_MILLIS_TO_STEP_UP} of clean
 *       time: step up one level, and the clean time restarts, so every further level needs another
 *       full clean period (low to high takes at least 20 s).
 *   <li>Between the two thresholds: hold.
 *   <li>At most one change per {@link #MIN_CHANGE_INTERVAL_MILLIS}; the first change may happen on
 *       the first tick (the controller starts at {@link QualityLevel#HIGH} with no change yet).
 *   <li>A tick without information (nothing expected, or an unknown fraction) holds: it neither
 *       enters the window nor counts toward the clean time.
 * </ul>
 *
 * <p>Single-threaded (the publisher's stats tick); allocates nothing per tick.
 */
public final class QualityController {

  /**
   * Ticks of data averaged into the window loss. One 1 s tick of 20 ms Opus frames is 50 packets,
   * too noisy to judge alone: at a true 5 % loss a single tick reads above 10 % with probability
   * 3.8 % (binomial, 6+ of 50), i.e. about every 26 s. Over 3 ticks (150 packets) that drops to
   * 0.36 % per tick, while a true 20 % loss still reads above 10 % in 99.9 % of windows, so the
   * controller reacts within the first ticks; more ticks would delay the step down the roadmap
   * wants within 5 s.
   */
  public static final int WINDOW_TICKS = 3;

  /** Window loss fraction above which the level steps down (10 %). */
  public static final double STEP_DOWN_LOSS = 0.10;

  /** Window loss fraction below which time counts as clean (2 %). */
  public static final double CLEAN_LOSS = 0.02;

  /** Clean time needed for one step up, in milliseconds. */
  public static final long CLEAN_MILLIS_TO_STEP_UP = 10_000;

  /** Minimum time between two level changes, in milliseconds. */
  public static final long MIN_CHANGE_INTERVAL_MILLIS = 5_000;

  /**
   * Packets a loss fraction stands for in the window (one second of 20 ms Opus frames), so fraction
   * ticks weigh like count ticks of a normal audio stream.
   */
  public static final int NOMINAL_PACKETS_PER_TICK = 50;

  private final double[] windowLost = new double[WINDOW_TICKS];
  private final double[] windowExpected = new double[WINDOW_TICKS];
  private int windowSize;
  private int windowNext;
  private double windowLoss;

  private QualityLevel level = QualityLevel.HIGH;
  private boolean changed;
  private long lastChangeMillis;
  private long changes;
  private final TickClock clock = new TickClock();
  private long cleanMillis;

  /**
   * Feeds one tick's counts; returns the new level if it changed, else null.
   *
   * @param expectedPackets packets expected in this tick (0 = no information)
   * @param lostPackets packets lost in this tick (clamped to {@code [0, expectedPackets]})
   */
  public QualityLevel onTick(long expectedPackets, long lostPackets, long nowMillis) {
    if (expectedPackets <= 0) {
      return hold(nowMillis);
    }
    long lost = Math.max(0, Math.min(lostPackets, expectedPackets));
    return evaluate(lost, expectedPackets, nowMillis);
  }

  /**
   * Feeds one tick's loss fraction (weighted as {@link #NOMINAL_PACKETS_PER_TICK} packets); returns
   * the new level if it changed, else null.
   *
   * @param lossFraction loss in {@code [0, 1]} (larger is clamped); negative or NaN = no
   *     information
   */
  public QualityLevel onTick(double lossFraction, long nowMillis) {
    if (!(lossFraction >= 0)) {
      return hold(nowMillis);
    }
    double lost = Math.min(lossFraction, 1.0) * NOMINAL_PACKETS_PER_TICK;
    return evaluate(lost, NOMINAL_PACKETS_PER_TICK, nowMillis);
  }

  /** The current level. */
  public QualityLevel level() {
    return level;
  }

  /** The loss over the current window in percent (0 before any data). */
  public double windowLossPercent() {
    return windowLoss * 100;
  }

  /** How many times the level changed. */
  public long changes() {
    return changes;
  }

  private QualityLevel hold(long nowMillis) {
    clock.advance(nowMillis);
    return null;
  }

  private QualityLevel evaluate(double lost, double expected, long nowMillis) {
    long elapsed = clock.advance(nowMillis);
    windowLost[windowNext] = lost;
    windowExpected[windowNext] = expected;
    windowNext = (windowNext + 1) % WINDOW_TICKS;
    windowSize = Math.min(windowSize + 1, WINDOW_TICKS);
    double sumLost = 0;
    double sumExpected = 0;
    for (int i = 0; i < windowSize; i++) {
      sumLost += windowLost[i];
      sumExpected += windowExpected[i];
    }
    windowLoss = sumLost / sumExpected;

    if (windowLoss < CLEAN_LOSS) {
      cleanMillis += elapsed;
    } else {
      cleanMillis = 0;
    }
    boolean mayChange = !changed || nowMillis - lastChangeMillis >= MIN_CHANGE_INTERVAL_MILLIS;
    if (windowLoss > STEP_DOWN_LOSS && level != QualityLevel.LOW && mayChange) {
      return change(level.stepDown(), nowMillis);
    }
    if (cleanMillis >= CLEAN_MILLIS_TO_STEP_UP && level != QualityLevel.HIGH && mayChange) {
      cleanMillis = 0;
      return change(level.stepUp(), nowMillis);
    }
    return null;
  }

  private QualityLevel change(QualityLevel to, long nowMillis) {
    level = to;
    changed = true;
    lastChangeMillis = nowMillis;
    changes++;
    return to;
  }
}
