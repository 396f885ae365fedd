package io.cheenhub.sfu.signaling;

/**
 * Counts rate-limited messages per fixed window. A connection that keeps flooding past the bucket
 * (more than {@code maxRejected} refusals in one window) is abusive and gets closed. Not
 * thread-safe, like {@link TokenBucket}.
 */
final class AbuseMeter {

  private final int maxRejected;
  private final long windowNanos;
  private long windowStartNanos;
  private int rejected;
  private boolean reportedThisWindow;
  private boolean tripped;

  AbuseMeter(int maxRejected, long windowNanos, long nowNanos) {
    this.maxRejected = maxRejected;
    this.windowNanos = windowNanos;
    this.windowStartNanos = nowNanos;
  }

  /**
   * Records one refused message; returns true once, for the refusal after which the connection
   * should be closed. Refusals after that return false: the close is under way and must not be
   * decided (and logged) again for every frame still in flight.
   */
  boolean reject(long nowNanos) {
    if (tripped) {
      return false;
    }
    if (nowNanos - windowStartNanos >= windowNanos) {
      windowStartNanos = nowNanos;
      rejected = 0;
      reportedThisWindow = false;
    }
    rejected++;
    tripped = rejected > maxRejected;
    return tripped;
  }

  /** Whether {@link #reject} has decided to close the connection. */
  boolean tripped() {
    return tripped;
  }

  /**
   * Whether this refusal should be answered with an error. Only the first refusal of a window is,
   * so that a flood is not answered with a flood.
   */
  boolean shouldReport() {
    if (reportedThisWindow) {
      return false;
    }
    reportedThisWindow = true;
    return true;
  }
}
