package io.cheenhub.sfu.signaling;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Periodic tasks that run only while the server has someone to serve (issue 17): an idle server
 * with no connection wakes for none of them. The owner says after every change whether it is {@link
 * #runWhile active}; the tasks are scheduled on the first true and cancelled on the next false.
 * Every change is followed by a call, and calls are serialised, so the last call sees the last
 * change and the tasks end up running exactly when they should.
 */
final class PeriodicTasks {

  /** One task and its period. */
  private record Task(Runnable action, Duration period) {}

  private final ScheduledExecutorService scheduler;
  private final Runnable onStart;
  private final Runnable onStop;
  private final List<Task> tasks = new ArrayList<>();
  private final List<ScheduledFuture<?>> scheduled = new ArrayList<>();
  private boolean running;
  private boolean closed;

  /**
   * @param onStart runs (under this object's lock) each time the tasks start, before the first is
   *     scheduled
   * @param onStop runs (under this object's lock) each time they stop because nothing is active,
   *     after the last is cancelled: what a task keeps up to date (gauges) is brought up to date
   *     once more, since no run follows
   */
  PeriodicTasks(ScheduledExecutorService scheduler, Runnable onStart, Runnable onStop) {
    this.scheduler = scheduler;
    this.onStart = onStart;
    this.onStop = onStop;
  }

  /** Adds a task that runs every {@code period} (first run one period after each start). */
  synchronized PeriodicTasks every(Duration period, Runnable action) {
    tasks.add(new Task(action, period));
    return this;
  }

  /** Starts the tasks if {@code active} and they are not running, stops them if not. */
  synchronized void runWhile(boolean active) {
    if (closed || active == running) {
      return;
    }
    if (active) {
      onStart.run();
      try {
        for (Task task : tasks) {
          long ms = task.period().toMillis();
          scheduled.add(
              scheduler.scheduleAtFixedRate(task.action(), ms, ms, TimeUnit.MILLISECONDS));
        }
      } catch (RejectedExecutionException e) {
        // The application is stopping: its executor refuses new tasks.
        cancelAll();
        return;
      }
    } else {
      cancelAll();
      onStop.run();
    }
    running = active;
  }

  /** Whether the tasks are scheduled now. */
  synchronized boolean isRunning() {
    return running;
  }

  /** Stops the tasks for good. */
  synchronized void close() {
    closed = true;
    cancelAll();
    running = false;
  }

  private void cancelAll() {
    for (ScheduledFuture<?> future : scheduled) {
      future.cancel(false);
    }
    scheduled.clear();
  }
}
