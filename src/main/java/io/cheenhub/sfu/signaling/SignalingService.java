package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.config.SignalingLimits;
import io.cheenhub.sfu.metrics.SfuMetrics;
import io.cheenhub.sfu.room.LeaveReason;
import io.cheenhub.sfu.room.RoomRegistry;
import io.cheenhub.sfu.transport.TransportService;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Owns every signaling connection: creates them, pings them, ends those whose peer is gone, and
 * closes them all when the application stops.
 *
 * <p>The ping sweep runs on the container's {@link ManagedScheduledExecutorService}; outgoing
 * frames are written from the {@link ManagedExecutorService}. Both are started from CDI lifecycle
 * and stopped in {@link #stop()}, so undeploy leaves no task behind.
 */
@ApplicationScoped
public class SignalingService {

  private static final Logger LOG = Logger.getLogger(SignalingService.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int CONNECTION_ID_BYTES = 6;

  @Inject RoomRegistry rooms;
  @Inject SfuMetrics metrics;
  @Inject SignalingLimits limits;
  @Inject TransportService transports;

  @Resource ManagedExecutorService executor;
  @Resource ManagedScheduledExecutorService scheduler;

  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private MessageCodec codec;
  private ScheduledFuture<?> sweep;
  private volatile long lastSweepNanos;
  private volatile boolean stopping;

  void start(@Observes @Initialized(ApplicationScoped.class) Object event) {
    codec = new MessageCodec(limits.maxFrameBytes());
    metrics.gauge(
        "sfu_signaling_connections_active", "Open signaling WebSockets", connections::size);
    long periodMs = limits.pingInterval().toMillis();
    lastSweepNanos = System.nanoTime();
    sweep = scheduler.scheduleAtFixedRate(this::sweep, periodMs, periodMs, TimeUnit.MILLISECONDS);
    LOG.info(
        () ->
            "signaling started pingIntervalMs="
                + periodMs
                + " idleTimeoutMs="
                + limits.idleTimeout().toMillis());
  }

  @PreDestroy
  void stop() {
    stopping = true;
    if (sweep != null) {
      sweep.cancel(false);
    }
    for (Connection connection : connections) {
      connection.close(
          LeaveReason.SHUTDOWN, CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
    }
    LOG.info("signaling stopped");
  }

  /** Registers a new WebSocket. */
  Connection open(Session session) {
    var id = HexFormat.of().formatHex(randomBytes());
    var connection = new Connection(id, session, this, System.nanoTime());
    connections.add(connection);
    // The container's own idle timeout is a backstop; the sweep below normally acts first.
    session.setMaxIdleTimeout(limits.idleTimeout().toMillis() * 2);
    // Frames up to twice the limit are read and answered with frame-too-large; the container
    // closes the socket (1009) only for frames beyond that.
    session.setMaxTextMessageBufferSize(limits.maxFrameBytes() * 2);
    LOG.fine(() -> "connection opened connection=" + id);
    return connection;
  }

  /** Drops a connection that has ended. */
  void forget(Connection connection) {
    connections.remove(connection);
  }

  /** Pings every connection and ends those that missed their pings. */
  private void sweep() {
    try {
      long now = System.nanoTime();
      long idleLimit = limits.idleTimeout().toNanos();
      for (Connection connection : connections) {
        if (now - connection.lastInboundNanos() > idleLimit) {
          LOG.info(() -> "connection timed out connection=" + connection.id());
          connection.close(
              LeaveReason.TIMED_OUT, CloseReason.CloseCodes.GOING_AWAY, "ping timeout");
        } else {
          connection.outbox().ping();
        }
      }
      lastSweepNanos = now;
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: log and keep sweeping.
      LOG.log(Level.SEVERE, "ping sweep failed", e);
    }
  }

  /** When the ping sweep last completed (System.nanoTime()); used by the liveness check. */
  public long lastSweepNanos() {
    return lastSweepNanos;
  }

  /** Whether the service accepts connections (started, not stopping). */
  public boolean isAccepting() {
    return codec != null && !stopping;
  }

  /** Number of open signaling connections. */
  public int connectionCount() {
    return connections.size();
  }

  MessageCodec codec() {
    return codec;
  }

  SignalingLimits limits() {
    return limits;
  }

  RoomRegistry rooms() {
    return rooms;
  }

  TransportService transports() {
    return transports;
  }

  SfuMetrics metrics() {
    return metrics;
  }

  Executor executor() {
    return executor;
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[CONNECTION_ID_BYTES];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
