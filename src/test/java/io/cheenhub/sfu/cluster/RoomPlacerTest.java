package io.cheenhub.sfu.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Placement on a real concurrent map (what an IMap is to the placer): races, death, drain. */
class RoomPlacerTest {

  private final ConcurrentHashMap<String, String> rooms = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> loads = new ConcurrentHashMap<>();
  private final MutableClock clock = new MutableClock();

  private RoomPlacer placer(String self) {
    return new RoomPlacer(rooms, loads::values, self, clock);
  }

  private void alive(String id, int participants) {
    alive(id, participants, false, false);
  }

  private void alive(String id, int participants, boolean draining, boolean overloaded) {
    loads.put(
        id,
        new InstanceLoad(
                id,
                "http://" + id + ":8080/",
                participants,
                participants / 5,
                0.1,
                draining,
                overloaded,
                clock.millis(),
                "member-" + id)
            .toJson());
  }

  @Test
  void aNewRoomGoesToTheLeastLoadedInstanceAndStaysThere() {
    alive("a", 40);
    alive("b", 10);
    alive("c", 25);
    Placement first = placer("a").place("standup");
    assertThat(first.owner()).isEqualTo("b");
    assertThat(first.url()).isEqualTo("http://b:8080/");
    assertThat(first.epoch()).isEqualTo(1);
    alive("b", 100); // b fills up: the room stays where it is
    assertThat(placer("c").place("standup")).isEqualTo(first);
  }

  @Test
  void drainingAndOverloadedInstancesTakeNoNewRoom() {
    alive("a", 50);
    alive("b", 0, true, false);
    alive("c", 1, false, true);
    assertThat(placer("b").place("r").owner()).isEqualTo("a");
    loads.remove("a");
    assertThat(placer("b").place("r2")).as("nobody takes rooms").isNull();
  }

  @Test
  void aBurstOfNewRoomsIsSpreadBeforeTheLoadMapShowsIt() {
    alive("a", 0);
    alive("b", 0);
    alive("c", 0);
    RoomPlacer placer = placer("a");
    Map<String, Integer> perInstance = new java.util.TreeMap<>();
    for (int i = 0; i < 30; i++) {
      perInstance.merge(placer.place("room-" + i).owner(), 1, Integer::sum);
    }
    assertThat(perInstance)
        .containsOnly(Map.entry("a", 10), Map.entry("b", 10), Map.entry("c", 10));
  }

  @Test
  void aRoomOfADeadInstanceIsRePlacedOnceWithTheNextEpoch() {
    alive("a", 0);
    alive("b", 5);
    Placement first = placer("b").place("r");
    assertThat(first.owner()).isEqualTo("a");
    loads.remove("a"); // its heartbeat entry expired
    assertThat(placer("b").sweep(room -> true, Long.MAX_VALUE).replaced()).containsExactly("r");
    assertThat(placer("b").sweep(room -> true, Long.MAX_VALUE).replaced())
        .as("already moved")
        .isEmpty();
    Placement moved = placer("b").placementOf("r");
    assertThat(moved.owner()).isEqualTo("b");
    assertThat(moved.epoch()).isEqualTo(2);
  }

  @Test
  void manyInstancesPlacingTheSameRoomsAtOnceAgreeOnOneOwnerEach() throws Exception {
    for (String id : List.of("a", "b", "c", "d")) {
      alive(id, 0);
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 50; round++) {
        String room = "race-" + round;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Placement>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          RoomPlacer placer = placer(List.of("a", "b", "c", "d").get(t % 4));
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    return placer.place(room);
                  }));
        }
        start.countDown();
        List<Placement> placements = new ArrayList<>();
        for (Future<Placement> result : results) {
          placements.add(result.get(5, TimeUnit.SECONDS));
        }
        Placement expected = Placement.fromJson(rooms.get(room));
        assertThat(expected.epoch()).isEqualTo(1);
        assertThat(placements).containsOnly(expected);
      }
      // And the same for re-placement after a death: one epoch step, one new owner.
      loads.remove("a");
      loads.remove("b");
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<String>>> sweeps = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        RoomPlacer placer = placer(t % 2 == 0 ? "c" : "d");
        sweeps.add(
            pool.submit(
                () -> {
                  start.await();
                  return placer.sweep(room -> true, Long.MAX_VALUE).replaced();
                }));
      }
      start.countDown();
      List<String> moved = new ArrayList<>();
      for (Future<List<String>> sweep : sweeps) {
        moved.addAll(sweep.get(5, TimeUnit.SECONDS));
      }
      assertThat(moved).doesNotHaveDuplicates();
      for (String json : rooms.values()) {
        Placement placement = Placement.fromJson(json);
        assertThat(placement.owner()).isIn("c", "d");
        assertThat(placement.epoch()).isIn(1L, 2L);
      }
      assertThat(rooms.values().stream().filter(json -> json.contains("\"epoch\":2")))
          .hasSameSizeAs(moved);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void drainMovesARoomToAnotherInstanceAndOnlyItsOwnerCanMoveIt() {
    alive("a", 0);
    alive("b", 9);
    alive("c", 3);
    Placement first = placer("a").place("r");
    assertThat(first.owner()).isEqualTo("a");
    assertThat(placer("b").moveAway("r")).as("not b's room").isNull();
    alive("a", 0, true, false);
    Placement moved = placer("a").moveAway("r");
    assertThat(moved.owner()).isEqualTo("c");
    assertThat(moved.epoch()).isEqualTo(2);
  }

  @Test
  void releaseForgetsOnlyThisInstancesPlacement() {
    alive("a", 0);
    alive("b", 1);
    placer("a").place("r");
    assertThat(placer("b").release("r")).isFalse();
    assertThat(placer("a").release("r")).isTrue();
    assertThat(rooms).isEmpty();
  }

  @Test
  void aPlacementNobodyCameToIsForgottenAfterTheGrace() {
    alive("a", 0);
    placer("a").place("empty");
    placer("a").place("open");
    clock.advance(10_000);
    assertThat(placer("a").sweep(room -> room.equals("open"), 30_000).forgotten()).isEmpty();
    clock.advance(30_000);
    RoomPlacer.Sweep sweep = placer("a").sweep(room -> room.equals("open"), 30_000);
    assertThat(sweep.forgotten()).containsExactly("empty");
    assertThat(sweep.owned()).as("the open room stays placed here").isEqualTo(1);
    assertThat(rooms).containsOnlyKeys("open");
  }

  @Test
  void unreadableEntriesAreTreatedAsNoPlacement() {
    alive("a", 0);
    loads.put("junk", "{not json");
    rooms.put("r", "garbage");
    Placement placement = placer("a").place("r");
    assertThat(placement.owner()).isEqualTo("a");
    assertThat(placement.epoch()).isEqualTo(1);
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    private volatile long millis = 1_700_000_000_000L;

    void advance(long by) {
      millis += by;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
