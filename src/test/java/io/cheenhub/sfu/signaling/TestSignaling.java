package io.cheenhub.sfu.signaling;

import static io.cheenhub.sfu.transport.TestTransportService.managed;

import io.cheenhub.sfu.admission.TestAdmission;
import io.cheenhub.sfu.auth.TestAuthenticators;
import io.cheenhub.sfu.config.AuthSettings;
import io.cheenhub.sfu.config.QualitySettings;
import io.cheenhub.sfu.config.RoomLimits;
import io.cheenhub.sfu.config.SignalingLimits;
import io.cheenhub.sfu.config.SpeakerSlots;
import io.cheenhub.sfu.config.TurnSettings;
import io.cheenhub.sfu.media.ForwardingService;
import io.cheenhub.sfu.media.QualityLevel;
import io.cheenhub.sfu.metrics.SfuMetrics;
import io.cheenhub.sfu.metrics.StaleSweeps;
import io.cheenhub.sfu.room.LeaveReason;
import io.cheenhub.sfu.room.RoomRegistry;
import io.cheenhub.sfu.transport.TestTransportService;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * A started {@link SignalingService} outside the container: real rooms, codec, authenticator
 * (anonymous), outboxes and media transports on loopback; metrics and sweeps that record what they
 * are told; admission control whose overload the test sets; the periodic tasks (ping sweep,
 * receiver reports) kept for the test to run by hand.
 */
final class TestSignaling implements AutoCloseable {

  /** Limits for tests: small enough to reach, the ping sweep run by hand. */
  static SignalingLimits limits(int maxRoomsPerConnection, Duration idleTimeout, Duration grace) {
    return new SignalingLimits(
        65_536,
        maxRoomsPerConnection,
        1_000,
        1_000,
        200,
        Duration.ofSeconds(10),
        Duration.ofMillis(idleTimeout.toMillis() / 2),
        idleTimeout,
        1_000,
        grace);
  }

  static AuthSettings anonymous(int maxRoomsPerUser) {
    return new AuthSettings(
        true,
        maxRoomsPerUser,
        List.of(),
        "",
        "",
        "RS256",
        "",
        java.util.Set.of(),
        Duration.ofSeconds(60),
        Duration.ofSeconds(30));
  }

  final SignalingLimits limits;
  final RecordingMetrics metrics = new RecordingMetrics();
  final RecordingSweeps sweeps = new RecordingSweeps();
  final TestAdmission admission = new TestAdmission();
  final TestTransportService transports = new TestTransportService();
  final SignalingService service = new SignalingService();
  private final ExecutorService writerThreads = Executors.newFixedThreadPool(2);
  private final CapturingScheduler scheduler = new CapturingScheduler();

  TestSignaling() {
    this(limits(2, Duration.ofSeconds(30), Duration.ofSeconds(30)), anonymous(5), 3);
  }

  TestSignaling(SignalingLimits limits, AuthSettings auth, int maxParticipantsPerRoom) {
    this.limits = limits;
    service.rooms = new RoomRegistry(new RoomLimits(maxParticipantsPerRoom, 64));
    service.metrics = metrics;
    service.limits = limits;
    service.speakerSlots = SpeakerSlots.DEFAULTS;
    service.quality = QualitySettings.DEFAULTS;
    service.transports = transports.service();
    service.turnSettings = TurnSettings.NONE;
    service.authenticator = TestAuthenticators.of(auth);
    service.auth = auth;
    service.admission = admission;
    service.sweeps = sweeps;
    service.cluster = io.cheenhub.sfu.cluster.ClusterService.singleInstance();
    service.writerExecutor = managed(ManagedExecutorService.class, writerThreads);
    service.scheduler = managed(ManagedScheduledExecutorService.class, scheduler);
    service.handleSigterm = false; // a test JVM's SIGTERM stays the JVM's
    service.start(new Object());
  }

  /** Runs the ping sweep once, as the scheduler does every ping interval. */
  void sweep() {
    scheduler.periodic.get(limits.pingInterval().toMillis()).run();
  }

  /** Runs the receiver-report task once (as every second). */
  void sendReceiverReports() {
    scheduler.periodic.get(1_000L).run();
  }

  @Override
  public void close() {
    service.stop();
    scheduler.shutdownNow();
    writerThreads.shutdownNow();
    transports.close();
    try {
      if (!writerThreads.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("writer threads did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Keeps periodic tasks (by period in ms) for the test to run; one-shot tasks run for real. */
  private static final class CapturingScheduler extends ScheduledThreadPoolExecutor {
    final Map<Long, Runnable> periodic = new ConcurrentHashMap<>();

    CapturingScheduler() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
        Runnable command, long initialDelay, long period, TimeUnit unit) {
      periodic.put(unit.toMillis(period), command);
      return super.schedule(() -> {}, 1, TimeUnit.DAYS);
    }
  }

  /** What signaling tells the metrics, without a MetricRegistry. */
  static final class RecordingMetrics extends SfuMetrics {
    final List<String> received = new CopyOnWriteArrayList<>();
    final List<ErrorCode> errors = new CopyOnWriteArrayList<>();
    final List<LeaveReason> left = new CopyOnWriteArrayList<>();
    final List<String> refused = new CopyOnWriteArrayList<>();
    final List<Negotiation> negotiated = new CopyOnWriteArrayList<>();
    final AtomicInteger joined = new AtomicInteger();
    final Map<String, IntSupplier> gauges = new ConcurrentHashMap<>();

    @Override
    public void registerForwarding(ForwardingService forwarding) {}

    @Override
    public void registerRelay(io.cheenhub.sfu.cluster.Cascade cascade) {}

    @Override
    public void gauge(String name, String description, IntSupplier value) {
      gauges.put(name, value);
    }

    @Override
    public void bytesGauge(String name, String description, LongSupplier value) {}

    @Override
    public void messageReceived(String type) {
      received.add(type);
    }

    @Override
    public void errorSent(ErrorCode code) {
      errors.add(code);
    }

    @Override
    public void participantJoined() {
      joined.incrementAndGet();
    }

    @Override
    public void joinRefused(String reason) {
      refused.add(reason);
    }

    @Override
    public void participantLeft(LeaveReason reason) {
      left.add(reason);
    }

    @Override
    public void sdpNegotiated(Negotiation side, long nanos) {
      negotiated.add(side);
    }

    @Override
    public void qualityChanged(QualityLevel previous, QualityLevel level) {}

    @Override
    public synchronized void sample() {}

    long count(ErrorCode code) {
      return errors.stream().filter(code::equals).count();
    }
  }

  static final class RecordingSweeps extends StaleSweeps {
    final List<String> swept = new CopyOnWriteArrayList<>();

    @Override
    public void register() {}

    @Override
    public void swept(String kind) {
      swept.add(kind);
    }
  }
}
