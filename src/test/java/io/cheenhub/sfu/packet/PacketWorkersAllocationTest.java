package io.cheenhub.sfu.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * At audio rates a worker goes idle between almost every two packets. Going idle and being woken
 * must not allocate, or the packet path allocates once per packet after all.
 */
class PacketWorkersAllocationTest {

  private static final int WARM_UP = 2_000;
  private static final int MEASURED = 2_000;

  /** Slack for the measurement itself and JIT bookkeeping, not per packet. */
  private static final long MAX_BYTES = 16 * 1024;

  @Test
  void idlingAndWakingUpAllocateNothing() throws Exception {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported(), "allocation counting unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);
    List<Thread> workerThreads = new CopyOnWriteArrayList<>();
    ExecutorService executor =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "worker-" + workerThreads.size());
              workerThreads.add(thread);
              return thread;
            });
    var workers = new PacketWorkers(executor, 2);
    var handled = new AtomicLong();
    Integer element = 1;
    var queue =
        new SerialQueue<Integer>("paced", 16, workers, e -> handled.incrementAndGet(), e -> {});
    try {
      pace(queue, handled, element, WARM_UP);
      long before = allocated(threads, workerThreads);
      pace(queue, handled, element, MEASURED);
      long after = allocated(threads, workerThreads);

      System.out.printf(
          "%d paced packets, each waking an idle worker: workers allocated %d B%n",
          MEASURED, after - before);
      assertThat(after - before).isLessThan(MAX_BYTES);
    } finally {
      workers.close();
      executor.shutdown();
      assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** One element at a time, with a gap long enough for the workers to park in between. */
  private static void pace(
      SerialQueue<Integer> queue, AtomicLong handled, Integer element, int count)
      throws InterruptedException {
    long target = handled.get();
    for (int i = 0; i < count; i++) {
      queue.offer(element);
      target++;
      while (handled.get() < target) {
        Thread.onSpinWait();
      }
      Thread.sleep(0, 200_000);
    }
  }

  private static long allocated(com.sun.management.ThreadMXBean threads, List<Thread> workers) {
    long[] ids = workers.stream().mapToLong(Thread::getId).toArray();
    long total = 0;
    for (long bytes : threads.getThreadAllocatedBytes(ids)) {
      total += Math.max(0, bytes);
    }
    return total;
  }
}
