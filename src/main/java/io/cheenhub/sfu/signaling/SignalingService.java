package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.admission.AdmissionControl;
import io.cheenhub.sfu.admission.Overload;
import io.cheenhub.sfu.auth.Authenticator;
import io.cheenhub.sfu.cluster.Cascade;
import io.cheenhub.sfu.cluster.ClusterService;
import io.cheenhub.sfu.cluster.Placement;
import io.cheenhub.sfu.config.AuthSettings;
import io.cheenhub.sfu.config.ClusterSettings;
import io.cheenhub.sfu.config.QualitySettings;
import io.cheenhub.sfu.config.SignalingLimits;
import io.cheenhub.sfu.config.SpeakerSlots;
import io.cheenhub.sfu.config.TurnSettings;
import io.cheenhub.sfu.logging.EventLog;
import io.cheenhub.sfu.media.ForwardingService;
import io.cheenhub.sfu.media.ForwardingTable;
import io.cheenhub.sfu.media.LayerMap;
import io.cheenhub.sfu.media.OutgoingStream;
import io.cheenhub.sfu.media.PacketPool;
import io.cheenhub.sfu.media.Publisher;
import io.cheenhub.sfu.media.QualityLevel;
import io.cheenhub.sfu.media.QualityTick;
import io.cheenhub.sfu.media.SpeakerSelector;
import io.cheenhub.sfu.media.Subscriber;
import io.cheenhub.sfu.metrics.SfuMetrics;
import io.cheenhub.sfu.metrics.StaleSweeps;
import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.room.LeaveReason;
import io.cheenhub.sfu.room.Participant;
import io.cheenhub.sfu.room.Room;
import io.cheenhub.sfu.room.RoomRegistry;
import io.cheenhub.sfu.transport.MediaTransport;
import io.cheenhub.sfu.transport.TransportService;
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
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Owns every signaling connection: creates them, pings them, ends those whose peer is gone, and
 * closes them all when the application stops.
 *
 * <p>The ping sweep, the reconnect grace expiries, the receiver reports and admission control's
 * load samples run on a managed scheduled executor of their own ({@link #TIMER_EXECUTOR}), the
 * periodic ones only while there is a connection or a suspended participant ({@link
 * PeriodicTasks}): an idle server wakes for none of them. Outgoing frames are written by {@link
 * #WRITERS} loops on the {@link #WRITER_EXECUTOR} managed executor. Both are started from CDI
 * lifecycle and stopped in {@link #stop()}, so undeploy leaves no task behind.
 */
@ManagedExecutorDefinition(
    name = SignalingService.WRITER_EXECUTOR,
    maxAsync = SignalingService.WRITERS,
    hungTaskThreshold = -1)
@ManagedScheduledExecutorDefinition(
    name = SignalingService.TIMER_EXECUTOR,
    maxAsync = 2,
    hungTaskThreshold = -1)
@ApplicationScoped
public class SignalingService {

  static final String WRITER_EXECUTOR = "java:app/concurrent/sfu-signaling-writers";

  /**
   * The signaling timers. Not the container's default scheduled executor: in Payara that is one
   * thread shared with the container's own tasks (Tyrus schedules one per WebSocket frame), and a
   * ping sweep that waited behind them for longer than the idle timeout ran its missed periods back
   * to back and saw live connections as silent.
   */
  static final String TIMER_EXECUTOR = "java:app/concurrent/sfu-signaling-timers";

  /**
   * Threads that write every outgoing signaling frame ({@link Outbox}). A write only hands the
   * frame to the container's non-blocking output (a slow client's frames wait there, bounded by the
   * outbox), so two keep up with thousands of frames per second. Long-running loops submitted once:
   * a managed task per frame captured the application's context each time, which in Payara scans
   * the class path for service files, and did so under the room lock of the event it carried.
   */
  static final int WRITERS = 2;

  private static final Logger LOG = Logger.getLogger(SignalingService.class.getName());
  private static final EventLog EVENTS = EventLog.of(SignalingService.class);

  /**
   * The {@code delayMs} a draining server suggests in {@code reconnect}. Short: a client that the
   * load balancer still sends here is refused ({@code draining}, or 1013 once readiness is down)
   * and retries with its backoff, one that lands on another node is served at once, and after a
   * plain restart the client is back within the 5 s the restart test allows. The client adds ±30 %
   * jitter so a whole node's clients do not arrive in the same instant.
   */
  static final int DRAIN_RECONNECT_DELAY_MS = 1_000;

  /**
   * How long a drain waits for the frames already queued (a cluster's {@code redirect}s) to be
   * written, and then again for its {@code reconnect} messages, before closing.
   */
  private static final long DRAIN_SEND_WAIT_MS = 1_000;

  /**
   * How long a second caller of {@link #drain} waits for the first to finish: its send wait plus
   * the grid's room moves (a few map operations each, milliseconds on a healthy grid).
   */
  private static final long DRAIN_WAIT_MS = 5_000;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int CONNECTION_ID_BYTES = 6;

  @Inject RoomRegistry rooms;
  @Inject SfuMetrics metrics;
  @Inject SignalingLimits limits;
  @Inject SpeakerSlots speakerSlots;
  @Inject QualitySettings quality;
  @Inject TransportService transports;
  @Inject TurnSettings turnSettings;
  @Inject Authenticator authenticator;
  @Inject AuthSettings auth;
  @Inject AdmissionControl admission;
  @Inject StaleSweeps sweeps;
  @Inject ClusterService cluster;
  @Inject Cascade cascade = Cascade.off();

  @Resource(lookup = WRITER_EXECUTOR)
  ManagedExecutorService writerExecutor;

  @Resource(lookup = TIMER_EXECUTOR)
  ManagedScheduledExecutorService scheduler;

  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final Set<Membership> suspended = ConcurrentHashMap.newKeySet();
  private final ReconnectTokens tokens = new ReconnectTokens();
  private volatile TurnCredentials turn = new TurnCredentials(TurnSettings.NONE);
  private UserRooms userRooms;
  private ForwardingService forwarding;
  private MessageCodec codec;
  private PacketWorkers writers;
  private PeriodicTasks periodic;

  /** How often publishers get a receiver report (libwebrtc's audio RTCP interval is 5 s max). */
  private static final java.time.Duration RECEIVER_REPORT_INTERVAL =
      java.time.Duration.ofSeconds(1);

  private volatile long lastSweepNanos;
  private long lateSweeps; // the sweep task only (its runs never overlap)
  private long lastLatenessLogNanos; // the sweep task only
  private static final long LATENESS_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
  private volatile boolean stopping;
  private final AtomicBoolean draining = new AtomicBoolean();
  private final CountDownLatch drained = new CountDownLatch(1);
  private Thread drainOnExit;
  private TermSignal termSignal;

  /** Whether {@link #start} takes SIGTERM over; false for services built by unit tests. */
  boolean handleSigterm = true;

  void start(@Observes @Initialized(ApplicationScoped.class) Object event) {
    userRooms = new UserRooms(auth.maxRoomsPerUser());
    codec = new MessageCodec(limits.maxFrameBytes());
    writers = new PacketWorkers(writerExecutor, WRITERS);
    turn = new TurnCredentials(turnSettings);
    forwarding =
        new ForwardingService(
            PacketPool.DEFAULT_CAPACITY, transports::workers, Subscriber.DEFAULT_QUEUE_PACKETS);
    forwarding.setRedEnabled(quality.red());
    forwarding.setPublisherFeedback(quality.publisherFeedback());
    forwarding.setDecryptSilent(speakerSlots.decryptSilent());
    metrics.registerForwarding(forwarding);
    admission.start(forwarding::packetsForwarded);
    metrics.bytesGauge(
        "sfu_heap_after_gc_bytes",
        "Heap in use after the last garbage collection (admission control's view)",
        admission::heapUsedAfterGc);
    metrics.gauge(
        "sfu_signaling_connections_active", "Open signaling WebSockets", connections::size);
    metrics.gauge(
        "sfu_cluster_members", "Instances in the cluster (1 without one)", cluster::members);
    metrics.gauge(
        "sfu_cluster_rooms_owned",
        "Rooms the cluster's room map places on this instance at the last heartbeat (0 without a"
            + " cluster)",
        () -> (int) cluster.roomsOwned());
    metrics.bytesGauge(
        "sfu_cluster_replacements",
        "Rooms this instance re-placed after the instance holding them died",
        cluster::replacements);
    cluster.onRoomMoved(this::roomMoved);
    cascade.attach(forwarding, this::slotsIfLarge);
    metrics.registerRelay(cascade);
    long periodMs = limits.pingInterval().toMillis();
    lastSweepNanos = System.nanoTime();
    periodic =
        new PeriodicTasks(scheduler, () -> lastSweepNanos = System.nanoTime(), metrics::sample)
            .every(AdmissionControl.SAMPLE_INTERVAL, admission::sample)
            .every(RECEIVER_REPORT_INTERVAL, this::sendReceiverReports)
            .every(limits.pingInterval(), this::sweep);
    speakerPass =
        new PeriodicTasks(scheduler, () -> {}, () -> {})
            .every(Duration.ofMillis(SPEAKER_PASS_MILLIS), this::passSpeakers);
    // Payara Micro on SIGTERM stops its executors and resets logging before the application's
    // @PreDestroy runs, so clients saw only a dropped socket (1006). SIGTERM itself is caught, so
    // the drain runs to its end before any shutdown hook (Payara's among them) starts; the hook
    // stays for the other ways a JVM exits (SIGINT, System.exit), where it races Payara's.
    termSignal = handleSigterm ? TermSignal.install(this::drainOnTerm) : null;
    drainOnExit = new Thread(() -> drain("shutdown"), "sfu-drain-on-exit");
    Runtime.getRuntime().addShutdownHook(drainOnExit);
    LOG.info(
        () ->
            "signaling started pingIntervalMs="
                + periodMs
                + " idleTimeoutMs="
                + limits.idleTimeout().toMillis());
  }

  /** SIGTERM: the drain, bounded, on the container's scheduler; the process exits after it. */
  private void drainOnTerm() {
    try {
      scheduler
          .submit(() -> drain("shutdown"))
          .get(DRAIN_WAIT_MS + DRAIN_SEND_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      EVENTS.log(Level.WARNING, "drain on SIGTERM did not finish; stopping anyway", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @PreDestroy
  void stop() {
    drain("undeploy");
    if (termSignal != null) {
      termSignal.close();
    }
    if (drainOnExit != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(drainOnExit);
      } catch (IllegalStateException e) {
        // The JVM is exiting: the hook is running or has run.
      }
    }
    stopping = true;
    if (periodic != null) {
      periodic.close();
    }
    if (speakerPass != null) {
      speakerPass.close();
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
    if (writers != null) {
      writers.close();
    }
    LOG.info("signaling stopped");
  }

  /**
   * Drains this server: readiness goes down and new joins get {@code draining}; then every client
   * is sent {@code reconnect} (with {@link #DRAIN_RECONNECT_DELAY_MS}) and its socket is closed
   * with 1012 (Service Restart); its participants leave and their transports are freed. Runs once;
   * a later call waits for the first to finish (at most {@link #DRAIN_WAIT_MS}) and does nothing.
   *
   * @return the number of connections told to reconnect (0 if already draining)
   */
  public int drain(String reason) {
    if (!draining.compareAndSet(false, true)) {
      // Another drain is running (SIGTERM's, while the container undeploys): the sockets must
      // stay open until it has sent its redirects and reconnects, or clients see a bare 1001.
      try {
        drained.await(DRAIN_WAIT_MS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    }
    try {
      return drainNow(reason);
    } finally {
      drained.countDown();
    }
  }

  private int drainNow(String reason) {
    long t0 = System.nanoTime();
    var open = List.copyOf(connections);
    EVENTS.info(
        "drain started",
        "reason",
        reason,
        "connections",
        open.size(),
        "participants",
        rooms.participantCount());
    // In a cluster the rooms move first: their clients go straight to the new instance. If the
    // grid is already gone (its own shutdown hook won the race), the plain drain below still runs.
    try {
      cluster.drainRooms().forEach(this::roomMoved);
    } catch (RuntimeException e) {
      EVENTS.log(Level.WARNING, "cluster drain failed: rooms not moved", e);
    }
    // What is queued goes out first (the redirects just queued): the reconnect stops the queue.
    awaitAll(open.stream().map(Connection::flushed).toList());
    var message = new Message.Reconnect(reason, DRAIN_RECONNECT_DELAY_MS);
    var sends = new ArrayList<Future<Void>>();
    for (Connection connection : open) {
      try {
        sends.add(connection.drain(message));
      } catch (RuntimeException e) {
        EVENTS.log(Level.WARNING, "drain failed", e, EventLog.CONNECTION, connection.id());
      }
    }
    awaitAll(sends);
    for (Connection connection : open) {
      try {
        connection.closeDrained();
      } catch (RuntimeException | LinkageError e) {
        // On SIGTERM the container unloads the application while this hook runs: a class not
        // loaded before (seen: a re-offer's) is gone. One connection's failure stops no other's.
        EVENTS.log(Level.WARNING, "drain close failed", e, EventLog.CONNECTION, connection.id());
      }
    }
    for (Membership membership : suspended) {
      if (suspended.remove(membership)) {
        leave(membership, LeaveReason.SHUTDOWN);
      }
    }
    EVENTS.info(
        "drain finished",
        "reason",
        reason,
        "connections",
        open.size(),
        "tookMs",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    return open.size();
  }

  /** Waits for {@code writes}, at most {@link #DRAIN_SEND_WAIT_MS} for all of them together. */
  private static void awaitAll(List<Future<Void>> writes) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_SEND_WAIT_MS);
    for (Future<Void> write : writes) {
      try {
        write.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // A slow or dead client: it reconnects when its socket notices the close.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Room {@code roomId}, open here, now lives on another instance ({@code placement}): each of its
   * clients is sent there with a ticket, and its participants leave here.
   */
  void roomMoved(String roomId, Placement placement) {
    var redirect =
        new Message.Redirect(
            null,
            roomId,
            ClusterSettings.signalingUrl(placement.url()),
            cluster.ticketFor(roomId, placement));
    EVENTS.info("room moved", EventLog.ROOM, roomId, "to", placement.owner());
    for (Connection connection : connections) {
      connection.moveRoom(roomId, redirect);
    }
    for (Membership membership : suspended) {
      Participant participant = membership.participant();
      if (participant != null
          && participant.roomId().equals(roomId)
          && suspended.remove(membership)) {
        leave(membership, LeaveReason.MOVED);
      }
    }
  }

  /** The cluster part of this instance (a single instance says so). */
  Cascade cascade() {
    return cascade;
  }

  ClusterService cluster() {
    return cluster;
  }

  /** Whether {@link #drain} has started: joins are refused and readiness is down. */
  public boolean isDraining() {
    return draining.get();
  }

  /** Registers a new WebSocket. */
  Connection open(Session session) {
    var id = HexFormat.of().formatHex(randomBytes());
    var connection = new Connection(id, session, this, System.nanoTime());
    connections.add(connection);
    activityChanged();
    // No container idle timeout (Tyrus's default 0 is kept): the ping sweep below ends silent
    // connections. Tyrus 2.1 reschedules its idle task on the managed scheduler for every frame in
    // and out, and a cancelled task stays queued, holding its closed session, until its delay is
    // over; and the 0 ms task its constructor queued, if it runs after this line, sees the new
    // timeout and closes a just-opened socket with 1006 (issue 13, docs/troubleshooting.md).
    // Frames up to twice the limit are read and answered with frame-too-large; the container
    // closes the socket (1009) only for frames beyond that.
    session.setMaxTextMessageBufferSize(limits.maxFrameBytes() * 2);
    EVENTS.info("connection opened", EventLog.CONNECTION, id);
    return connection;
  }

  /** Drops a connection that has ended. */
  void forget(Connection connection) {
    connections.remove(connection);
    activityChanged();
  }

  /**
   * Runs the periodic tasks while anyone is connected or suspended (a suspended participant's media
   * still flows and needs receiver reports; its grace expiry is backed up by the sweep). Called
   * after every change of either set.
   */
  private void activityChanged() {
    if (periodic != null) {
      periodic.runWhile(!connections.isEmpty() || !suspended.isEmpty());
    }
  }

  /**
   * The participant leaves its room for good: the others hear of it, its publisher and subscriber
   * leave the forwarding table (the others' subscribe PeerConnections are re-offered without it)
   * and its transports are freed.
   */
  void leave(Membership membership, LeaveReason reason) {
    leave(membership, reason, null);
  }

  /** {@link #leave(Membership, LeaveReason)} for the client request {@code requestId}. */
  void leave(Membership membership, LeaveReason reason, String requestId) {
    if (suspended.remove(membership)) {
      activityChanged();
    }
    String user = membership.releaseUser();
    if (user != null) {
      userRooms.release(user);
    }
    Participant participant = membership.participant();
    if (participant == null) {
      return;
    }
    Connection owner = membership.owner();
    Membership.Media media = membership.markLeft();
    if (rooms.leave(participant, reason)) {
      metrics.participantLeft(reason);
      EVENTS.info(
          "participant left",
          EventLog.ROOM,
          participant.roomId(),
          EventLog.PARTICIPANT,
          participant.id(),
          EventLog.CONNECTION,
          owner == null ? null : owner.id(),
          EventLog.REQUEST_ID,
          requestId,
          "reason",
          reason.wireValue());
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
    cascade.localLeft(room, participant);
    if (!draining.get()) {
      room.mediaChanged(); // a drain sends everyone away: no re-offers to those who stay
    }
  }

  /** The membership's socket dropped: keep it for the reconnect grace period. */
  void suspend(Membership membership) {
    if (membership.participant() == null || membership.hasLeft()) {
      return;
    }
    long graceNanos = limits.reconnectGrace().toNanos();
    membership.suspend(System.nanoTime() + graceNanos);
    suspended.add(membership);
    activityChanged();
    // Expire it at its deadline: left to the ping sweep, it stayed up to one ping interval longer
    // (23 s instead of 15 s, issue 14). The sweep still expires it should this task be lost.
    try {
      membership.expireWith(
          scheduler.schedule(() -> expireAtDeadline(membership), graceNanos, TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      // The application is stopping: stop() or drain() makes it leave.
      LOG.log(Level.WARNING, "reconnect grace expiry not scheduled", e);
    }
    EVENTS.info(
        "participant suspended",
        EventLog.ROOM,
        membership.participant().roomId(),
        EventLog.PARTICIPANT,
        membership.participant().id(),
        "graceMs",
        limits.reconnectGrace().toMillis());
  }

  private void sendReceiverReports() {
    try {
      forwarding.sendReceiverReports();
      metrics.sample();
      for (Room room : rooms.rooms()) {
        forwarding.tick(room.forwarding(), new RoomQualityListener(room));
      }
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "receiver reports failed", e);
    }
  }

  /** Turns one room's quality tick results into messages and metrics. */
  private final class RoomQualityListener implements QualityTick.Listener {
    private final Room room;

    RoomQualityListener(Room room) {
      this.room = room;
    }

    @Override
    public void onLevelChanged(Publisher publisher, QualityLevel previous, QualityLevel level) {
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
    }

    @Override
    public void onLayersChanged(Publisher publisher, int activeMask) {
      room.layersChanged(
          publisher.participantId(),
          Membership.layersMessage(activeMask, publisher.layers().count()));
    }

    @Override
    public void onReceivedLayersChanged(Subscriber subscriber, List<OutgoingStream> streams) {
      var layers = new TreeMap<String, String>();
      for (OutgoingStream stream : streams) {
        int received = stream.receivedLayer();
        Publisher speaker = stream.publisher(); // a slot's speaker may have left meanwhile
        if (received >= 0 && speaker != null) {
          layers.put(speaker.participantId(), LayerMap.name(received));
        }
      }
      room.receivedLayersChanged(subscriber.participantId(), layers);
    }
  }

  /** How often large rooms pick their speakers (SpeakerSelector.PASS_INTERVAL_MILLIS). */
  static final long SPEAKER_PASS_MILLIS = SpeakerSelector.PASS_INTERVAL_MILLIS;

  // The speaker pass runs only while some room has slots (an idle server keeps no 10 Hz timer).
  // Whether it should run is decided under this lock, after the change that decides it.
  private final Object speakerPassLock = new Object();
  private PeriodicTasks speakerPass;

  /**
   * Switches {@code room} to speaker slots once it has more than the threshold's participants, or
   * spans instances (a cascaded room's relays carry only the selected speakers); called after each
   * join and when a room starts to span. The subscribers then get their slot m-lines in one
   * re-offer.
   */
  void slotsIfLarge(Room room) {
    boolean spans = room.participants().stream().anyMatch(p -> !p.isLocal());
    if ((room.participants().size() <= speakerSlots.threshold() && !spans)
        || room.forwarding().snapshot().slotted()) {
      return;
    }
    List<OutgoingStream> added = room.forwarding().enableSlots(speakerSlots.slots());
    LOG.info(
        () ->
            "speaker slots room="
                + room.id()
                + " participants="
                + room.participants().size()
                + " slots="
                + speakerSlots.slots());
    runSpeakerPassWhileSlotted();
    if (!added.isEmpty()) {
      room.mediaChanged();
    }
  }

  /**
   * Every 100 ms while some room has slots: each such room's selection pass; a changed slot map
   * goes to the room's clients first, then into the forwarding table.
   */
  private void passSpeakers() {
    try {
      long now = System.nanoTime();
      boolean any = false;
      for (Room room : rooms.rooms()) {
        if (!room.forwarding().snapshot().slotted()) {
          continue;
        }
        any = true;
        ForwardingTable.SlotMap map = room.forwarding().selectSpeakers(now);
        if (map != null) {
          room.activeSpeakersChanged(map);
          room.forwarding().install(map);
        }
      }
      if (!any) {
        runSpeakerPassWhileSlotted();
      }
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "speaker pass failed", e);
    }
  }

  /**
   * Starts the speaker pass if some room has slots, stops it if none has. Decided under a lock
   * after the change, so a room slotted while the pass found none still ends up with a pass.
   */
  private void runSpeakerPassWhileSlotted() {
    synchronized (speakerPassLock) {
      boolean slotted = false;
      for (Room room : rooms.rooms()) {
        slotted |= room.forwarding().snapshot().slotted();
      }
      speakerPass.runWhile(slotted);
    }
  }

  /** The task {@link #suspend} schedules at the end of the reconnect grace. */
  private void expireAtDeadline(Membership membership) {
    try {
      expire(membership, System.nanoTime());
    } catch (RuntimeException e) {
      // A one-shot task's exception would only reach its unread future; the sweep retries.
      LOG.log(Level.SEVERE, "reconnect grace expiry failed", e);
    }
  }

  /** The participant leaves if its grace ran out by {@code now}; forgotten here if it resumed. */
  private void expire(Membership membership, long now) {
    if (membership.owner() != null) {
      if (suspended.remove(membership)) { // resumed
        activityChanged();
      }
    } else if (membership.graceExpired(now) && suspended.remove(membership)) {
      activityChanged();
      EVENTS.info(
          "reconnect grace expired",
          EventLog.ROOM,
          membership.participant().roomId(),
          EventLog.PARTICIPANT,
          membership.participant().id());
      sweeps.swept("suspended");
      leave(membership, LeaveReason.DISCONNECTED);
    }
  }

  /** Pings every connection and ends those that missed their pings. */
  private void sweep() {
    try {
      long now = System.nanoTime();
      reportLateness(now);
      for (Membership membership : suspended) {
        expire(membership, now);
      }
      long idleLimit = limits.idleTimeout().toNanos();
      for (Connection connection : connections) {
        if (connection.silentLongerThan(idleLimit, now)) {
          EVENTS.info("connection timed out", EventLog.CONNECTION, connection.id());
          sweeps.swept("connection");
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

  /**
   * Logs a sweep that ran more than a period late (the machine or the JVM stalled), at most once a
   * minute: the evidence when clients report dropped connections. Idle timeouts do not depend on
   * it, they count from the pings actually written ({@link Connection#silentLongerThan}).
   */
  private void reportLateness(long now) {
    long period = limits.pingInterval().toNanos();
    long late = now - lastSweepNanos - period;
    if (late > period) {
      lateSweeps++;
      if (lastLatenessLogNanos == 0 || now - lastLatenessLogNanos > LATENESS_LOG_INTERVAL_NANOS) {
        lastLatenessLogNanos = now;
        EVENTS.warning(
            "ping sweep late",
            "lateMs",
            TimeUnit.NANOSECONDS.toMillis(late),
            "lateSweeps",
            lateSweeps);
      }
    }
  }

  /**
   * When the ping sweep last completed, or the periodic tasks last started (System.nanoTime());
   * used by the liveness check.
   */
  public long lastSweepNanos() {
    return lastSweepNanos;
  }

  /**
   * Whether the ping sweep is scheduled: false while no one is connected or suspended, when there
   * is nothing to sweep and the server runs no timer.
   */
  public boolean isSweeping() {
    return periodic != null && periodic.isRunning();
  }

  /** Whether the service accepts connections (started, not stopping, not draining). */
  public boolean isAccepting() {
    return codec != null && !stopping && !draining.get();
  }

  /**
   * Whether admission control sees the heap over its limit ({@code sfu.admission.max-heap-ratio}).
   */
  boolean isLowOnMemory() {
    Overload overload = admission.overload();
    return overload != null && Overload.HEAP.equals(overload.reason());
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

  SfuMetrics metrics() {
    return metrics;
  }

  /** The threads that write outgoing frames. */
  PacketWorkers writers() {
    return writers;
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[CONNECTION_ID_BYTES];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
