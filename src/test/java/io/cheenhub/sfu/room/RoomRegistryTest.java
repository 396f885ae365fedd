package io.cheenhub.sfu.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.config.RoomLimits;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoomRegistryTest {

  private final RoomRegistry registry = new RoomRegistry(new RoomLimits(5, 10));

  /** For load tests, where recording every event would cost more than the registry. */
  private static final ParticipantListener SILENT = ParticipantListener.NONE;

  /**
   * The client learns of its join from onJoined (the "joined" message); by then the registry must
   * count it, or a health or metrics read right after "joined" sees one participant too few (seen
   * in ObservabilityIT on a loaded CI machine).
   */
  @Test
  void aParticipantIsCountedBeforeItIsToldItJoined() throws Exception {
    var seen = new ArrayList<Integer>();
    ParticipantListener listener =
        new ParticipantListener() {
          @Override
          public void onJoined(Room room, Participant self, List<Participant> others) {
            seen.add(registry.participantCount());
          }

          @Override
          public void onParticipantJoined(Room room, Participant other) {}

          @Override
          public void onParticipantLeft(Room room, Participant other, LeaveReason reason) {}
        };
    registry.join("counted", "Ada", listener);
    registry.join("counted", "Bob", listener);
    assertThat(seen).containsExactly(1, 2);
    assertThat(registry.participantCount()).isEqualTo(2);
    for (int i = 0; i < 3; i++) {
      registry.join("counted", "P" + i, listener);
    }
    assertThatThrownBy(() -> registry.join("counted", "Late", listener))
        .isInstanceOf(JoinRejectedException.class);
    assertThat(registry.participantCount()).as("a refused join is not counted").isEqualTo(5);
  }

  @Test
  void firstJoinCreatesTheRoomAndEveryoneHearsAboutEveryone() throws Exception {
    var ada = new RecordingListener();
    var bob = new RecordingListener();
    var cy = new RecordingListener();

    registry.join("standup", "Ada", ada);
    registry.join("standup", "Bob", bob);
    registry.join("standup", "Cy", cy);

    assertThat(ada.events)
        .containsExactly(
            "joined standup as Ada with []", "participantJoined Bob", "participantJoined Cy");
    assertThat(bob.events)
        .containsExactly("joined standup as Bob with [Ada]", "participantJoined Cy");
    assertThat(cy.events).containsExactly("joined standup as Cy with [Ada, Bob]");
    assertThat(registry.roomCount()).isEqualTo(1);
    assertThat(registry.participantCount()).isEqualTo(3);
    assertThat(registry.room("standup").orElseThrow().participants())
        .extracting(Participant::displayName)
        .containsExactly("Ada", "Bob", "Cy");
  }

  @Test
  void leavingTellsTheOthersAndTheLastLeaveRemovesTheRoom() throws Exception {
    var ada = new RecordingListener();
    var bob = new RecordingListener();
    Participant a = registry.join("standup", "Ada", ada);
    Participant b = registry.join("standup", "Bob", bob);

    assertThat(registry.leave(a, LeaveReason.LEFT)).isTrue();
    assertThat(bob.events).endsWith("participantLeft Ada leave");
    assertThat(registry.roomCount()).isEqualTo(1);

    assertThat(registry.leave(b, LeaveReason.TIMED_OUT)).isTrue();
    assertThat(registry.roomCount()).isZero();
    assertThat(registry.participantCount()).isZero();
    assertThat(registry.room("standup")).isEmpty();
  }

  @Test
  void leavingTwiceIsHarmless() throws Exception {
    Participant a = registry.join("standup", "Ada", new RecordingListener());
    registry.join("standup", "Bob", new RecordingListener());

    assertThat(registry.leave(a, LeaveReason.LEFT)).isTrue();
    assertThat(registry.leave(a, LeaveReason.DISCONNECTED)).isFalse();
    assertThat(registry.participantCount()).isEqualTo(1);
  }

  @Test
  void aRoomRecreatedAfterItEmptiedIsANewRoom() throws Exception {
    Participant a = registry.join("standup", "Ada", new RecordingListener());
    Room first = registry.room("standup").orElseThrow();
    registry.leave(a, LeaveReason.LEFT);

    var bob = new RecordingListener();
    registry.join("standup", "Bob", bob);

    assertThat(registry.room("standup").orElseThrow()).isNotSameAs(first);
    assertThat(first.isClosed()).isTrue();
    assertThat(bob.events).containsExactly("joined standup as Bob with []");
  }

  @Test
  void participantIdsAreLongRandomAndUnique() throws Exception {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Participant p = registry.join("room-" + i, "P", new RecordingListener());
      assertThat(p.id()).matches("[A-Za-z0-9_-]{22}");
      ids.add(p.id());
    }
    assertThat(ids).hasSize(200);
  }

  @Test
  void aFullRoomRefusesTheNextJoinWithoutDisturbingIt() throws Exception {
    var first = new RecordingListener();
    registry.join("full", "P0", first);
    for (int i = 1; i < 5; i++) {
      registry.join("full", "P" + i, new RecordingListener());
    }

    assertThatThrownBy(() -> registry.join("full", "Late", new RecordingListener()))
        .isInstanceOfSatisfying(
            JoinRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(JoinRejectedException.Reason.ROOM_FULL));
    assertThat(registry.participantCount()).isEqualTo(5);
    assertThat(first.events).hasSize(5).noneMatch(e -> e.contains("Late"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "has space", "slash/", "dot.", "ünï", "semi;colon", "new\nline", "<script>"})
  void invalidRoomIdsAreRefused(String roomId) {
    assertThatThrownBy(() -> registry.join(roomId, "Ada", new RecordingListener()))
        .isInstanceOfSatisfying(
            JoinRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(JoinRejectedException.Reason.INVALID_ROOM_ID));
    assertThat(registry.roomCount()).isZero();
  }

  @Test
  void roomIdsUpTo100CharactersAreAccepted() throws Exception {
    registry.join("a".repeat(100), "Ada", new RecordingListener());
    assertThatThrownBy(() -> registry.join("a".repeat(101), "Ada", new RecordingListener()))
        .isInstanceOf(JoinRejectedException.class);
    assertThatThrownBy(() -> registry.join(null, "Ada", new RecordingListener()))
        .isInstanceOf(JoinRejectedException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "elevenchars", "tab\there", "bell\u0007"})
  void invalidDisplayNamesAreRefused(String name) {
    assertThatThrownBy(() -> registry.join("room", name, new RecordingListener()))
        .isInstanceOfSatisfying(
            JoinRejectedException.class,
            e ->
                assertThat(e.reason())
                    .isEqualTo(JoinRejectedException.Reason.INVALID_DISPLAY_NAME));
  }

  @Test
  void displayNamesAreTrimmedAndCountedInCodePoints() throws Exception {
    Participant p = registry.join("room", "  🎧🎧🎧🎧🎧🎧🎧🎧🎧🎧  ", new RecordingListener());
    assertThat(p.displayName()).isEqualTo("🎧".repeat(10));
  }

  @Test
  void aThrowingListenerDoesNotStopTheOthersFromHearing() throws Exception {
    var bob = new RecordingListener();
    registry.join(
        "room",
        "Bad",
        new RecordingListener() {
          @Override
          public void onParticipantJoined(Room room, Participant other) {
            throw new IllegalStateException("boom");
          }
        });
    registry.join("room", "Bob", bob);
    registry.join("room", "Cy", new RecordingListener());

    assertThat(bob.events).containsExactly("joined room as Bob with [Bad]", "participantJoined Cy");
  }

  @Test
  void concurrentJoinsAndLeavesFromManyThreadsLeaveConsistentState() throws Exception {
    var big = new RoomRegistry(new RoomLimits(100_000, 64));
    int threads = 16;
    int opsPerThread = 1_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    var start = new CountDownLatch(1);
    List<Future<List<Participant>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      results.add(
          pool.submit(
              () -> {
                start.await();
                var random = ThreadLocalRandom.current();
                List<Participant> mine = new ArrayList<>();
                for (int i = 0; i < opsPerThread; i++) {
                  if (!mine.isEmpty() && random.nextInt(3) == 0) {
                    Participant p = mine.remove(random.nextInt(mine.size()));
                    assertThat(big.leave(p, LeaveReason.LEFT)).isTrue();
                  } else {
                    mine.add(big.join("room-" + random.nextInt(32), "P", SILENT));
                  }
                }
                return mine;
              }));
    }
    start.countDown();
    List<Participant> remaining = new ArrayList<>();
    for (var result : results) {
      remaining.addAll(result.get(60, TimeUnit.SECONDS));
    }
    pool.shutdown();

    assertThat(big.participantCount()).isEqualTo(remaining.size());
    assertThat(big.rooms().stream().mapToInt(r -> r.participants().size()).sum())
        .isEqualTo(remaining.size());
    assertThat(big.rooms()).allSatisfy(r -> assertThat(r.participants()).isNotEmpty());
    assertThat(big.rooms()).noneMatch(Room::isClosed);
    for (Room room : big.rooms()) {
      assertThat(remaining).containsAll(room.participants());
    }

    for (Participant p : remaining) {
      big.leave(p, LeaveReason.DISCONNECTED);
    }
    assertThat(big.roomCount()).isZero();
    assertThat(big.participantCount()).isZero();
  }

  @Test
  void everyoneInARoomSeesTheSameOrderOfConcurrentJoins() throws Exception {
    var big = new RoomRegistry(new RoomLimits(1_000, 64));
    int joiners = 64;
    List<RecordingListener> listeners = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    var start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < joiners; i++) {
      var listener = new RecordingListener();
      listeners.add(listener);
      String name = "P" + i;
      done.add(
          pool.submit(
              () -> {
                start.await();
                return big.join("same", name, listener);
              }));
    }
    start.countDown();
    for (var f : done) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();

    List<String> finalOrder =
        big.room("same").orElseThrow().participants().stream()
            .map(Participant::displayName)
            .toList();
    for (RecordingListener listener : listeners) {
      // What each one saw (those before it, then each later join) is the room's final order.
      List<String> seen = new ArrayList<>();
      String first = listener.events.get(0);
      String before = first.substring(first.indexOf("with [") + 6, first.length() - 1);
      if (!before.isEmpty()) {
        seen.addAll(List.of(before.split(", ")));
      }
      seen.add(listener.self.displayName());
      listener.events.stream()
          .skip(1)
          .map(e -> e.substring("participantJoined ".length()))
          .forEach(seen::add);
      assertThat(seen).isEqualTo(finalOrder);
    }
  }
}
