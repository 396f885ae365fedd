package io.cheenhub.sfu.room;

import io.cheenhub.sfu.config.RoomLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * All rooms of this server. A room is created by its first join and removed when its last
 * participant leaves, whatever the reason (leave, disconnect, ping timeout).
 *
 * <p>There is no registry-wide lock: the map is concurrent and each room locks only itself.
 */
@ApplicationScoped
public class RoomRegistry {

  /** Room ids: 1 to 100 of {@code [A-Za-z0-9-]} (roadmap, Phase 4 input validation). */
  public static final Pattern ROOM_ID = Pattern.compile("[A-Za-z0-9-]{1,100}");

  private static final Logger LOG = Logger.getLogger(RoomRegistry.class.getName());

  private final ConcurrentMap<String, Room> rooms = new ConcurrentHashMap<>();
  private final AtomicInteger participantCount = new AtomicInteger();
  private final RoomLimits limits;

  /** For CDI's client proxy only. */
  protected RoomRegistry() {
    this(RoomLimits.DEFAULTS);
  }

  /** A registry enforcing {@code limits}. */
  @Inject
  public RoomRegistry(RoomLimits limits) {
    this.limits = limits;
  }

  /** Whether {@code roomId} is a syntactically valid room id. */
  public static boolean isValidRoomId(String roomId) {
    return roomId != null && ROOM_ID.matcher(roomId).matches();
  }

  /**
   * Joins {@code roomId} as {@code displayName}, creating the room if needed. The listener's {@link
   * ParticipantListener#onJoined} runs before this returns, and before any later event of the room.
   */
  public Participant join(String roomId, String displayName, ParticipantListener listener)
      throws JoinRejectedException {
    String name = validateJoin(roomId, displayName);
    while (true) {
      Room room = rooms.computeIfAbsent(roomId, id -> createRoom(id));
      // Counted before the join: onJoined sends the client its "joined" inside room.join, and a
      // client that has it may ask /health or /metrics at once and must find itself counted.
      participantCount.incrementAndGet();
      Participant participant;
      try {
        participant = room.join(name, listener, limits.maxParticipantsPerRoom());
      } catch (JoinRejectedException | RuntimeException e) {
        participantCount.decrementAndGet();
        throw e;
      }
      if (participant != null) {
        // The signaling layer logs the event with its connection and request ids at INFO.
        LOG.fine(() -> "participant joined " + participant + " name=" + quoted(name));
        return participant;
      }
      participantCount.decrementAndGet();
      // The room emptied and closed between lookup and join: drop it and take a fresh one.
      rooms.remove(roomId, room);
    }
  }

  /**
   * Adds participant {@code id} of a cascaded room, connected to instance {@code origin}, to the
   * room here if it is open (a room opens here only with a participant of this instance).
   *
   * @return the participant, or null if the room is not open here or has it already
   */
  public Participant joinRemote(
      String roomId, String id, String displayName, String origin, boolean muted) {
    Room room = rooms.get(roomId);
    return room == null ? null : room.joinRemote(id, displayName, origin, muted);
  }

  /**
   * Removes {@code participant} from its room; the room disappears when it becomes empty.
   *
   * @return false if the participant had already left
   */
  public boolean leave(Participant participant, LeaveReason reason) {
    Room room = rooms.get(participant.roomId());
    if (room == null || !room.leave(participant, reason)) {
      return false;
    }
    if (participant.isLocal()) { // participants of other instances are counted there
      participantCount.decrementAndGet();
    }
    LOG.fine(() -> "participant left " + participant + " reason=" + reason.wireValue());
    if (room.isClosed() && rooms.remove(room.id(), room)) {
      LOG.info(() -> "room removed room=" + room.id());
    }
    return true;
  }

  /** The room with this id, if it has participants. */
  public Optional<Room> room(String roomId) {
    return Optional.ofNullable(rooms.get(roomId));
  }

  /** All current rooms, ordered by id. */
  public List<Room> rooms() {
    return rooms.values().stream().sorted(Comparator.comparing(Room::id)).toList();
  }

  /** Number of rooms that have at least one participant. */
  public int roomCount() {
    return rooms.size();
  }

  /** Number of participants over all rooms. */
  public int participantCount() {
    return participantCount.get();
  }

  /** The limits this registry enforces. */
  public RoomLimits limits() {
    return limits;
  }

  /**
   * Checks a join request's room id and display name without joining.
   *
   * @return the display name as it will be used (trimmed)
   */
  public String validateJoin(String roomId, String displayName) throws JoinRejectedException {
    if (!isValidRoomId(roomId)) {
      throw new JoinRejectedException(
          JoinRejectedException.Reason.INVALID_ROOM_ID,
          "room id must be 1 to 100 characters of A-Z, a-z, 0-9 and '-'");
    }
    String name = displayName == null ? "" : displayName.strip();
    int codePoints = name.codePointCount(0, name.length());
    if (codePoints == 0
        || codePoints > limits.maxDisplayNameLength()
        || name.codePoints().anyMatch(Character::isISOControl)) {
      throw new JoinRejectedException(
          JoinRejectedException.Reason.INVALID_DISPLAY_NAME,
          "display name must be 1 to "
              + limits.maxDisplayNameLength()
              + " characters without control characters");
    }
    return name;
  }

  private static Room createRoom(String id) {
    LOG.info(() -> "room created room=" + id);
    return new Room(id, Instant.now());
  }

  private static String quoted(String s) {
    return '"' + s.replace("\"", "\\\"") + '"';
  }
}
