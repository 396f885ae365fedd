package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PeriodicTasksTest {

  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
  private final AtomicInteger starts = new AtomicInteger();
  private final AtomicInteger stops = new AtomicInteger();
  private final PeriodicTasks tasks =
      new PeriodicTasks(scheduler, starts::incrementAndGet, stops::incrementAndGet)
          .every(Duration.ofHours(1), () -> {})
          .every(Duration.ofHours(2), () -> {});

  {
    scheduler.setRemoveOnCancelPolicy(true);
  }

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  @Test
  void nothingIsScheduledUntilActive() {
    tasks.runWhile(false);

    assertThat(scheduler.getQueue()).isEmpty();
    assertThat(tasks.isRunning()).isFalse();
    assertThat(starts).hasValue(0);
    assertThat(stops).hasValue(0);
  }

  @Test
  void activeSchedulesEveryTaskOnce() {
    tasks.runWhile(true);
    tasks.runWhile(true);

    assertThat(scheduler.getQueue()).hasSize(2);
    assertThat(tasks.isRunning()).isTrue();
    assertThat(starts).hasValue(1);
  }

  @Test
  void inactiveCancelsThemAndActiveStartsThemAgain() {
    tasks.runWhile(true);
    tasks.runWhile(false);

    assertThat(scheduler.getQueue()).isEmpty();
    assertThat(tasks.isRunning()).isFalse();
    assertThat(stops).hasValue(1);

    tasks.runWhile(true);

    assertThat(scheduler.getQueue()).hasSize(2);
    assertThat(starts).hasValue(2);
  }

  @Test
  void closedTasksNeverStartAgain() {
    tasks.runWhile(true);
    tasks.close();
    tasks.runWhile(true);

    assertThat(scheduler.getQueue()).isEmpty();
    assertThat(tasks.isRunning()).isFalse();
  }

  @Test
  void aStoppingExecutorLeavesThemStopped() {
    scheduler.shutdown();

    tasks.runWhile(true);

    assertThat(tasks.isRunning()).isFalse();
  }
}
