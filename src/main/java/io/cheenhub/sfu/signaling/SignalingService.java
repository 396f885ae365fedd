package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.admission.AdmissionControl;
import io.cheenhub.sfu.auth.Authenticator;
import io.cheenhub.sfu.config.AuthSettings;
import io.cheenhub.sfu.config.QualitySettings;
import io.cheenhub.sfu.config.SignalingLimits;
import io.cheenhub.sfu.config.TurnSettings;
import io.cheenhub.sfu.media.ForwardingService;
import io.cheenhub.sfu.media.PacketPool;
import io.cheenhub.sfu.media.Subscriber;
import io.cheenhub.sfu.metrics.SfuMetrics;
import io.cheenhub.sfu.room.LeaveReason;
import io.cheenhub.sfu.room.Participant;
import io.cheenhub.sfu.room.Room;
import io.cheenhub.sfu.room.RoomRegistry;
import io.cheenhub.sfu.transport.MediaTransport;
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
import java.util.Map;
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
  @Inject QualitySettings quality;
  @Inject TransportService transports;
  @Inject TurnSettings turnSettings;
  @Inject Authenticator authenticator;
  @Inject AuthSettings auth;
  @Inject AdmissionControl admission;

  @Resource ManagedExecutorService executor;
  @Resource ManagedScheduledExecutorService scheduler;

  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final Set<Membership> suspended = ConcurrentHashMap.newKeySet();
  private final ReconnectTokens tokens = new ReconnectTokens();
  private volatile TurnCredentials turn = new TurnCredentials(TurnSettings.NONE);
  private final Map<Membership, String> userOf = new ConcurrentHashMap<>();
  private UserRooms userRooms;
  private ForwardingService forwarding;
  private MessageCodec codec;
  private ScheduledFuture<?> sweep;
  private ScheduledFuture<?> reports;

  /** How often publishers get a receiver report (libwebrtc's audio RTCP interval is 5 s max). */
  private static final java.time.Duration RECEIVER_REPORT_INTERVAL =
      java.time.Duration.ofSeconds(1);

  private volatile long lastSweepNanos;
  private volatile boolean stopping;

  void start(@Observes @Initialized(ApplicationScoped.class) Object event) {
    userRooms = new UserRooms(auth.maxRoomsPerUser());
    codec = new MessageCodec(limits.maxFrameBytes());
    turn = new TurnCredentials(turnSettings);
    forwarding =
        new ForwardingService(
            PacketPool.DEFAULT_CAPACITY, transports::workers, Subscriber.DEFAULT_QUEUE_PACKETS);
    forwarding.setRedEnabled(quality.red());
    forwarding.setPublisherFeedback(quality.publisherFeedback());
    metrics.registerForwarding(forwarding);
    admission.start(scheduler, forwarding::packetsForwarded);
    reports =
        scheduler.scheduleAtFixedRate(
            this::sendReceiverReports,
            RECEIVER_REPORT_INTERVAL.toMillis(),
            RECEIVER_REPORT_INTERVAL.toMillis(),
            TimeUnit.MILLISECONDS);
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
    if (reports != null) {
      reports.cancel(false);
    }
    for (Connection connection : connections) {
      connection.close(
          LeaveReason.SHUTDOWN, CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
    }
    for (Membership membership : suspended) {
      if (suspended.remove(membership)) {
        leave(membership, LeaveReason.SHUTDOWN);
      }
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

  /**
   * The participant leaves its room for good: the others hear of it, its publisher and subscriber
   * leave the forwarding table (the others' subscribe PeerConnections are re-offered without it)
   * and its transports are freed.
   */
  void leave(Membership membership, LeaveReason reason) {
    suspended.remove(membership);
    String user = userOf.remove(membership);
    if (user != null) {
      userRooms.release(user);
    }
    Participant participant = membership.participant();
    if (participant == null) {
      return;
    }
    Membership.Media media = membership.markLeft();
    if (rooms.leave(participant, reason)) {
      metrics.participantLeft(reason);
    }
    Room room = membership.room();
    if (media.publisher() != null) {
      room.forwarding().removePublisher(media.publisher());
      forwarding.forget(media.publisher());
    }
    if (media.subscription() != null) {
      media.subscription().close(reason.wireValue());
    }
    participant.replaceSubscribeTransport(null);
    MediaTransport transport = participant.replacePublishTransport(null);
    if (transport != null) {
      transports.close(transport, reason.wireValue());
    }
    room.mediaChanged();
  }

  /** The membership's socket dropped: keep it for the reconnect grace period. */
  void suspend(Membership membership) {
    if (membership.participant() == null || membership.hasLeft()) {
      return;
    }
    membership.suspend(System.nanoTime() + limits.reconnectGrace().toNanos());
    suspended.add(membership);
    LOG.info(
        () ->
            "participant suspended "
                + membership.participant()
                + " graceMs="
                + limits.reconnectGrace().toMillis());
  }

  private void sendReceiverReports() {
    try {
      forwarding.sendReceiverReports();
      metrics.sample();
      for (Room room : rooms.rooms()) {
        forwarding.tick(
            room.forwarding(),
            (publisher, previous, level) -> {
              LOG.info(
                  () ->
                      "quality level room="
                          + room.id()
                          + " participant="
                          + publisher.participantId()
                          + " level="
                          + level.wireValue()
                          + " uplinkLoss="
                          + publisher.uplinkLoss());
              metrics.qualityChanged(previous, level);
              room.qualityChanged(publisher.participantId(), level);
            });
      }
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "receiver reports failed", e);
    }
  }

  /** Pings every connection and ends those that missed their pings. */
  private void sweep() {
    try {
      long now = System.nanoTime();
      for (Membership membership : suspended) {
        if (membership.owner() != null) {
          suspended.remove(membership); // resumed
        } else if (membership.graceExpired(now) && suspended.remove(membership)) {
          LOG.info(() -> "reconnect grace expired " + membership.participant());
          leave(membership, LeaveReason.DISCONNECTED);
        }
      }
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

  ForwardingService forwarding() {
    return forwarding;
  }

  /** Forwarding across all rooms (for the API and metrics). */
  public ForwardingService forwardingService() {
    return forwarding;
  }

  ReconnectTokens tokens() {
    return tokens;
  }

  /** The TURN credentials handed out in {@code joined}. */
  TurnCredentials turn() {
    return turn;
  }

  /** Participants waiting for their client to reconnect. */
  public int suspendedCount() {
    return suspended.size();
  }

  Authenticator authenticator() {
    return authenticator;
  }

  AdmissionControl admission() {
    return admission;
  }

  UserRooms userRooms() {
    return userRooms;
  }

  /** {@code membership} holds one of {@code user}'s rooms until it leaves. */
  void holdFor(Membership membership, String user) {
    userOf.put(membership, user);
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
