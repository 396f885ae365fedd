package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.auth.Identity;
import io.cheenhub.sfu.media.ForwardingTable;
import io.cheenhub.sfu.media.LayerMap;
import io.cheenhub.sfu.media.Publisher;
import io.cheenhub.sfu.media.QualityLevel;
import io.cheenhub.sfu.media.Subscriber;
import io.cheenhub.sfu.room.LeaveReason;
import io.cheenhub.sfu.room.Participant;
import io.cheenhub.sfu.room.ParticipantListener;
import io.cheenhub.sfu.room.Room;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One participant's place in one room, as signaling sees it: turns room events into messages, and
 * owns the participant's media (its {@link Publisher} and {@link Subscription}).
 *
 * <p>A membership outlives the connection that created it when that connection drops without a
 * close frame: it waits, suspended, for the client to reconnect with its reconnect token and is
 * then {@link #moveTo moved} to the new connection; the room sees nothing. Media state changes
 * under this object's lock; lock order is connection, membership, subscription, room table.
 */
final class Membership implements ParticipantListener {

  /** RFC 8866 §5.2: one random session id per PeerConnection, never reused. */
  private static final SecureRandom SDP_SESSION_IDS = new SecureRandom();

  private final String joinRequestId;
  private volatile Outbox outbox;
  private volatile Connection owner;
  private volatile Participant participant;
  private volatile Room room;
  private volatile String reconnectToken;
  private volatile long suspendedUntilNanos;
  private final long joinedNanos = System.nanoTime();
  private final long sdpSessionId = SDP_SESSION_IDS.nextLong() & Long.MAX_VALUE;
  private final AtomicLong sdpVersion = new AtomicLong(1);
  private final ReconnectTokens tokens;
  private final TurnCredentials turn;

  /** The verified token of the (re)join, or null for an anonymous one. */
  private volatile Identity identity;

  /** Whose room count ({@link UserRooms}) this membership holds until it leaves; null after. */
  private final AtomicReference<String> user = new AtomicReference<>();

  // Guarded by this.
  private Publisher publisher;
  // setLayerPreference caps: from everyone, and per speaker (guarded by this).
  private int layerCapAll;
  private final Map<String, Integer> layerCaps = new HashMap<>();

  /** Speakers one participant may cap one by one (a room's worth; the rest: cap everyone). */
  static final int MAX_LAYER_CAPS = 256;

  private Subscription subscription;
  private boolean left;
  private Future<?> expiry;

  Membership(
      Connection owner,
      Outbox outbox,
      String joinRequestId,
      ReconnectTokens tokens,
      TurnCredentials turn) {
    this.owner = owner;
    this.outbox = outbox;
    this.joinRequestId = joinRequestId;
    this.tokens = tokens;
    this.turn = turn;
  }

  Participant participant() {
    return participant;
  }

  /** The token this membership was last (re)joined with, or null if anonymous. */
  Identity identity() {
    return identity;
  }

  void setIdentity(Identity identity) {
    this.identity = identity;
  }

  /** Records that this membership holds one of {@code user}'s rooms. */
  void holdRoomOf(String user) {
    this.user.set(user);
  }

  /** The user whose room this membership held, once: null on later calls (or if none). */
  String releaseUser() {
    return user.getAndSet(null);
  }

  Room room() {
    return room;
  }

  /** The connection this membership belongs to, or null while suspended. */
  Connection owner() {
    return owner;
  }

  /** The {@code o=} session id of the server's publish answers for this membership. */
  long sdpSessionId() {
    return sdpSessionId;
  }

  /** The next {@code o=} session version (RFC 3264 §8: it grows with every new description). */
  long nextSdpVersion() {
    return sdpVersion.getAndIncrement();
  }

  /** Queues a message for the client on its current connection. */
  void send(Message.ServerMessage message) {
    outbox.send(message);
  }

  /** The reconnect token the client holds now (it changes with every {@code joined}). */
  String reconnectToken() {
    return reconnectToken;
  }

  /** When the join arrived ({@link System#nanoTime()}): where connection setup time starts. */
  long joinedNanos() {
    return joinedNanos;
  }

  /** The socket dropped: wait for a reconnect until {@code deadlineNanos}. */
  void suspend(long deadlineNanos) {
    owner = null;
    suspendedUntilNanos = deadlineNanos;
  }

  /**
   * Holds the task that ends this suspension at its deadline, so a resume or a leave can cancel it;
   * cancels the task of an earlier suspension, and {@code task} itself if the participant has
   * resumed or left meanwhile.
   */
  synchronized void expireWith(Future<?> task) {
    cancelExpiry();
    if (left || owner != null) {
      task.cancel(false);
    } else {
      expiry = task;
    }
  }

  /** Whether this membership is suspended and its grace ran out at {@code nowNanos}. */
  boolean graceExpired(long nowNanos) {
    return owner == null && nowNanos - suspendedUntilNanos >= 0;
  }

  // Guarded by this. Not interrupting: the task may be the caller (an expiry that leaves).
  private void cancelExpiry() {
    if (expiry != null) {
      expiry.cancel(false);
      expiry = null;
    }
  }

  /**
   * The client reconnected on {@code connection}: messages go there from now on, and it gets a
   * {@code joined} with a fresh token; an offer it may have missed is sent again.
   *
   * @return false if the participant has left meanwhile
   */
  boolean moveTo(Connection connection, Outbox newOutbox, String requestId) {
    Subscription current;
    synchronized (this) {
      if (left) {
        return false;
      }
      owner = connection;
      outbox = newOutbox;
      current = subscription;
      cancelExpiry();
    }
    Room joinedRoom = room;
    Participant self = participant;
    newOutbox.send(
        new Message.Joined(
            requestId,
            joinedRoom.id(),
            self.id(),
            joinedRoom.participants().stream()
                .filter(p -> p != self)
                .map(p -> info(joinedRoom, p))
                .toList(),
            tokens.issue(this),
            true,
            turn.iceServers(self.id(), Instant.now())));
    sendSlotMap(newOutbox, joinedRoom);
    if (current != null) {
      current.resume();
    }
    return true;
  }

  /** The publisher, or null before the first publish. */
  synchronized Publisher publisher() {
    return publisher;
  }

  synchronized void setPublisher(Publisher publisher) {
    this.publisher = publisher;
  }

  /**
   * Records a setLayerPreference cap ({@code publisherId} null: from everyone) and applies it to
   * the current subscriber; a later subscriber gets the caps too ({@link #applyLayerCaps}).
   *
   * @return false if it would cap more than {@link #MAX_LAYER_CAPS} speakers one by one
   */
  synchronized boolean capLayers(String publisherId, int bestLayer) {
    if (publisherId == null) {
      layerCapAll = bestLayer;
    } else if (bestLayer == 0) {
      layerCaps.remove(publisherId);
    } else if (layerCaps.size() >= MAX_LAYER_CAPS && !layerCaps.containsKey(publisherId)) {
      return false;
    } else {
      layerCaps.put(publisherId, bestLayer);
    }
    if (subscription != null) {
      subscription.subscriber().capLayers(publisherId, bestLayer);
    }
    return true;
  }

  /** Gives a new subscriber the caps this participant asked for so far. */
  synchronized void applyLayerCaps(Subscriber subscriber) {
    subscriber.capLayers(null, layerCapAll);
    layerCaps.forEach(subscriber::capLayers);
  }

  /** The subscription, or null before the first subscribe. */
  synchronized Subscription subscription() {
    return subscription;
  }

  /** Installs a new subscription and returns the one it replaces (to close). */
  synchronized Subscription replaceSubscription(Subscription next) {
    Subscription previous = subscription;
    subscription = next;
    return previous;
  }

  /** Whether the participant has left (media may no longer be added). */
  synchronized boolean hasLeft() {
    return left;
  }

  /** Marks the participant gone and hands over its media for closing. */
  synchronized Media markLeft() {
    left = true;
    cancelExpiry();
    var media = new Media(publisher, subscription);
    publisher = null;
    subscription = null;
    tokens.revoke(this);
    return media;
  }

  /** What a departing participant leaves behind. */
  record Media(Publisher publisher, Subscription subscription) {}

  @Override
  public void onJoined(Room room, Participant self, List<Participant> others) {
    this.room = room;
    participant = self;
    outbox.send(
        new Message.Joined(
            joinRequestId,
            room.id(),
            self.id(),
            others.stream().map(p -> info(room, p)).toList(),
            tokens.issue(this),
            false,
            turn.iceServers(self.id(), Instant.now())));
    sendSlotMap(outbox, room);
  }

  /**
   * In a room on speaker slots, who speaks in which slot now: a newcomer (or a resumed client)
   * hears its slot tracks before the next change of the map would name them.
   */
  private static void sendSlotMap(Outbox to, Room room) {
    ForwardingTable.SlotMap map = room.forwarding().installedMap();
    if (map != null) {
      to.send(activeSpeakers(room.id(), map));
    }
  }

  /** Called by {@link ReconnectTokens} only. */
  void setReconnectToken(String token) {
    reconnectToken = token;
  }

  @Override
  public void onParticipantJoined(Room room, Participant other) {
    outbox.send(new Message.ParticipantJoined(room.id(), info(other)));
  }

  @Override
  public void onParticipantLeft(Room room, Participant other, LeaveReason reason) {
    outbox.send(new Message.ParticipantLeft(room.id(), other.id(), reason.wireValue()));
  }

  @Override
  public void onQualityChanged(Room room, String participantId, QualityLevel level) {
    outbox.send(
        new Message.QualityUpdate(
            room.id(), participantId, level.wireValue(), level.maxBitrateKbps()));
  }

  @Override
  public void onLayersChanged(Room room, Map<String, Boolean> layers) {
    outbox.send(new Message.LayersUpdate(room.id(), layers));
  }

  @Override
  public void onMutedChanged(Room room, Participant who, String requestId) {
    outbox.send(new Message.ParticipantMuted(requestId, room.id(), who.id(), who.isMuted()));
  }

  @Override
  public void onActiveSpeakers(Room room, ForwardingTable.SlotMap slots) {
    outbox.send(activeSpeakers(room.id(), slots));
  }

  /** The {@code activeSpeakers} message for {@code slots}. */
  static Message.ActiveSpeakers activeSpeakers(String roomId, ForwardingTable.SlotMap slots) {
    var entries = new ArrayList<Message.SpeakerSlot>(slots.holders().size());
    for (int slot = 0; slot < slots.holders().size(); slot++) {
      Publisher holder = slots.holders().get(slot);
      entries.add(
          new Message.SpeakerSlot(
              slot, holder == null ? null : holder.participantId(), slots.level(slot)));
    }
    int dominant = slots.dominantSlot();
    Publisher speaker = dominant < 0 ? null : slots.holders().get(dominant);
    return new Message.ActiveSpeakers(
        roomId, entries, speaker == null ? null : speaker.participantId());
  }

  @Override
  public void onReceivedLayersChanged(Room room, Map<String, String> layers) {
    outbox.send(new Message.ReceiveLayers(room.id(), layers));
  }

  /** {@code {"h": true, "m": false, ...}} for the first {@code count} layers. */
  static Map<String, Boolean> layersMessage(int activeMask, int count) {
    var layers = new LinkedHashMap<String, Boolean>();
    for (int i = 0; i < count; i++) {
      layers.put(LayerMap.name(i), (activeMask & (1 << i)) != 0);
    }
    return layers;
  }

  @Override
  public void onMediaChanged(Room room) {
    Subscription current;
    synchronized (this) {
      current = subscription;
    }
    if (current != null) {
      current.reconcile();
    }
  }

  static Message.ParticipantInfo info(Participant participant) {
    return new Message.ParticipantInfo(
        participant.id(), participant.displayName(), null, participant.isMuted() ? true : null);
  }

  /** With the quality level of its microphone, if it publishes in {@code room}. */
  static Message.ParticipantInfo info(Room room, Participant participant) {
    for (Publisher publisher : room.forwarding().snapshot().publishers()) {
      if (publisher.participantId().equals(participant.id())) {
        return new Message.ParticipantInfo(
            participant.id(),
            participant.displayName(),
            publisher.level().wireValue(),
            participant.isMuted() ? true : null);
      }
    }
    return info(participant);
  }
}
