package io.cheenhub.sfu.transport;

import io.cheenhub.sfu.config.MediaLimits;
import io.cheenhub.sfu.config.SrtpSettings;
import io.cheenhub.sfu.logging.EventLog;
import io.cheenhub.sfu.metrics.StaleSweeps;
import io.cheenhub.sfu.metrics.TransportMetrics;
import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.transport.dtls.DtlsWarmUp;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome;
import io.cheenhub.sfu.transport.dtls.RotatingCertificate;
import io.cheenhub.sfu.transport.ice.AdvertisedCandidates;
import io.cheenhub.sfu.transport.ice.IcePort;
import io.cheenhub.sfu.transport.srtp.Srtp;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorDefinition;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorDefinition;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Owns the media side of the server: the shared UDP port, the DTLS certificate, the packet workers
 * and every {@link MediaTransport}. Started from CDI lifecycle, stopped in {@link #stop()}:
 * undeploy frees every agent, stops every worker and unbinds the port.
 *
 * <p>Two container-managed executors: packet workers (long-running loops, one per core) and
 * blocking work (DTLS handshakes, freeing agents). Payara's default executor runs tasks on one
 * thread (core size 0, unbounded queue), so both are defined here with explicit concurrency.
 */
@ManagedExecutorDefinition(
    name = TransportService.PACKET_EXECUTOR,
    maxAsync = TransportService.MAX_PACKET_WORKERS,
    hungTaskThreshold = -1)
@ManagedExecutorDefinition(
    name = TransportService.BLOCKING_EXECUTOR,
    maxAsync = TransportService.MAX_BLOCKING_TASKS,
    hungTaskThreshold = -1)
@ManagedScheduledExecutorDefinition(
    name = TransportService.TIMER_EXECUTOR,
    maxAsync = 1,
    hungTaskThreshold = -1)
@ApplicationScoped
public class TransportService {

  static final String PACKET_EXECUTOR = "java:app/concurrent/sfu-packet-workers";
  static final String BLOCKING_EXECUTOR = "java:app/concurrent/sfu-blocking";

  /** The transport watchdog's timer: not the container's one-thread default (SignalingService). */
  static final String TIMER_EXECUTOR = "java:app/concurrent/sfu-transport-timers";

  static final int MAX_PACKET_WORKERS = 64;

  /**
   * Concurrent DTLS handshakes and agent frees; each blocks a thread for up to its timeout, more
   * wait in the executor's queue. Payara makes maxAsync the core pool size and core threads never
   * time out, so this is also the number of threads the pool grows to and keeps: 32 handshakes of
   * ~50 ms clear a burst of 50 joiners (100 PeerConnections) in well under a second.
   */
  static final int MAX_BLOCKING_TASKS = 32;

  private static final Logger LOG = Logger.getLogger(TransportService.class.getName());
  private static final EventLog EVENTS = EventLog.of(TransportService.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration WATCHDOG_PERIOD = Duration.ofSeconds(1);

  /** Age at which the DTLS certificate is replaced, checked whenever a transport opens. */
  private static final Duration CERTIFICATE_LIFETIME = Duration.ofHours(24);

  @Inject MediaLimits limits;
  @Inject SrtpSettings srtp;
  @Inject TransportMetrics metrics;
  @Inject StaleSweeps sweeps;

  @Resource(lookup = PACKET_EXECUTOR)
  ManagedExecutorService packetExecutor;

  @Resource(lookup = BLOCKING_EXECUTOR)
  ManagedExecutorService blockingExecutor;

  @Resource(lookup = TIMER_EXECUTOR)
  ManagedScheduledExecutorService scheduler;

  /** Where certificate ages are read; tests set their own before {@link #start}. */
  Clock clock = Clock.systemUTC();

  private final Map<String, MediaTransport> transports = new ConcurrentHashMap<>();
  private final Context context = new Context();
  private IcePort port;
  private volatile String unavailableReason = "not started";
  private RotatingCertificate certificates;
  private PacketWorkers workers;

  /** Guards {@link #watchdog} and {@link #stopped}. */
  private final Object watchdogLock = new Object();

  /** The scheduled watchdog, or null while there are no transports. */
  private ScheduledFuture<?> watchdog;

  private boolean stopped;

  void start(@Observes @Initialized(ApplicationScoped.class) Object event) {
    certificates = new RotatingCertificate(clock);
    // An unknown or unusable sfu.srtp.aes stops the deployment here, with the accepted values.
    Srtp.prewarm(Srtp.parseAesSetting(srtp.aes()));
    workers =
        new PacketWorkers(
            packetExecutor,
            Math.min(MAX_PACKET_WORKERS, Runtime.getRuntime().availableProcessors()));
    // Refuse nonsense advertised addresses at deploy time, not in a browser's answer.
    AdvertisedCandidates.lines(limits.advertisedAddresses(), Math.max(1, limits.port()));
    try {
      port = IcePort.bind(limits.bindAddress(), limits.port(), limits.directSend());
      unavailableReason = null;
    } catch (IOException | RuntimeException e) {
      unavailableReason = "UDP port " + limits.port() + " could not be bound: " + e.getMessage();
      LOG.log(Level.SEVERE, unavailableReason, e);
    }
    metrics.register(transports::size);
    sweeps.register();
    DtlsWarmUp.run(certificates.current(), blockingExecutor);
    LOG.info(
        () ->
            "media started port="
                + (port == null ? "unbound" : port.boundAddresses())
                + " workers="
                + workers.workerCount()
                + " srtpAes="
                + Srtp.aesImplementation());
  }

  @PreDestroy
  void stop() {
    synchronized (watchdogLock) {
      stopped = true;
      cancelWatchdog();
    }
    for (MediaTransport transport : new ArrayList<>(transports.values())) {
      if (transports.remove(transport.id(), transport)) {
        closeNow(transport, "shutdown");
      }
    }
    if (workers != null) {
      workers.close();
    }
    if (port != null) {
      port.close();
    }
    LOG.info("media stopped");
  }

  /**
   * Creates the server end of a PeerConnection: local credentials and candidates now, {@link
   * MediaTransport#start} with the browser's parameters (from its offer for publishing, from its
   * answer for subscribing). The watchdog closes it if it does not connect within the connect
   * timeout.
   *
   * <p>A certificate older than 24 hours is replaced first, so no new session gets an older one;
   * checking here costs a clock read and needs no timer.
   *
   * @throws TransportUnavailableException if the UDP port is not bound
   */
  public MediaTransport open() throws TransportUnavailableException, IOException {
    if (port == null) {
      throw new TransportUnavailableException(unavailableReason);
    }
    certificates.rotateIfOlderThan(CERTIFICATE_LIFETIME);
    String id = HexFormat.of().formatHex(randomId());
    var transport = new MediaTransport(id, context);
    transports.put(id, transport);
    watchWhileTransportsExist();
    metrics.transportCreated();
    EVENTS.fine("transport created", EventLog.TRANSPORT, id);
    return transport;
  }

  /** The packet workers, which also drain the media layer's send queues. */
  public PacketWorkers workers() {
    return workers;
  }

  /**
   * Closes a transport and frees all it holds; safe to call more than once. It leaves the registry
   * at once; the freeing (close_notify, agent and sockets) runs on the blocking executor, because
   * freeing an ice4j agent blocks and callers are signaling or ice4j threads.
   *
   * @return false if it was closed already
   */
  public boolean close(MediaTransport transport, String reason) {
    if (!transports.remove(transport.id(), transport)) {
      return false;
    }
    watchWhileTransportsExist();
    try {
      blockingExecutor.execute(() -> closeNow(transport, reason));
    } catch (RuntimeException e) {
      // The executor is gone (undeploy in progress): free it here.
      closeNow(transport, reason);
    }
    return true;
  }

  private void closeNow(MediaTransport transport, String reason) {
    try {
      transport.close(reason);
    } finally {
      metrics.transportClosed(reason, transport.counters());
    }
  }

  /** Whether media transports can be created; null when they can, else why not. */
  public String unavailableReason() {
    return unavailableReason;
  }

  /** The bound addresses, empty when unbound. */
  public List<String> boundAddresses() {
    return port == null ? List.of() : port.boundAddresses();
  }

  /** Live transports. */
  public Collection<MediaTransport> transports() {
    return transports.values();
  }

  /** Whether the packet workers are running. */
  public boolean workersRunning() {
    return workers != null && workers.isRunning();
  }

  /**
   * Schedules the watchdog when there are transports and cancels it when the last one has gone:
   * without transports there is nothing to watch, and an idle server runs no timer (issue 17).
   * Called after every change to {@link #transports}; it reads the map under the lock, so whichever
   * call comes last sees the last change and leaves the watchdog as it should be.
   */
  private void watchWhileTransportsExist() {
    synchronized (watchdogLock) {
      boolean needed = !stopped && !transports.isEmpty();
      if (needed == (watchdog != null)) {
        return;
      }
      if (!needed) {
        cancelWatchdog();
        return;
      }
      long periodMs = WATCHDOG_PERIOD.toMillis();
      try {
        watchdog =
            scheduler.scheduleAtFixedRate(this::watch, periodMs, periodMs, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // The application is stopping; stop() frees what is left.
        LOG.log(Level.FINE, "transport watchdog not scheduled", e);
      }
    }
  }

  private void cancelWatchdog() {
    if (watchdog != null) {
      watchdog.cancel(false);
      watchdog = null;
    }
  }

  /** Whether the watchdog is scheduled (it is exactly while transports exist). */
  boolean isWatching() {
    synchronized (watchdogLock) {
      return watchdog != null;
    }
  }

  /**
   * The stale sweep of transports: closes those whose peer never connected, went silent, or whose
   * owner let go of them ({@link MediaTransport#staleReason}), counting each in {@code
   * sfu_stale_swept_total}; publishes counters.
   */
  private void watch() {
    try {
      long now = System.nanoTime();
      for (MediaTransport transport : transports.values()) {
        String stale = transport.staleReason(now);
        if (stale != null) {
          EVENTS.info("transport swept", transport.correlation("kind", stale));
          if (close(transport, stale)) {
            sweeps.swept(stale);
          }
        }
        metrics.publish(transport.counters());
      }
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "transport watchdog failed", e);
    }
  }

  private static byte[] randomId() {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** What transports see of this service. */
  private final class Context implements TransportContext {
    @Override
    public MediaLimits limits() {
      return limits;
    }

    @Override
    public IcePort port() {
      return port;
    }

    @Override
    public RotatingCertificate certificates() {
      return certificates;
    }

    @Override
    public PacketWorkers workers() {
      return workers;
    }

    @Override
    public Executor blockingExecutor() {
      return blockingExecutor;
    }

    @Override
    public List<String> advertise(List<String> hostCandidates) {
      return limits.advertisedAddresses().isEmpty()
          ? hostCandidates
          : AdvertisedCandidates.lines(limits.advertisedAddresses(), port.port());
    }

    @Override
    public void onIceConnected(MediaTransport transport, Duration took) {
      metrics.iceConnected(took);
    }

    @Override
    public void onDtlsConnected(MediaTransport transport, HandshakeOutcome.Established outcome) {
      metrics.dtlsConnected(outcome.handshakeDuration());
      metrics.connectionSetUp(transport.setupTime(System.nanoTime()));
      EVENTS.info(
          "transport connected",
          transport.correlation(
              "srtp",
              outcome.profile(),
              "handshakeMs",
              outcome.handshakeDuration().toMillis(),
              "iceState",
              transport.iceState()));
    }

    @Override
    public void onDtlsFailed(MediaTransport transport, HandshakeOutcome.Failed outcome) {
      metrics.dtlsFailed(MediaTransport.wireValue(outcome.reason()));
      EVENTS.warning(
          "transport failed",
          transport.correlation(
              "stage",
              "dtls",
              "reason",
              MediaTransport.wireValue(outcome.reason()),
              "detail",
              outcome.detail()));
    }

    @Override
    public void requestClose(MediaTransport transport, String reason) {
      if (reason.startsWith("ice-") && close(transport, reason)) {
        EVENTS.warning("transport failed", transport.correlation("stage", "ice", "reason", reason));
        return;
      }
      close(transport, reason);
    }
  }
}
