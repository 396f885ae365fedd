package io.cheenhub.sfu.admission;

import java.util.function.LongSupplier;

/**
 * Admission control that samples nothing: never overloaded unless the test sets {@link #overload}.
 */
public final class TestAdmission extends AdmissionControl {

  /** What {@link #overload()} returns; null: not overloaded. */
  public volatile Overload overload;

  @Override
  public synchronized void start(LongSupplier packetsForwarded) {}

  @Override
  public synchronized void sample() {}

  @Override
  public Overload overload() {
    return overload;
  }
}
