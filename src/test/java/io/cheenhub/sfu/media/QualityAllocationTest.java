package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Proves the per-tick policies allocate nothing: {@link QualityController} with counts and
 * fractions, and {@link RedPolicy}, through every kind of decision.
 */
class QualityAllocationTest {

  private static final int WARM_UP_TICKS = 200_000;
  private static final int MEASURED_TICKS = 1_000_000;
  // Slack for the measurement itself (thread-local buffer refills, JIT bookkeeping), not per tick.
  private static final long MAX_ALLOCATED_BYTES = 64 * 1024;

  private final QualityController controller = new QualityController();
  private final RedPolicy policy = new RedPolicy();

  @Test
  void ticksAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported(), "allocation counting unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);

    run(0, WARM_UP_TICKS);
    long changesBefore = controller.changes() + policy.changes();
    long before = threads.getCurrentThreadAllocatedBytes();
    long checksum = run(WARM_UP_TICKS, MEASURED_TICKS);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertThat(checksum).isNotZero();
    assertThat(controller.changes() + policy.changes()).isGreaterThan(changesBefore);
    assertThat(allocated)
        .as("bytes allocated by %d ticks", MEASURED_TICKS)
        .isLessThan(MAX_ALLOCATED_BYTES);
  }

  /** Alternates 30 s of heavy loss and 60 s of none, so every rule fires over and over. */
  private long run(int from, int ticks) {
    long checksum = 0;
    for (int t = from; t < from + ticks; t++) {
      long now = t * 1_000L;
      boolean lossy = t % 90 < 30;
      QualityLevel change =
          t % 2 == 0
              ? controller.onTick(50, lossy ? 15 : 0, now)
              : controller.onTick(lossy ? 0.3 : 0.0, now);
      checksum += change == null ? 0 : change.maxBitrateKbps();
      checksum += (long) controller.windowLossPercent();
      checksum += policy.onTick(lossy ? 0.05 : 0, t % 7 == 0 ? 60_000 : -1, 50_000, now) ? 1 : 0;
    }
    return checksum;
  }
}
