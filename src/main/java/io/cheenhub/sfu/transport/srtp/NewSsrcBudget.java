package io.cheenhub.sfu.transport.srtp;

/**
 * Token bucket for trying packets from SSRCs without a context. Each try derives a crypto context
 * (a key derivation and cipher set-up) before the tag can be checked, so a peer spraying random
 * SSRCs could otherwise buy that work for free with every packet. Not thread-safe.
 */
final class NewSsrcBudget {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final int burst;
  private final long nanosPerToken;
  private double tokens;
  private long last;

  /** Allows {@code burst} tries at once and {@code perSecond} sustained. */
  NewSsrcBudget(int burst, int perSecond) {
    this.burst = burst;
    this.nanosPerToken = NANOS_PER_SECOND / perSecond;
    this.tokens = burst;
    this.last = System.nanoTime();
  }

  /** Takes one try if the budget allows it. */
  boolean tryAcquire() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (double) (now - last) / nanosPerToken);
    last = now;
    if (tokens >= 1) {
      tokens--;
      return true;
    }
    return false;
  }
}
