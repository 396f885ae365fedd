package io.cheenhub.sfu.signaling;

/**
 * Message rate limit of one connection: {@code capacity} tokens, refilled at {@code ratePerSecond};
 * every message takes one. Not thread-safe: a connection's messages arrive one at a time.
 */
final class TokenBucket {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final double capacity;
  private final double tokensPerNano;
  private double tokens;
  private long lastRefillNanos;

  TokenBucket(int ratePerSecond, int capacity, long nowNanos) {
    this.capacity = capacity;
    this.tokensPerNano = (double) ratePerSecond / NANOS_PER_SECOND;
    this.tokens = capacity;
    this.lastRefillNanos = nowNanos;
  }

  /** Takes one token if there is one. */
  boolean tryTake(long nowNanos) {
    long elapsed = nowNanos - lastRefillNanos;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
      lastRefillNanos = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
