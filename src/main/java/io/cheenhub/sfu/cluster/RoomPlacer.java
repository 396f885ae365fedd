package io.cheenhub.sfu.cluster;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Places rooms on instances without a lock: the room map ({@code sfu.rooms}, a Hazelcast {@code
 * IMap} in a cluster) changes only by {@code putIfAbsent} and compare-and-set {@code replace} /
 * {@code remove} of a whole entry, so of two instances that place or re-place the same room at once
 * exactly one wins and the other reads the winner. Live instances are those with an entry in the
 * load map, which each instance rewrites every heartbeat with a time to live.
 *
 * <p>A new room goes to the least-loaded live instance that takes rooms (not draining, not
 * overloaded): fewest participants, counting the rooms this instance sent there in the last few
 * seconds (their participants are not in the load map yet, and a burst of joins would otherwise all
 * land on one instance).
 */
public final class RoomPlacer {

  /** How long a placement made here counts against its target (a few heartbeats). */
  static final long RECENT_MILLIS = 5_000;

  /** How many lost compare-and-sets in a row before giving up (only under absurd contention). */
  private static final int ATTEMPTS = 32;

  private final ConcurrentMap<String, String> rooms;
  private final Supplier<Collection<String>> loads;
  private final String self;
  private final Clock clock;
  private final Map<String, Deque<Long>> recent = new HashMap<>();

  /**
   * @param rooms room id → {@link Placement} JSON
   * @param loads the load map's values now ({@link InstanceLoad} JSON of the live instances)
   * @param self this instance's id
   */
  public RoomPlacer(
      ConcurrentMap<String, String> rooms,
      Supplier<Collection<String>> loads,
      String self,
      Clock clock) {
    this.rooms = rooms;
    this.loads = loads;
    this.self = self;
    this.clock = clock;
  }

  /** The live instances by id. */
  public Map<String, InstanceLoad> live() {
    Map<String, InstanceLoad> live = new HashMap<>();
    for (String json : loads.get()) {
      InstanceLoad load = InstanceLoad.fromJson(json);
      if (load != null) {
        live.put(load.id(), load);
      }
    }
    return live;
  }

  /**
   * Where {@code roomId} lives: its placement if its owner is alive, else a new placement on the
   * least-loaded live instance (epoch + 1 if it lived on an instance that died).
   *
   * @return null if no live instance takes rooms
   */
  public Placement place(String roomId) {
    Outcome outcome = placeOrRead(roomId);
    return outcome == null ? null : outcome.placement();
  }

  /** A placement, and whether this call made it (false: it read an existing one). */
  private record Outcome(Placement placement, boolean made) {}

  private Outcome placeOrRead(String roomId) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Map<String, InstanceLoad> live = live();
      String json = rooms.get(roomId);
      Placement current = Placement.fromJson(json);
      if (current != null && live.containsKey(current.owner())) {
        return new Outcome(current, false);
      }
      InstanceLoad target = choose(live, null);
      if (target == null) {
        return null;
      }
      long epoch = current == null ? 1 : current.epoch() + 1;
      Placement placement = new Placement(target.id(), target.url(), epoch, clock.millis());
      boolean won =
          json == null
              ? rooms.putIfAbsent(roomId, placement.toJson()) == null
              : rooms.replace(roomId, json, placement.toJson());
      if (won) {
        noteSent(target.id());
        return new Outcome(placement, true);
      }
    }
    throw new IllegalStateException("room " + roomId + ": placement lost " + ATTEMPTS + " races");
  }

  /**
   * Moves {@code roomId} from this instance to the least-loaded other live instance (drain).
   *
   * @return the new placement, or null if the room is not placed here or nobody else takes rooms
   */
  public Placement moveAway(String roomId) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      String json = rooms.get(roomId);
      Placement current = Placement.fromJson(json);
      if (current == null || !current.owner().equals(self)) {
        return null;
      }
      InstanceLoad target = choose(live(), self);
      if (target == null) {
        return null;
      }
      Placement moved =
          new Placement(target.id(), target.url(), current.epoch() + 1, clock.millis());
      if (rooms.replace(roomId, json, moved.toJson())) {
        noteSent(target.id());
        return moved;
      }
    }
    return null;
  }

  /**
   * Forgets {@code roomId} if it is placed here (its last participant left); a placement that
   * another instance took meanwhile stays.
   */
  public boolean release(String roomId) {
    String json = rooms.get(roomId);
    Placement current = Placement.fromJson(json);
    return current != null && current.owner().equals(self) && rooms.remove(roomId, json);
  }

  /** What one {@link #sweep} did. */
  public record Sweep(List<String> replaced, List<String> forgotten, int owned) {}

  /**
   * One pass over the room map, as each heartbeat makes it:
   *
   * <ul>
   *   <li>re-places every room whose owner is no longer alive (its load entry expired), each by
   *       compare-and-set, so every instance may sweep every heartbeat and each room moves once;
   *   <li>removes this instance's placements of rooms that are not open here and were placed more
   *       than {@code graceMillis} ago: nobody came (a redirected client gave up, or a room
   *       re-placed after a death that nobody rejoined);
   *   <li>counts the rooms placed here afterwards.
   * </ul>
   *
   * @param open whether a room is open on this instance
   */
  public Sweep sweep(Predicate<String> open, long graceMillis) {
    Map<String, InstanceLoad> live = live();
    long now = clock.millis();
    List<String> replaced = new ArrayList<>();
    List<String> forgotten = new ArrayList<>();
    int owned = 0;
    for (Map.Entry<String, String> entry : rooms.entrySet()) {
      String room = entry.getKey();
      Placement current = Placement.fromJson(entry.getValue());
      if (current == null || !live.containsKey(current.owner())) {
        Outcome outcome = placeOrRead(room);
        if (outcome != null && outcome.made()) {
          replaced.add(room);
        }
        current = outcome == null ? null : outcome.placement();
      } else if (current.owner().equals(self)
          && now - current.placedMillis() > graceMillis
          && !open.test(room)
          && rooms.remove(room, entry.getValue())) {
        forgotten.add(room);
        continue;
      }
      if (current != null && current.owner().equals(self)) {
        owned++;
      }
    }
    return new Sweep(replaced, forgotten, owned);
  }

  /** The placement of {@code roomId} now, or null. */
  public Placement placementOf(String roomId) {
    return Placement.fromJson(rooms.get(roomId));
  }

  private InstanceLoad choose(Map<String, InstanceLoad> live, String excluded) {
    InstanceLoad best = null;
    int bestScore = Integer.MAX_VALUE;
    for (InstanceLoad load : live.values()) {
      if (!load.takesRooms() || load.id().equals(excluded)) {
        continue;
      }
      int score = load.participants() + sentRecently(load.id());
      if (best == null
          || score < bestScore
          || (score == bestScore && InstanceLoad.LEAST_LOADED.compare(load, best) < 0)) {
        best = load;
        bestScore = score;
      }
    }
    return best;
  }

  private synchronized void noteSent(String id) {
    recent.computeIfAbsent(id, k -> new ArrayDeque<>()).addLast(clock.millis());
  }

  private synchronized int sentRecently(String id) {
    Deque<Long> times = recent.get(id);
    if (times == null) {
      return 0;
    }
    long oldest = clock.millis() - RECENT_MILLIS;
    while (!times.isEmpty() && times.peekFirst() < oldest) {
      times.removeFirst();
    }
    return times.size();
  }
}
