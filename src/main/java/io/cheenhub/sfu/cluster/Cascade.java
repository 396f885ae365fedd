package io.cheenhub.sfu.cluster;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import com.hazelcast.query.Predicates;
import io.cheenhub.sfu.config.CascadeSettings;
import io.cheenhub.sfu.logging.EventLog;
import io.cheenhub.sfu.media.ForwardingService;
import io.cheenhub.sfu.media.NegotiatedRtp;
import io.cheenhub.sfu.media.Publisher;
import io.cheenhub.sfu.media.Subscriber;
import io.cheenhub.sfu.room.LeaveReason;
import io.cheenhub.sfu.room.Participant;
import io.cheenhub.sfu.room.Room;
import io.cheenhub.sfu.room.RoomRegistry;
import io.cheenhub.sfu.rtp.RtpPacket;
import io.cheenhub.sfu.transport.relay.RelayKeys;
import io.cheenhub.sfu.transport.relay.RelayLink;
import io.cheenhub.sfu.transport.relay.RelayPort;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorDefinition;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Cascaded rooms (docs/architecture.md, "Cascade"): a room whose participants joined on several
 * instances spans them. Each instance serves its own participants; they exchange only their
 * selected speakers' audio, over one relay per (room, other instance) through this instance's
 * {@link RelayPort}.
 *
 * <ul>
 *   <li><b>Presence</b>: every participant of a cascade instance is announced on the grid map
 *       {@code sfu.cascade} ({@link CascadeMember}) by its own instance. An instance that has the
 *       room open (one of its own participants is in it) adds the others' participants to the room
 *       as remote participants ({@link RoomRegistry#joinRemote}), so its clients see the whole
 *       roster, and removes them when their entries go.
 *   <li><b>Audio</b>: for each other instance in the room, a relay subscriber in the room's
 *       forwarding table carries this instance's own speakers, and only while they hold a speaker
 *       slot (a cascaded room is always on slots); each remote participant that publishes is a
 *       publisher here fed from the relay, ranked by the same speaker selection. Each side selects
 *       over its own speakers and the other's selected ones, which contain the overall loudest, so
 *       both sides' slot maps agree.
 *   <li><b>Failure</b>: entries of an instance whose load entry expired or whose grid member left
 *       are dropped (the member's entries are removed from the grid in one step); a periodic
 *       comparison with the grid repairs anything an event race left behind.
 * </ul>
 *
 * <p>Threads: local changes come from signaling (WebSocket threads), remote ones from the grid's
 * event threads, checks from the cluster heartbeat. Each open room has its own lock ({@code
 * Span.lock}); the packet path (relay receive thread, packet workers) reads immutable routes only.
 */
@ManagedExecutorDefinition(name = Cascade.EXECUTOR, maxAsync = 1, hungTaskThreshold = -1)
@ApplicationScoped
public class Cascade {

  static final String EXECUTOR = "java:app/concurrent/sfu-relay";

  static final String PRESENCE_MAP = "sfu.cascade";

  /**
   * The relay's RTP: Opus as payload type 111 and the RFC 6464 audio level as extension 1, which
   * the receiving instance's speaker selection reads. No RED, no transport-cc, no NACK: the relay
   * runs between instances on one private network.
   */
  public static final NegotiatedRtp RELAY_RTP =
      NegotiatedRtp.of(111, Map.of(NegotiatedRtp.AUDIO_LEVEL_URI, 1));

  /** The relay receive thread's name while it runs (15 characters: Linux keeps that many). */
  public static final String RECEIVE_THREAD = "sfu-relay-recv";

  /** How often an open room's remote participants are compared with the grid. */
  static final long RECONCILE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private static final Logger LOG = Logger.getLogger(Cascade.class.getName());
  private static final EventLog EVENTS = EventLog.of(Cascade.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  @Inject ClusterService cluster;
  @Inject CascadeSettings settings;
  @Inject RoomRegistry rooms;

  @Resource(lookup = EXECUTOR)
  ExecutorService executor;

  private volatile ForwardingService forwarding;
  private volatile Consumer<Room> onSpanned = room -> {};
  private final Object startLock = new Object();
  private volatile RelayPort port;
  private Future<?> receiving;
  private volatile IMap<String, String> presence;
  private UUID listener;
  private volatile String member;
  private final Map<String, Span> spans = new ConcurrentHashMap<>();
  private final Object routesLock = new Object();
  private volatile Routes routes = Routes.EMPTY;
  private final RtpPacket view = new RtpPacket(); // the receive thread's
  private long lastReconcileNanos = System.nanoTime(); // the heartbeat thread's
  // The load map as the last heartbeat read it: grid events consult this instead of scanning the
  // map on the grid's event thread for every participant (refreshed once for an unknown instance).
  private volatile Map<String, InstanceLoad> liveInstances = Map.of();

  /** Cascade off, for code assembled without CDI (tests, tools). */
  public static Cascade off() {
    var cascade = new Cascade();
    cascade.cluster = ClusterService.singleInstance();
    cascade.settings = CascadeSettings.OFF;
    return cascade;
  }

  /** Whether rooms may span instances here. */
  public boolean enabled() {
    return cluster.cascades();
  }

  /**
   * Starts the relay port (when cascade is on); signaling calls it once at start.
   *
   * @param onSpanned called (without locks) when a room here starts to span another instance: it is
   *     put on speaker slots
   */
  public void attach(ForwardingService forwarding, Consumer<Room> onSpanned) {
    this.forwarding = forwarding;
    this.onSpanned = onSpanned;
    if (!enabled()) {
      return;
    }
    try {
      port = RelayPort.bind(settings.relayPort());
    } catch (IOException e) {
      LOG.log(
          Level.SEVERE,
          "cascade: relay port " + settings.relayPort() + " could not be bound; rooms stay local",
          e);
      return;
    }
    RelayPort bound = port;
    receiving =
        executor.submit(
            () -> {
              // Named for operators and the browser test (top -H, /proc/<pid>/task/*/comm).
              Thread thread = Thread.currentThread();
              String name = thread.getName();
              thread.setName(RECEIVE_THREAD);
              try {
                bound.receive(this::onDatagram);
              } finally {
                thread.setName(name);
              }
            });
    cluster.onBeat(this::beat, this::memberGone);
    EVENTS.info(
        "cascade relay started", "port", bound.port(), "advertised", settings.relayAddress());
  }

  /** Why cascade is on but cannot work (the relay port could not be bound), or null. */
  public String problem() {
    return enabled() && port == null && forwarding != null
        ? "sfu.cluster.cascade is on but relay port " + settings.relayPort() + " could not be bound"
        : null;
  }

  /** Relay packets sent to ({@code sent}) or taken from other instances since start; 0 without. */
  public long relayPackets(boolean sent) {
    RelayPort p = port;
    return p == null ? 0 : sent ? p.sent() : p.received();
  }

  /** Relay packets dropped for {@code reason} since start; 0 without cascade. */
  public long relayDropped(RelayPort.Drop reason) {
    RelayPort p = port;
    return p == null ? 0 : p.dropped(reason);
  }

  /** The relay port, or null without cascade. */
  public RelayPort port() {
    return port;
  }

  @PreDestroy
  void stop() {
    IMap<String, String> map = presence;
    if (map != null && listener != null) {
      try {
        map.removeEntryListener(listener);
        for (Span span : spans.values()) {
          span.own.values().forEach(entry -> map.delete(entry.key())); // undeployed, not dead
        }
      } catch (RuntimeException e) {
        LOG.log(Level.FINE, "cascade: grid gone at stop", e);
      }
    }
    for (Span span : spans.values()) {
      close(span);
    }
    RelayPort p = port;
    if (p != null) {
      p.close();
    }
    if (receiving != null) {
      receiving.cancel(true);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // This instance's participants (signaling calls these; never under a room's lock)

  /** A participant joined {@code room} here: announce it, and open the room's span if new. */
  public void localJoined(Room room, Participant participant) {
    if (!ready()) {
      return;
    }
    Span span = spanOf(room);
    var entry =
        new CascadeMember(
            room.id(),
            participant.id(),
            participant.displayName(),
            cluster.instance(),
            member,
            span.token,
            0,
            participant.isMuted());
    span.own.put(participant.id(), entry);
    try {
      presence.set(entry.key(), entry.toJson());
      if (span.loaded.compareAndSet(false, true)) {
        // The room just opened here: who is in it on other instances already.
        for (String json :
            presence.values(Predicates.like("__key", CascadeMember.prefix(room.id()) + "%"))) {
          apply(CascadeMember.fromJson(json));
        }
      }
    } catch (RuntimeException e) {
      // The grid is unreachable: the room works here; the periodic comparison catches up.
      LOG.log(Level.WARNING, "cascade: announcing a participant failed", e);
    }
  }

  /** {@code participant} publishes: its relay SSRC goes into its entry. */
  public void localPublished(Participant participant, Publisher publisher) {
    update(participant, entry -> entry.withSsrc(publisher.relaySsrc()));
  }

  /** {@code participant} muted or unmuted. */
  public void localMuted(Participant participant) {
    update(participant, entry -> entry.withMuted(participant.isMuted()));
  }

  /**
   * {@code participant} left {@code room} here: its entry goes, and with the room's last local
   * participant the span closes (the remote participants leave the room here, which closes it).
   */
  public void localLeft(Room room, Participant participant) {
    Span span = spans.get(room.id());
    if (span == null || presence == null) {
      return;
    }
    CascadeMember entry = span.own.remove(participant.id());
    if (entry != null) {
      try {
        presence.delete(entry.key());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "cascade: removing a participant's entry failed", e);
      }
    }
    if (!room.hasLocalParticipants()) {
      close(span);
    }
  }

  private void update(
      Participant participant, java.util.function.UnaryOperator<CascadeMember> change) {
    Span span = spans.get(participant.roomId());
    if (span == null || presence == null) {
      return;
    }
    CascadeMember updated = span.own.computeIfPresent(participant.id(), (id, e) -> change.apply(e));
    if (updated != null) {
      try {
        presence.set(updated.key(), updated.toJson());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "cascade: updating a participant's entry failed", e);
      }
    }
  }

  /** Joins the grid map on first use (the grid starts independently of signaling). */
  private boolean ready() {
    if (!enabled() || port == null) {
      return false;
    }
    if (presence != null) {
      return true;
    }
    synchronized (startLock) {
      if (presence != null) {
        return true;
      }
      HazelcastInstance grid = cluster.grid();
      if (grid == null) {
        return false;
      }
      member = grid.getCluster().getLocalMember().getUuid().toString();
      IMap<String, String> map = grid.getMap(PRESENCE_MAP);
      listener = map.addEntryListener(new Events(), true);
      presence = map;
      return true;
    }
  }

  private Span spanOf(Room room) {
    return spans.compute(
        room.id(),
        (id, span) -> span == null || span.closed || span.room != room ? new Span(room) : span);
  }

  // ---------------------------------------------------------------------------------------------
  // Other instances' participants

  /** An entry was added or changed on the grid (or read when the room opened here). */
  void apply(CascadeMember entry) {
    if (entry == null || entry.instance().equals(cluster.instance())) {
      return;
    }
    Span span = spans.get(entry.room());
    if (span == null) {
      return;
    }
    boolean spanned;
    boolean mediaChanged = false;
    Room room = span.room;
    Map<String, InstanceLoad> live = liveInstances;
    if (!alive(entry, live, null)) {
      live = cluster.live(); // an instance that came up (or back) since the last heartbeat
      liveInstances = live;
    }
    synchronized (span.lock) {
      if (span.closed || !alive(entry, live, null)) {
        return;
      }
      int linksBefore = span.links.size();
      Link link = link(span, entry, live.get(entry.instance()));
      if (link == null) {
        span.pending.put(entry.id(), entry); // the instance's load entry is not there yet
        return;
      }
      span.pending.remove(entry.id());
      spanned = linksBefore == 0 && !span.links.isEmpty();
      Remote remote = span.remotes.get(entry.id());
      if (remote != null && remote.link != link) {
        remove(span, remote, LeaveReason.DISCONNECTED); // came back through a new relay
        remote = null;
      }
      if (remote == null) {
        Participant participant =
            rooms.joinRemote(room.id(), entry.id(), entry.name(), entry.instance(), entry.muted());
        if (participant == null) {
          return;
        }
        remote = new Remote(participant, link);
        remote.entry = entry;
        span.remotes.put(entry.id(), remote);
      } else if (remote.entry.muted() != entry.muted()) {
        remote.participant.setMuted(entry.muted());
        if (remote.publisher != null) {
          room.forwarding().setMuted(remote.publisher, entry.muted());
        }
        room.mutedChanged(remote.participant, null);
      }
      if (remote.ssrc != entry.ssrc()) {
        replacePublisher(room, remote, entry);
        mediaChanged = true;
      }
      remote.entry = entry;
    }
    if (spanned) {
      EVENTS.info("cascade room spans", EventLog.ROOM, room.id(), "instance", entry.instance());
      onSpanned.accept(room);
    }
    if (mediaChanged) {
      room.mediaChanged();
    }
  }

  /**
   * An entry was removed from the grid: that participant left its instance's room. Read from the
   * key (room/participant/member): a removal's event need not carry the old value.
   */
  void removed(String key) {
    String[] parts = key.split("/", 3);
    if (parts.length != 3 || parts[2].equals(member)) {
      return;
    }
    Span span = spans.get(parts[0]);
    if (span == null) {
      return;
    }
    synchronized (span.lock) {
      span.pending.remove(parts[1]);
      Remote remote = span.remotes.get(parts[1]);
      if (remote != null && remote.entry.member().equals(parts[2])) {
        remove(span, remote, LeaveReason.LEFT);
        closeIdleLinks(span);
      }
    }
  }

  /**
   * The relay to {@code entry}'s instance for this room: the existing one, or a new one (with new
   * keys) when there is none or the instance opened the room again (a new span). Null if that
   * instance has not published its relay yet. Under the span's lock.
   */
  private Link link(Span span, CascadeMember entry, InstanceLoad peer) {
    Link link = span.links.get(entry.instance());
    if (link != null && link.peerSpan.equals(entry.span()) && link.member.equals(entry.member())) {
      return link;
    }
    if (link != null) {
      close(span, link);
    }
    if (peer == null || peer.relay().isEmpty() || peer.relayKey().isEmpty()) {
      return null;
    }
    InetSocketAddress address = address(peer.relay());
    if (address == null) {
      return null;
    }
    var relay =
        new RelayLink(
            port,
            address,
            RelayKeys.session(
                span.room.id(),
                new RelayKeys.End(cluster.instance(), cluster.relaySecret(), span.token),
                new RelayKeys.End(
                    entry.instance(), Base64.getDecoder().decode(peer.relayKey()), entry.span())));
    Subscriber subscriber = forwarding.newRelaySubscriber(entry.instance(), RELAY_RTP);
    subscriber.setSender(relay::sendRtp);
    link = new Link(entry.instance(), entry.member(), entry.span(), relay, subscriber);
    span.links.put(entry.instance(), link);
    span.room.forwarding().addSubscriber(subscriber);
    return link;
  }

  private void replacePublisher(Room room, Remote remote, CascadeMember entry) {
    if (remote.publisher != null) {
      unroute(remote.publisher);
      room.forwarding().removePublisher(remote.publisher);
      forwarding.forget(remote.publisher);
      remote.publisher = null;
    }
    remote.ssrc = 0;
    if (entry.ssrc() == 0) {
      return;
    }
    remote.ssrc = entry.ssrc();
    Publisher publisher = forwarding.newRemotePublisher(entry.id(), RELAY_RTP, entry.instance());
    if (entry.muted()) {
      room.forwarding().setMuted(publisher, true);
    }
    room.forwarding().addPublisher(publisher);
    remote.publisher = publisher;
    route(entry.ssrc(), remote.link.relay, publisher);
  }

  /** Removes a remote participant here: its publisher, its route, its place in the room. */
  private void remove(Span span, Remote remote, LeaveReason reason) {
    span.remotes.remove(remote.participant.id(), remote);
    if (remote.publisher != null) {
      unroute(remote.publisher);
      span.room.forwarding().removePublisher(remote.publisher);
      forwarding.forget(remote.publisher);
      remote.publisher = null;
    }
    rooms.leave(remote.participant, reason);
  }

  /** Closes the relays no remote participant uses any more. Under the span's lock. */
  private void closeIdleLinks(Span span) {
    for (Link link : new ArrayList<>(span.links.values())) {
      boolean used = span.remotes.values().stream().anyMatch(r -> r.link == link);
      boolean waiting =
          span.pending.values().stream().anyMatch(e -> e.instance().equals(link.peer));
      if (!used && !waiting) {
        close(span, link);
      }
    }
  }

  /** Closes one relay and removes the remote participants that came over it. */
  private void close(Span span, Link link) {
    span.links.remove(link.peer, link);
    for (Remote remote : new ArrayList<>(span.remotes.values())) {
      if (remote.link == link) {
        remove(span, remote, LeaveReason.DISCONNECTED);
      }
    }
    span.room.forwarding().removeSubscriber(link.subscriber);
    forwarding.forget(link.subscriber);
    port.awaitReceiveStep(); // no datagram is still being decrypted with its keys
    link.relay.close();
  }

  /** Closes a room's span: its last local participant left (or the server stops). */
  private void close(Span span) {
    synchronized (span.lock) {
      if (span.closed) {
        return;
      }
      span.closed = true;
      for (Link link : new ArrayList<>(span.links.values())) {
        close(span, link);
      }
      for (Remote remote : new ArrayList<>(span.remotes.values())) {
        remove(span, remote, LeaveReason.DISCONNECTED);
      }
      span.pending.clear();
    }
    spans.remove(span.room.id(), span);
  }

  // ---------------------------------------------------------------------------------------------
  // Liveness: the heartbeat's checks

  /** A grid member left: its entries go from the grid (every instance may do it; idempotent). */
  void memberGone(String gone) {
    IMap<String, String> map = presence;
    if (map == null) {
      return;
    }
    try {
      map.removeAll(Predicates.like("__key", CascadeMember.ofMember(gone)));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "cascade: removing the entries of a member that left failed", e);
    }
  }

  /**
   * After each cluster heartbeat: remote participants of instances that died leave, relays wait for
   * their instance's load entry are retried, and every few seconds each open room is compared with
   * the grid.
   */
  void beat() {
    IMap<String, String> map = presence;
    if (map == null) {
      return;
    }
    Map<String, InstanceLoad> live = cluster.live();
    liveInstances = live;
    Set<String> members = new HashSet<>();
    cluster.grid().getCluster().getMembers().forEach(m -> members.add(m.getUuid().toString()));
    long now = System.nanoTime();
    boolean reconcile = now - lastReconcileNanos >= RECONCILE_NANOS;
    if (reconcile) {
      lastReconcileNanos = now;
    }
    for (Span span : spans.values()) {
      List<CascadeMember> retry;
      synchronized (span.lock) {
        if (span.closed) {
          continue;
        }
        for (Remote remote : new ArrayList<>(span.remotes.values())) {
          if (!alive(remote.entry, live, members)) {
            remove(span, remote, LeaveReason.DISCONNECTED);
          }
        }
        span.pending.values().removeIf(e -> !alive(e, live, members));
        closeIdleLinks(span);
        retry = new ArrayList<>(span.pending.values());
      }
      retry.forEach(this::apply);
      if (reconcile) {
        reconcile(span, map, members);
      }
    }
  }

  /** Repairs what event races may leave: entries missed, participants whose entry is gone. */
  private void reconcile(Span span, IMap<String, String> map, Set<String> members) {
    Map<String, CascadeMember> inGrid = new HashMap<>();
    Set<String> ownInGrid = new HashSet<>();
    for (var e :
        map.entrySet(Predicates.like("__key", CascadeMember.prefix(span.room.id()) + "%"))) {
      CascadeMember entry = CascadeMember.fromJson(e.getValue());
      if (entry == null) {
        continue;
      }
      if (!members.contains(entry.member())) {
        map.remove(e.getKey(), e.getValue()); // an instance's earlier life, or a member gone
      } else if (!entry.instance().equals(cluster.instance())) {
        inGrid.put(entry.id(), entry);
      } else {
        ownInGrid.add(e.getKey());
      }
    }
    synchronized (span.lock) {
      if (span.closed) {
        return;
      }
      for (Remote remote : new ArrayList<>(span.remotes.values())) {
        if (!inGrid.containsKey(remote.participant.id())) {
          remove(span, remote, LeaveReason.LEFT);
        }
      }
      closeIdleLinks(span);
    }
    for (CascadeMember entry : inGrid.values()) {
      Remote remote = span.remotes.get(entry.id());
      if (remote == null || !remote.entry.equals(entry)) {
        apply(entry);
      }
    }
    // Own entries must match the participants here (a lost write, a leave racing a join); the
    // query above already returned the ones the grid has.
    for (CascadeMember own : span.own.values()) {
      if (!ownInGrid.contains(own.key())
          && span.room.participants().stream().anyMatch(p -> p.id().equals(own.id()))) {
        map.set(own.key(), own.toJson());
      }
    }
  }

  /**
   * Whether {@code entry}'s instance is alive: its load entry is fresh, its grid member present.
   */
  private static boolean alive(
      CascadeMember entry, Map<String, InstanceLoad> live, Set<String> members) {
    InstanceLoad load = live.get(entry.instance());
    return load != null
        && (load.member().isEmpty() || load.member().equals(entry.member()))
        && (members == null || members.contains(entry.member()));
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try {
      return new InetSocketAddress(
          hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    } catch (RuntimeException e) {
      LOG.warning(() -> "cascade: bad relay address " + hostPort);
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The packet path: relay receive thread

  /** One relay datagram: find its speaker by SSRC, decrypt, hand it to the speaker's fan-out. */
  private void onDatagram(byte[] buf, int off, int len, long receivedNanos) {
    RelayPort p = port;
    // RTP (RFC 5761 §4: version 2, not an RTCP packet type) with a header and a GCM tag.
    int second = buf[off + 1] & 0xFF;
    if (len < 12 + 16 || (buf[off] & 0xC0) != 0x80 || (second >= 192 && second <= 223)) {
      p.drop(RelayPort.Drop.NOT_RTP);
      return;
    }
    int ssrc =
        (buf[off + 8] & 0xFF) << 24
            | (buf[off + 9] & 0xFF) << 16
            | (buf[off + 10] & 0xFF) << 8
            | (buf[off + 11] & 0xFF);
    Route route = routes.find(ssrc);
    if (route == null) {
      p.drop(RelayPort.Drop.UNKNOWN_SSRC);
      return;
    }
    int length = route.link.unprotect(buf, off, len);
    if (length < 0) {
      return;
    }
    if (!view.wrap(buf, off, length)) {
      p.drop(RelayPort.Drop.NOT_RTP);
      return;
    }
    p.countReceived();
    route.publisher.onRtp(view, receivedNanos);
  }

  private void route(int ssrc, RelayLink link, Publisher publisher) {
    synchronized (routesLock) {
      Routes next = routes.with(ssrc, new Route(link, publisher));
      if (next == null) {
        LOG.warning(
            () ->
                "cascade: relay SSRC "
                    + Integer.toUnsignedString(ssrc)
                    + " is taken by another instance's speaker; "
                    + publisher.participantId()
                    + " is not heard here");
        return;
      }
      routes = next;
    }
  }

  private void unroute(Publisher publisher) {
    synchronized (routesLock) {
      routes = routes.without(publisher);
    }
    RelayPort p = port;
    if (p != null) {
      p.awaitReceiveStep();
    }
  }

  /** Relayed speakers by SSRC: sorted arrays, replaced whole on a change (copy on write). */
  private record Routes(int[] ssrcs, Route[] routes) {
    static final Routes EMPTY = new Routes(new int[0], new Route[0]);

    Route find(int ssrc) {
      int at = Arrays.binarySearch(ssrcs, ssrc);
      return at >= 0 ? routes[at] : null;
    }

    /** With {@code ssrc} → {@code route}, or null if the SSRC is taken. */
    Routes with(int ssrc, Route route) {
      int at = Arrays.binarySearch(ssrcs, ssrc);
      if (at >= 0) {
        return null;
      }
      int insert = -at - 1;
      int[] s = new int[ssrcs.length + 1];
      Route[] r = new Route[routes.length + 1];
      System.arraycopy(ssrcs, 0, s, 0, insert);
      System.arraycopy(routes, 0, r, 0, insert);
      s[insert] = ssrc;
      r[insert] = route;
      System.arraycopy(ssrcs, insert, s, insert + 1, ssrcs.length - insert);
      System.arraycopy(routes, insert, r, insert + 1, routes.length - insert);
      return new Routes(s, r);
    }

    Routes without(Publisher publisher) {
      int n = 0;
      int[] s = new int[ssrcs.length];
      Route[] r = new Route[routes.length];
      for (int i = 0; i < ssrcs.length; i++) {
        if (routes[i].publisher != publisher) {
          s[n] = ssrcs[i];
          r[n++] = routes[i];
        }
      }
      return new Routes(Arrays.copyOf(s, n), Arrays.copyOf(r, n));
    }
  }

  private record Route(RelayLink link, Publisher publisher) {}

  /** A room open here, as far as the cascade is concerned. */
  private static final class Span {
    final Room room;
    final Object lock = new Object();
    // Drawn when the room opened here: part of every relay key of this opening (RelayKeys).
    final String token = Long.toHexString(RANDOM.nextLong());
    final java.util.concurrent.atomic.AtomicBoolean loaded =
        new java.util.concurrent.atomic.AtomicBoolean();
    // This instance's participants as announced (participant id → entry).
    final Map<String, CascadeMember> own = new ConcurrentHashMap<>();
    // Under lock: relays by instance, remote participants by id, entries waiting for a relay.
    final Map<String, Link> links = new HashMap<>();
    final Map<String, Remote> remotes = new ConcurrentHashMap<>();
    final Map<String, CascadeMember> pending = new HashMap<>();
    boolean closed;

    Span(Room room) {
      this.room = room;
    }
  }

  /** One relay of a room: to one other instance, for one opening of the room on each side. */
  private record Link(
      String peer, String member, String peerSpan, RelayLink relay, Subscriber subscriber) {}

  /** A participant of another instance, as this instance has it in the room. */
  private static final class Remote {
    final Participant participant;
    final Link link;
    CascadeMember entry;
    Publisher publisher;
    int ssrc; // its relay SSRC as its instance announced it, 0: not publishing

    Remote(Participant participant, Link link) {
      this.participant = participant;
      this.link = link;
    }
  }

  /** Grid events of the presence map, for every room (rooms not open here are ignored). */
  private final class Events
      implements EntryAddedListener<String, String>,
          EntryUpdatedListener<String, String>,
          EntryRemovedListener<String, String> {

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      handle(() -> apply(CascadeMember.fromJson(event.getValue())));
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      handle(() -> apply(CascadeMember.fromJson(event.getValue())));
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      handle(() -> removed(event.getKey()));
    }

    private void handle(Runnable change) {
      try {
        change.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "cascade: a presence change failed", e);
      }
    }
  }
}
