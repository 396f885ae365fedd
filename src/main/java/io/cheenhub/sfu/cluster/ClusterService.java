package io.cheenhub.sfu.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.cheenhub.sfu.admission.AdmissionControl;
import io.cheenhub.sfu.config.CascadeSettings;
import io.cheenhub.sfu.config.ClusterSettings;
import io.cheenhub.sfu.logging.EventLog;
import io.cheenhub.sfu.room.RoomRegistry;
import io.cheenhub.sfu.transport.relay.RelayKeys;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * This instance's part in a cluster on the Payara Data Grid (docs/deployment.md, "Cluster"). With
 * {@code sfu.cluster.enabled} off (the default) it does nothing and every room is local.
 *
 * <p>On: every heartbeat the instance writes its load to {@code sfu.load} with a time to live,
 * re-places the rooms of instances whose entry expired (or whose grid member left), checks that the
 * rooms open here are still placed here (a drain or split-brain merge may have moved them: then
 * their clients are sent on), and forgets placements nobody came to. A join asks {@link #decide}
 * whether the room lives here or elsewhere.
 */
@ManagedScheduledExecutorDefinition(
    name = ClusterService.EXECUTOR,
    maxAsync = 1,
    hungTaskThreshold = -1)
@ApplicationScoped
public class ClusterService {

  static final String EXECUTOR = "java:app/concurrent/sfu-cluster";

  /** Payara Micro's JNDI name of its Hazelcast instance. */
  static final String HAZELCAST_JNDI = "payara/Hazelcast";

  static final String LOAD_MAP = "sfu.load";
  static final String ROOM_MAP = "sfu.rooms";

  /** How long a placement may wait for its first participant before it is forgotten. */
  static final long UNUSED_GRACE_MILLIS = 30_000;

  private static final Logger LOG = Logger.getLogger(ClusterService.class.getName());
  private static final EventLog EVENTS = EventLog.of(ClusterService.class);

  /** What a join should do. */
  public record Decision(boolean local, String url, String ticket) {
    static final Decision LOCAL = new Decision(true, null, null);
  }

  @Inject ClusterSettings settings;
  @Inject CascadeSettings cascade = CascadeSettings.OFF;
  @Inject RoomRegistry rooms;
  @Inject AdmissionControl admission;

  @Resource(lookup = EXECUTOR)
  ScheduledExecutorService scheduler;

  private final Clock clock = Clock.systemUTC();
  private final AtomicLong redirects = new AtomicLong();
  private final AtomicLong replacements = new AtomicLong();
  private volatile int roomsOwned;
  private volatile HazelcastInstance grid;
  private volatile IMap<String, String> loads;
  private volatile IMap<String, String> placements;
  private volatile RoomPlacer placer;
  private volatile RedirectTicket tickets;
  // The secret this instance's relay keys derive from (RelayKeys); new with every start.
  private final byte[] relaySecret = new byte[RelayKeys.SECRET_BYTES];
  private volatile boolean published;
  private volatile boolean draining;
  private volatile String problem;
  private volatile BiConsumer<String, Placement> onRoomMoved = (room, placement) -> {};
  private volatile Runnable onBeat = () -> {};
  private volatile java.util.function.Consumer<String> onMemberGone = member -> {};
  private ScheduledFuture<?> heartbeat;
  private java.util.UUID membershipListener;

  /** A single instance's cluster part, for code assembled without CDI (tests, tools). */
  public static ClusterService singleInstance() {
    var service = new ClusterService();
    service.settings = ClusterSettings.SINGLE;
    return service;
  }

  void start(@Observes @Initialized(ApplicationScoped.class) Object event) {
    if (!settings.enabled()) {
      return;
    }
    HazelcastInstance hazelcast;
    try {
      hazelcast = InitialContext.doLookup(HAZELCAST_JNDI);
    } catch (NamingException | ClassCastException e) {
      problem =
          "sfu.cluster.enabled is set but Payara's Data Grid is not running (started with"
              + " --nohazelcast?): "
              + e;
      LOG.severe(problem);
      return;
    }
    join(hazelcast, true);
  }

  /**
   * Joins the cluster through {@code hazelcast}: the maps, the membership listener and, with {@code
   * beating}, the heartbeat task (tests call {@link #beat} themselves).
   */
  void join(HazelcastInstance hazelcast, boolean beating) {
    tickets = new RedirectTicket(settings.secret().getBytes(StandardCharsets.UTF_8));
    new java.security.SecureRandom().nextBytes(relaySecret);
    grid = hazelcast;
    loads = grid.getMap(LOAD_MAP);
    placements = grid.getMap(ROOM_MAP);
    placer = new RoomPlacer(placements, loads::values, settings.instance(), clock);
    membershipListener = grid.getCluster().addMembershipListener(new Members());
    if (beating) {
      long period = settings.heartbeat().toMillis();
      heartbeat = scheduler.scheduleAtFixedRate(this::beat, 0, period, TimeUnit.MILLISECONDS);
    } else {
      publish();
    }
    EVENTS.info(
        "cluster member started",
        "instance",
        settings.instance(),
        "url",
        settings.publicUrl(),
        "members",
        grid.getCluster().getMembers().size());
  }

  @PreDestroy
  void stop() {
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
    if (grid != null && grid.getLifecycleService().isRunning()) {
      try {
        grid.getCluster().removeMembershipListener(membershipListener);
        for (String room : openRooms()) {
          placer.release(room);
        }
        loads.remove(settings.instance()); // the others re-place at once, not after the TTL
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "cluster: could not leave the grid cleanly", e);
      }
    }
  }

  /** Called with (room, new placement) when a room open here was placed elsewhere. */
  public void onRoomMoved(BiConsumer<String, Placement> listener) {
    onRoomMoved = listener;
  }

  /**
   * Called after each heartbeat, on the heartbeat's thread ({@link Cascade}'s checks), and with the
   * grid member UUID of each member that left the grid.
   */
  void onBeat(Runnable beat, java.util.function.Consumer<String> memberGone) {
    onBeat = beat;
    onMemberGone = memberGone;
  }

  /** Whether this instance is one of several. */
  public boolean enabled() {
    return settings.enabled();
  }

  /** Whether rooms may span instances ({@code sfu.cluster.cascade}). */
  public boolean cascades() {
    return settings.enabled() && cascade.enabled();
  }

  /** The grid once joined, else null. */
  HazelcastInstance grid() {
    return grid;
  }

  /** The secret this instance's relay keys derive from (published in its load entry). */
  byte[] relaySecret() {
    return relaySecret.clone();
  }

  /** This instance's name. */
  public String instance() {
    return settings.instance();
  }

  /**
   * Ready: a single instance always; a cluster member once it is in the grid and its load entry is
   * published (before that, other instances would not know it and placement would be blind).
   */
  public boolean isReady() {
    return !settings.enabled()
        || (grid != null && grid.getLifecycleService().isRunning() && published);
  }

  /** Why {@link #isReady} is false, or null. */
  public String problem() {
    if (problem != null || isReady()) {
      return problem;
    }
    return "not yet a grid member with its load published";
  }

  /** Members of the grid now (1 for a single instance). */
  public int members() {
    HazelcastInstance hz = grid;
    return hz == null ? 1 : hz.getCluster().getMembers().size();
  }

  /** The live instances by id, as the load map has them now (empty for a single instance). */
  public java.util.Map<String, InstanceLoad> live() {
    RoomPlacer p = placer;
    return p == null ? java.util.Map.of() : p.live();
  }

  /** Joins sent to another instance so far. */
  public long redirects() {
    return redirects.get();
  }

  /** Rooms this instance re-placed after their instance died. */
  public long replacements() {
    return replacements.get();
  }

  /**
   * Rooms placed on this instance as of the last heartbeat's sweep (0 for a single instance:
   * nothing is placed). Read by the metrics scrape, which must not scan the grid itself.
   */
  public long roomsOwned() {
    return roomsOwned;
  }

  /**
   * Where a join of {@code roomId} goes: here, or the instance the room is placed on (with a ticket
   * for it).
   *
   * @return null if the room has no place: no live instance takes rooms
   */
  public Decision decide(String roomId) {
    RoomPlacer p = placer;
    if (!settings.enabled() || p == null) {
      return Decision.LOCAL;
    }
    if (rooms.room(roomId).isPresent()) {
      return Decision.LOCAL; // open here: its placement check runs every heartbeat
    }
    if (cascades()) {
      // A cascaded room is served where the join arrived; the first instance claims it.
      placements.putIfAbsent(
          roomId,
          new Placement(settings.instance(), settings.publicUrl().toString(), 1, clock.millis())
              .toJson());
      return Decision.LOCAL;
    }
    Placement placement = p.place(roomId);
    if (placement == null) {
      return null;
    }
    if (placement.owner().equals(settings.instance())) {
      return Decision.LOCAL;
    }
    redirects.incrementAndGet();
    return new Decision(false, placement.url(), ticketFor(roomId, placement));
  }

  /** A ticket that sends a client of {@code roomId} to {@code placement}'s instance. */
  public String ticketFor(String roomId, Placement placement) {
    return tickets.issue(
        roomId, placement.owner(), clock.millis() + RedirectTicket.LIFETIME_MILLIS);
  }

  /**
   * Whether {@code ticket} is a valid redirect ticket for {@code roomId} on this instance: another
   * instance placed the room here and sent the client, so admission control's view at that moment
   * already counted this instance as taking rooms.
   */
  public boolean sentHere(String roomId, String ticket) {
    RedirectTicket t = tickets;
    return t != null && t.verify(ticket, roomId, settings.instance(), clock.millis());
  }

  /**
   * Drain, cluster part: no new rooms come here, and each room open here is placed on another
   * instance (each such room's clients are then sent there by the caller).
   *
   * @return room → its new placement (rooms nobody else could take are missing)
   */
  public java.util.Map<String, Placement> drainRooms() {
    draining = true;
    if (placer == null) {
      return java.util.Map.of();
    }
    publish();
    var moved = new java.util.TreeMap<String, Placement>();
    for (String room : openRooms()) {
      Placement placement = placer.moveAway(room);
      if (placement == null && cascades()) {
        // A cascaded room open here but placed on another instance: its clients go there.
        Placement owner = placer.placementOf(room);
        placement = owner != null && !owner.owner().equals(settings.instance()) ? owner : null;
      }
      if (placement != null) {
        moved.put(room, placement);
      }
    }
    EVENTS.info("cluster drain", "rooms", openRooms().size(), "moved", moved.size());
    return moved;
  }

  private Set<String> openRooms() {
    return rooms.rooms().stream().map(r -> r.id()).collect(Collectors.toSet());
  }

  private void publish() {
    var sample = admission.lastSample();
    var load =
        new InstanceLoad(
            settings.instance(),
            settings.publicUrl().toString(),
            rooms.participantCount(),
            rooms.roomCount(),
            sample.cpuLoad(),
            draining,
            admission.overload() != null,
            clock.millis(),
            grid.getCluster().getLocalMember().getUuid().toString(),
            cascade.relayAddress(),
            cascades() ? java.util.Base64.getEncoder().encodeToString(relaySecret) : "");
    loads.put(settings.instance(), load.toJson(), settings.ttl().toMillis(), TimeUnit.MILLISECONDS);
    published = true;
  }

  /** One heartbeat; never throws (a scheduled task that throws never runs again). */
  void beat() {
    try {
      publish();
      RoomPlacer.Sweep sweep =
          placer.sweep(room -> rooms.room(room).isPresent(), UNUSED_GRACE_MILLIS);
      roomsOwned = sweep.owned();
      List<String> moved = sweep.replaced();
      if (!moved.isEmpty()) {
        replacements.addAndGet(moved.size());
        EVENTS.info("cluster re-placed rooms of a dead instance", "rooms", moved);
      }
      String self = settings.instance();
      for (String room : openRooms()) {
        Placement placement = placer.placementOf(room);
        if (placement == null) {
          // Lost with a crashed member's partition (no backup on one host): claim it again.
          placements.putIfAbsent(
              room,
              new Placement(self, settings.publicUrl().toString(), 1, clock.millis()).toJson());
        } else if (!placement.owner().equals(self) && !cascades()) {
          // (A cascaded room spans instances: being open here and placed there is normal.)
          onRoomMoved.accept(room, placement);
        }
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cluster heartbeat failed", e);
    }
    try {
      onBeat.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cascade heartbeat failed", e);
    }
  }

  /** Drops the load entry of a member that left the grid: its rooms move at the next beat. */
  private final class Members implements MembershipListener {
    @Override
    public void memberAdded(MembershipEvent event) {
      EVENTS.info("cluster member added", "member", event.getMember().getUuid().toString());
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      String gone = event.getMember().getUuid().toString();
      EVENTS.info("cluster member removed", "member", gone);
      try {
        IMap<String, String> map = loads;
        for (var entry : map.entrySet()) {
          InstanceLoad load = InstanceLoad.fromJson(entry.getValue());
          if (load != null && gone.equals(load.member())) {
            map.remove(entry.getKey(), entry.getValue());
          }
        }
        onMemberGone.accept(gone);
        if (heartbeat != null) {
          scheduler.execute(ClusterService.this::beat);
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "cluster: handling a member that left failed", e);
      }
    }
  }
}
