package io.cheenhub.sfu.room;

import io.cheenhub.sfu.transport.MediaTransport;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/** One person's membership of one room. Identity is the unguessable {@link #id()}. */
public final class Participant {

  private final String id;
  private final String roomId;
  private final String displayName;
  private final Instant joinedAt;
  private final ParticipantListener listener;
  private final AtomicReference<MediaTransport> publishTransport = new AtomicReference<>();
  private final AtomicReference<MediaTransport> subscribeTransport = new AtomicReference<>();
  private volatile boolean muted;
  private final String origin;

  Participant(
      String id,
      String roomId,
      String displayName,
      Instant joinedAt,
      ParticipantListener listener) {
    this(id, roomId, displayName, joinedAt, listener, null);
  }

  /**
   * @param origin the instance the participant is connected to when that is another one (a cascaded
   *     room), else null
   */
  Participant(
      String id,
      String roomId,
      String displayName,
      Instant joinedAt,
      ParticipantListener listener,
      String origin) {
    this.origin = origin;
    this.id = Objects.requireNonNull(id);
    this.roomId = Objects.requireNonNull(roomId);
    this.displayName = Objects.requireNonNull(displayName);
    this.joinedAt = Objects.requireNonNull(joinedAt);
    this.listener = Objects.requireNonNull(listener);
  }

  /**
   * The instance this participant is connected to, if another one (a cascaded room spanning
   * instances), else null.
   */
  public String origin() {
    return origin;
  }

  /** Whether the participant is connected to this instance. */
  public boolean isLocal() {
    return origin == null;
  }

  /** Whether the participant said its microphone is muted ({@code setMuted}). */
  public boolean isMuted() {
    return muted;
  }

  /** Records the participant's mute state. */
  public void setMuted(boolean muted) {
    this.muted = muted;
  }

  /** The participant id, 128 random bits in base64url. */
  public String id() {
    return id;
  }

  /** The room this membership belongs to. */
  public String roomId() {
    return roomId;
  }

  /** The validated, trimmed display name. */
  public String displayName() {
    return displayName;
  }

  /** When the participant joined. */
  public Instant joinedAt() {
    return joinedAt;
  }

  /** The transport of this participant's publish PeerConnection, or null. */
  public MediaTransport publishTransport() {
    return publishTransport.get();
  }

  /** Installs a new publish transport (or null) and returns the one it replaces, for closing. */
  public MediaTransport replacePublishTransport(MediaTransport transport) {
    return publishTransport.getAndSet(transport);
  }

  /** The transport of this participant's subscribe PeerConnection, or null. */
  public MediaTransport subscribeTransport() {
    return subscribeTransport.get();
  }

  /** Installs a new subscribe transport (or null) and returns the one it replaces. */
  public MediaTransport replaceSubscribeTransport(MediaTransport transport) {
    return subscribeTransport.getAndSet(transport);
  }

  ParticipantListener listener() {
    return listener;
  }

  @Override
  public String toString() {
    return "participant=" + id + " room=" + roomId;
  }
}
