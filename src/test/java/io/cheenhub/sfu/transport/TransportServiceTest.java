package io.cheenhub.sfu.transport;

import static io.cheenhub.sfu.transport.TestTransportService.managed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cheenhub.sfu.config.MediaLimits;
import io.cheenhub.sfu.config.SrtpSettings;
import io.cheenhub.sfu.metrics.StaleSweeps;
import io.cheenhub.sfu.metrics.TransportMetrics;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service outside the container: plain executors behind the managed-executor interfaces,
 * metrics that record what they are told, and the watchdog run by hand instead of every second.
 */
class TransportServiceTest {

  private final ExecutorService packetExecutor = Executors.newCachedThreadPool();
  private final ExecutorService blocking = Executors.newCachedThreadPool();
  private final CapturingScheduler scheduler = new CapturingScheduler();
  private final RecordingMetrics metrics = new RecordingMetrics();
  private final RecordingSweeps sweeps = new RecordingSweeps();
  private final TransportService service = new TransportService();

  private void wire(Duration connectTimeout) {
    service.limits =
        new MediaLimits(
            0,
            "127.0.0.1",
            List.of(),
            connectTimeout,
            Duration.ofSeconds(10),
            Duration.ofSeconds(5),
            1_024);
    service.srtp = SrtpSettings.DEFAULTS;
    service.metrics = metrics;
    service.sweeps = sweeps;
    service.packetExecutor = managed(ManagedExecutorService.class, packetExecutor);
    service.blockingExecutor = managed(ManagedExecutorService.class, blocking);
    service.scheduler = managed(ManagedScheduledExecutorService.class, scheduler);
  }

  @AfterEach
  void stopAll() throws InterruptedException {
    service.stop();
    scheduler.shutdownNow();
    packetExecutor.shutdownNow();
    blocking.shutdown();
    assertThat(blocking.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void refusesTransportsUntilStarted() {
    wire(Duration.ofSeconds(10));

    assertThat(service.unavailableReason()).isEqualTo("not started");
    assertThat(service.boundAddresses()).isEmpty();
    assertThat(service.workersRunning()).isFalse();
    assertThatThrownBy(service::open)
        .isInstanceOf(TransportUnavailableException.class)
        .hasMessage("not started");
  }

  @Test
  void startBindsThePortAndTransportsComeAndGo() throws Exception {
    wire(Duration.ofSeconds(10));
    service.start(new Object());

    assertThat(service.unavailableReason()).isNull();
    assertThat(service.boundAddresses()).isNotEmpty();
    assertThat(service.workersRunning()).isTrue();
    assertThat(service.workers()).isNotNull();
    assertThat(sweeps.registered).isTrue();

    MediaTransport transport = service.open();
    assertThat(service.transports()).containsExactly(transport);
    assertThat(metrics.active.getAsInt()).isEqualTo(1);
    assertThat(metrics.created).isEqualTo(1);

    assertThat(service.close(transport, "bye")).isTrue();
    assertThat(service.close(transport, "bye")).isFalse();
    assertThat(service.transports()).isEmpty();
    // Freed on the blocking executor, counted once.
    await().atMost(Duration.ofSeconds(10)).until(() -> metrics.closed.equals(List.of("bye")));
  }

  @Test
  void theWatchdogSweepsATransportThatNeverConnected() throws Exception {
    wire(Duration.ofMillis(1));
    service.start(new Object());
    MediaTransport stale = service.open();
    Thread.sleep(20);

    scheduler.watchdog.run();

    assertThat(service.transports()).doesNotContain(stale);
    assertThat(sweeps.kinds).containsExactly("connect-timeout");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metrics.closed.equals(List.of("connect-timeout")));
  }

  @Test
  void stopClosesWhatIsLeftAndStopsTheWorkers() throws Exception {
    wire(Duration.ofSeconds(10));
    service.start(new Object());
    service.open();
    service.open();

    service.stop();

    assertThat(service.transports()).isEmpty();
    assertThat(metrics.closed).containsExactly("shutdown", "shutdown");
    assertThat(service.workersRunning()).isFalse();
    assertThat(scheduler.watchdogFuture.isCancelled()).isTrue();
  }

  /** Keeps the watchdog for the test to run instead of running it every second. */
  private static final class CapturingScheduler extends ScheduledThreadPoolExecutor {
    volatile Runnable watchdog;
    volatile ScheduledFuture<?> watchdogFuture;

    CapturingScheduler() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
        Runnable command, long initialDelay, long period, TimeUnit unit) {
      watchdog = command;
      watchdogFuture = super.schedule(() -> {}, 1, TimeUnit.DAYS);
      return watchdogFuture;
    }
  }

  private static final class RecordingMetrics extends TransportMetrics {
    volatile IntSupplier active;
    volatile int created;
    final List<String> closed = new CopyOnWriteArrayList<>();

    @Override
    public void register(IntSupplier active) {
      this.active = active;
    }

    @Override
    public void transportCreated() {
      created++;
    }

    @Override
    public void transportClosed(String reason, TransportCounters counters) {
      closed.add(reason);
    }

    @Override
    public void publish(TransportCounters counters) {}
  }

  private static final class RecordingSweeps extends StaleSweeps {
    volatile boolean registered;
    final List<String> kinds = new CopyOnWriteArrayList<>();

    @Override
    public void register() {
      registered = true;
    }

    @Override
    public void swept(String kind) {
      kinds.add(kind);
    }
  }
}
