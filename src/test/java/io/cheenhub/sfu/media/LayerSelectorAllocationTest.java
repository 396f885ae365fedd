package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Proves {@link LayerSelector#onTick} allocates nothing, through every kind of decision. */
class LayerSelectorAllocationTest {

  private static final int WARM_UP_TICKS = 200_000;
  private static final int MEASURED_TICKS = 1_000_000;
  // Slack for the measurement itself (thread-local buffer refills, JIT bookkeeping), not per tick.
  private static final long MAX_ALLOCATED_BYTES = 64 * 1024;
  private static final long SECOND = 1_000_000_000L;

  private final LayerSelector selector = new LayerSelector(new long[] {64_000, 32_000, 16_000}, 0);

  @Test
  void ticksAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported(), "allocation counting unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);

    run(0, WARM_UP_TICKS);
    long switchesBefore = selector.switches();
    long before = threads.getCurrentThreadAllocatedBytes();
    long checksum = run(WARM_UP_TICKS, MEASURED_TICKS);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertThat(checksum).isNotZero();
    assertThat(selector.switches() - switchesBefore).isGreaterThan(MEASURED_TICKS / 100);
    assertThat(allocated)
        .as("bytes allocated by %d ticks", MEASURED_TICKS)
        .isLessThan(MAX_ALLOCATED_BYTES);
  }

  /**
   * A 150 s cycle: 20 s of heavy loss, 60 s clean, 20 s with a tight budget, 30 s clean with a cap
   * of m, 20 s without evidence; every rule fires over and over.
   */
  private long run(int from, int ticks) {
    long checksum = 0;
    for (int t = from; t < from + ticks; t++) {
      int phase = t % 150;
      double loss = phase < 20 ? 0.3 : phase >= 130 ? Double.NaN : 0.0;
      double budget = phase >= 80 && phase < 100 ? 48_000 : t % 3 == 0 ? Double.NaN : 1e6;
      int cap = phase >= 100 && phase < 130 ? 1 : 0;
      checksum += selector.onTick(t * SECOND, loss, budget, cap);
      checksum += selector.lastReason().ordinal();
    }
    return checksum;
  }
}
