package io.cheenhub.sfu.loadgen.relay;

/**
 * What one direction of an {@link ImpairmentRelay} does to datagrams: random loss, burst loss as a
 * Gilbert–Elliott two-state chain, fixed delay plus uniform jitter, occasional reordering, and a
 * bandwidth cap with a bounded queue (tail drop). Immutable; swap it on a running relay to impair
 * and heal a link.
 *
 * @param loss probability that a datagram is dropped, whatever the burst state
 * @param burstEnter per-datagram probability of moving from the good to the bad state
 * @param burstExit per-datagram probability of moving from the bad state back to good (mean burst
 *     length 1/burstExit datagrams)
 * @param burstLoss probability of a drop while in the bad state
 * @param delayMillis fixed one-way delay
 * @param jitterMillis each datagram's delay varies uniformly by ± this much (never below 0)
 * @param reorder probability that a datagram is held back {@link #REORDER_EXTRA_MILLIS} ms more
 * @param bitsPerSecond bandwidth cap, 0 for none
 * @param queueBytes bytes that may wait for the cap before tail drop
 */
public record Impairment(
    double loss,
    double burstEnter,
    double burstExit,
    double burstLoss,
    int delayMillis,
    int jitterMillis,
    double reorder,
    long bitsPerSecond,
    int queueBytes) {

  /** How much longer a reordered datagram waits than its neighbours. */
  public static final int REORDER_EXTRA_MILLIS = 25;

  /** A clean link. */
  public static final Impairment NONE = new Impairment(0, 0, 1, 0, 0, 0, 0, 0, 0);

  public Impairment {
    requireProbability("loss", loss);
    requireProbability("burstEnter", burstEnter);
    requireProbability("burstExit", burstExit);
    requireProbability("burstLoss", burstLoss);
    requireProbability("reorder", reorder);
    if (delayMillis < 0 || jitterMillis < 0 || bitsPerSecond < 0 || queueBytes < 0) {
      throw new IllegalArgumentException("delay, jitter, bandwidth and queue must not be negative");
    }
  }

  private static void requireProbability(String name, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(name + " must be within [0, 1]: " + p);
    }
  }

  public Impairment withLoss(double probability) {
    return new Impairment(
        probability,
        burstEnter,
        burstExit,
        burstLoss,
        delayMillis,
        jitterMillis,
        reorder,
        bitsPerSecond,
        queueBytes);
  }

  /**
   * Burst loss: enter the bad state with {@code enter}, leave it with {@code exit}, drop {@code
   * lossInBurst} there.
   */
  public Impairment withBursts(double enter, double exit, double lossInBurst) {
    return new Impairment(
        loss,
        enter,
        exit,
        lossInBurst,
        delayMillis,
        jitterMillis,
        reorder,
        bitsPerSecond,
        queueBytes);
  }

  public Impairment withDelay(int millis, int jitter) {
    return new Impairment(
        loss, burstEnter, burstExit, burstLoss, millis, jitter, reorder, bitsPerSecond, queueBytes);
  }

  public Impairment withReorder(double probability) {
    return new Impairment(
        loss,
        burstEnter,
        burstExit,
        burstLoss,
        delayMillis,
        jitterMillis,
        probability,
        bitsPerSecond,
        queueBytes);
  }

  public Impairment withBandwidth(long bits, int queue) {
    return new Impairment(
        loss, burstEnter, burstExit, burstLoss, delayMillis, jitterMillis, reorder, bits, queue);
  }
}
