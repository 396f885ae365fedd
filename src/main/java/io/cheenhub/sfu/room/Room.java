package io.cheenhub.sfu.room;

import io.cheenhub.sfu.media.ForwardingTable;
import io.cheenhub.sfu.media.QualityLevel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A voice room: an ordered set of participants.
 *
 * <p>Membership changes take this room's own lock (never a lock shared with other rooms) and
 * publish a new immutable {@link #participants()} list, so readers such as the media path and the
 * REST API never lock. A room that became empty is closed for good; the registry then replaces it.
 */
public final class Room {

  private static final Logger LOG = Logger.getLogger(Room.class.getName());

  private final String id;
  private final Instant createdAt;
  private final Object lock = new Object();
  private final ForwardingTable forwarding;
  private volatile List<Participant> participants = List.of();
  private boolean closed;

  Room(String id, Instant createdAt) {
    this.id = id;
    this.createdAt = createdAt;
    this.forwarding = new ForwardingTable(id);
  }

  /** Who hears whom in this room; the media path reads its snapshots without locking. */
  public ForwardingTable forwarding() {
    return forwarding;
  }

  /** Tells every participant that the forwarding table changed. Call without holding locks. */
  public void mediaChanged() {
    for (Participant participant : participants) {
      try {
        participant.listener().onMediaChanged(this);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "media change delivery failed " + participant, e);
      }
    }
  }

  /** Tells every participant that {@code participantId}'s quality level changed. */
  public void qualityChanged(String participantId, QualityLevel level) {
    for (Participant participant : participants) {
      notify(
          () -> participant.listener().onQualityChanged(this, participantId, level), participant);
    }
  }

  /** Tells publisher {@code participantId} which of its layers to send (name → send). */
  public void layersChanged(String participantId, Map<String, Boolean> layers) {
    for (Participant participant : participants) {
      if (participant.id().equals(participantId)) {
        notify(() -> participant.listener().onLayersChanged(this, layers), participant);
      }
    }
  }

  /** Tells everyone that {@code participant} muted or unmuted its microphone. */
  public void mutedChanged(Participant participant, String requestId) {
    for (Participant other : participants) {
      notify(
          () ->
              other
                  .listener()
                  .onMutedChanged(this, participant, other == participant ? requestId : null),
          other);
    }
  }

  /** Tells everyone the new speaker slots; the table installs them after this returns. */
  public void activeSpeakersChanged(ForwardingTable.SlotMap slots) {
    for (Participant participant : participants) {
      notify(() -> participant.listener().onActiveSpeakers(this, slots), participant);
    }
  }

  /** Tells listener {@code participantId} what it now receives from each layered speaker. */
  public void receivedLayersChanged(String participantId, Map<String, String> layers) {
    for (Participant participant : participants) {
      if (participant.id().equals(participantId)) {
        notify(() -> participant.listener().onReceivedLayersChanged(this, layers), participant);
      }
    }
  }

  /** The room id as the clients chose it. */
  public String id() {
    return id;
  }

  /** When the first participant created the room. */
  public Instant createdAt() {
    return createdAt;
  }

  /** The participants, oldest first; an immutable snapshot. */
  public List<Participant> participants() {
    return participants;
  }

  /** Whether the room's last participant has left; a closed room never reopens. */
  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /**
   * Adds a participant and tells everyone, in one step.
   *
   * @return the new participant, or {@code null} if this room closed meanwhile (the caller retries
   *     with a fresh room)
   */
  Participant join(String displayName, ParticipantListener listener, int maxParticipants)
      throws JoinRejectedException {
    synchronized (lock) {
      if (closed) {
        return null;
      }
      List<Participant> before = participants;
      if (before.size() >= maxParticipants) {
        throw new JoinRejectedException(
            JoinRejectedException.Reason.ROOM_FULL,
            "room " + id + " is full (" + maxParticipants + " participants)");
      }
      var participant =
          new Participant(ParticipantIds.next(), id, displayName, Instant.now(), listener);
      add(participant);
      return participant;
    }
  }

  /**
   * Adds a participant connected to instance {@code origin} (a cascaded room) and tells everyone
   * here. Not counted against the room's size limit here: its own instance admitted it.
   *
   * @return the new participant, or null if the room closed or already has {@code id}
   */
  Participant joinRemote(String id, String displayName, String origin, boolean muted) {
    synchronized (lock) {
      if (closed || participants.stream().anyMatch(p -> p.id().equals(id))) {
        return null;
      }
      var participant =
          new Participant(
              id, this.id, displayName, Instant.now(), ParticipantListener.NONE, origin);
      participant.setMuted(muted);
      add(participant);
      return participant;
    }
  }

  /**
   * Publishes the list with {@code participant} last, then tells it (onJoined, with those before
   * it) and everyone before it; under the lock.
   */
  private void add(Participant participant) {
    List<Participant> before = participants;
    var after = new ArrayList<Participant>(before.size() + 1);
    after.addAll(before);
    after.add(participant);
    participants = List.copyOf(after);
    notify(() -> participant.listener().onJoined(this, participant, before), participant);
    for (Participant other : before) {
      notify(() -> other.listener().onParticipantJoined(this, participant), other);
    }
  }

  /** Whether a participant connected to this instance is in the room. */
  public boolean hasLocalParticipants() {
    return participants.stream().anyMatch(Participant::isLocal);
  }

  /**
   * Removes a participant and tells the others.
   *
   * @return true if it was a member and is now removed
   */
  boolean leave(Participant participant, LeaveReason reason) {
    synchronized (lock) {
      List<Participant> before = participants;
      if (!before.contains(participant)) {
        return false;
      }
      var after = new ArrayList<>(before);
      after.remove(participant);
      participants = List.copyOf(after);
      if (after.isEmpty()) {
        closed = true;
      }
      for (Participant other : after) {
        notify(() -> other.listener().onParticipantLeft(this, participant, reason), other);
      }
      return true;
    }
  }

  /** A failing listener must not stop the others from hearing about the change. */
  private static void notify(Runnable callback, Participant recipient) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "room event delivery failed " + recipient, e);
    }
  }
}
