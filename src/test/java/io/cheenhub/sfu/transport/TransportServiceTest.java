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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
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
 * metrics that record what they are told, a clock the test moves, and the watchdog run by hand
 * instead of every second.
 */
class TransportServiceTest {

  private final ExecutorService packetExecutor = Executors.newCachedThreadPool();
  private final ExecutorService blocking = Executors.newCachedThreadPool();
  private final CapturingScheduler scheduler = new CapturingScheduler();
  private final RecordingMetrics metrics = new RecordingMetrics();
  private final RecordingSweeps sweeps = new RecordingSweeps();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T00:00:00Z"));
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
            1_024,
            true);
    service.srtp = SrtpSettings.DEFAULTS;
    service.metrics = metrics;
    service.sweeps = sweeps;
    service.packetExecutor = managed(ManagedExecutorService.class, packetExecutor);
    service.blockingExecutor = managed(ManagedExecutorService.class, blocking);
    service.scheduler = managed(ManagedScheduledExecutorService.class, scheduler);
    service.clock = clock;
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

    assertThat(scheduler.scheduled).as("no watchdog without transports").isEmpty();

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
    assertThat(scheduler.live()).as("the sweep closed the last transport").isZero();
  }

  /** Issue 17: an idle server runs no timer, so the watchdog exists only while transports do. */
  @Test
  void theWatchdogIsScheduledOnlyWhileTransportsExist() throws Exception {
    wire(Duration.ofSeconds(10));
    service.start(new Object());
    assertThat(scheduler.scheduled).isEmpty();
    assertThat(scheduler.getQueue()).isEmpty();
    assertThat(service.isWatching()).isFalse();

    MediaTransport first = service.open();
    MediaTransport second = service.open();
    assertThat(scheduler.scheduled).hasSize(1);
    assertThat(scheduler.live()).isEqualTo(1);
    assertThat(service.isWatching()).isTrue();

    service.close(first, "bye");
    assertThat(scheduler.live()).as("one transport left").isEqualTo(1);
    service.close(second, "bye");
    assertThat(scheduler.live()).isZero();
    assertThat(scheduler.getQueue()).as("cancelled tasks are removed").isEmpty();
    assertThat(service.isWatching()).isFalse();

    service.open();
    assertThat(scheduler.scheduled).hasSize(2);
    assertThat(scheduler.live()).isEqualTo(1);
    service.stop();
    assertThat(scheduler.live()).isZero();
  }

  /**
   * Transports opened and closed from many threads at once: whatever the interleaving, the watchdog
   * ends up scheduled once while some are open and not at all when none are.
   */
  @Test
  void theWatchdogFollowsTransportsOpenedAndClosedConcurrently() throws Exception {
    wire(Duration.ofSeconds(10));
    service.start(new Object());
    int threads = 4;
    int cycles = 40;
    var kept = new CopyOnWriteArrayList<MediaTransport>();
    var failures = new CopyOnWriteArrayList<Throwable>();
    var ready = new CountDownLatch(threads);
    var go = new CountDownLatch(1);
    List<Thread> openers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      boolean keepsLast = t % 2 == 0;
      Thread opener =
          new Thread(
              () -> {
                try {
                  ready.countDown();
                  go.await();
                  for (int i = 0; i < cycles; i++) {
                    MediaTransport transport = service.open();
                    if (keepsLast && i == cycles - 1) {
                      kept.add(transport);
                    } else {
                      service.close(transport, "cycle");
                    }
                  }
                } catch (Exception | AssertionError e) {
                  failures.add(e);
                }
              });
      openers.add(opener);
      opener.start();
    }
    ready.await();
    go.countDown();
    for (Thread opener : openers) {
      opener.join(60_000);
    }

    assertThat(failures).isEmpty();
    assertThat(service.transports()).containsExactlyInAnyOrderElementsOf(kept).hasSize(2);
    assertThat(scheduler.live()).as("scheduled once while transports exist").isEqualTo(1);
    assertThat(service.isWatching()).isTrue();

    kept.forEach(transport -> service.close(transport, "bye"));
    assertThat(scheduler.live()).isZero();
    assertThat(service.isWatching()).isFalse();
    await().atMost(Duration.ofSeconds(20)).until(() -> metrics.closed.size() == threads * cycles);
  }

  /**
   * The certificate is replaced when a transport opens after it turned 24 hours old, with no timer
   * involved; transports keep the certificate they were created with.
   */
  @Test
  void theCertificateRotatesWhenATransportOpensAfterADay() throws Exception {
    wire(Duration.ofSeconds(10));
    service.start(new Object());
    MediaTransport first = service.open();

    clock.advance(Duration.ofHours(23));
    MediaTransport second = service.open();
    assertThat(second.fingerprint()).isEqualTo(first.fingerprint());

    clock.advance(Duration.ofHours(2));
    MediaTransport third = service.open();
    assertThat(third.fingerprint()).isNotEqualTo(first.fingerprint());
    assertThat(first.fingerprint()).isEqualTo(second.fingerprint());

    clock.advance(Duration.ofHours(1));
    assertThat(service.open().fingerprint()).isEqualTo(third.fingerprint());
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
    assertThat(scheduler.scheduled).hasSize(1);
    assertThat(scheduler.live()).isZero();
  }

  /**
   * Keeps the watchdog for the test to run instead of running it every second, and every future it
   * handed out.
   */
  private static final class CapturingScheduler extends ScheduledThreadPoolExecutor {
    volatile Runnable watchdog;
    final List<ScheduledFuture<?>> scheduled = new CopyOnWriteArrayList<>();

    CapturingScheduler() {
      super(1);
      setRemoveOnCancelPolicy(true);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
        Runnable command, long initialDelay, long period, TimeUnit unit) {
      watchdog = command;
      ScheduledFuture<?> future = super.schedule(() -> {}, 1, TimeUnit.DAYS);
      scheduled.add(future);
      return future;
    }

    /** Watchdogs scheduled and not cancelled. */
    long live() {
      return scheduled.stream().filter(future -> !future.isCancelled()).count();
    }
  }

  private static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
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
