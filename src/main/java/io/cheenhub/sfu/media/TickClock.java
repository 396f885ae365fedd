package io.cheenhub.sfu.media;

/**
 * How much time each stats tick stands for, for rules that need "N seconds of good ticks": the time
 * since the previous tick (of any kind), so ticks that carry no information still move the clock
 * without earning credit.
 */
final class TickClock {

  /** Tick interval assumed for the first tick, whose start is unknown, in milliseconds. */
  static final long NOMINAL_TICK_MILLIS = 1_000;

  /**
   * Most time one tick can stand for, in milliseconds: a stalled tick loop must not earn seconds of
   * credit from one sample.
   */
  static final long MAX_TICK_MILLIS = 2 * NOMINAL_TICK_MILLIS;

  private boolean ticked;
  private long lastTickMillis;

  /** Records a tick at {@code nowMillis}; returns the time it stands for, in milliseconds. */
  long advance(long nowMillis) {
    long elapsed = ticked ? nowMillis - lastTickMillis : NOMINAL_TICK_MILLIS;
    ticked = true;
    lastTickMillis = nowMillis;
    return Math.max(0, Math.min(elapsed, MAX_TICK_MILLIS));
  }
}
