package io.cheenhub.sfu.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import io.cheenhub.sfu.admission.TestAdmission;
import io.cheenhub.sfu.config.ClusterSettings;
import io.cheenhub.sfu.config.RoomLimits;
import io.cheenhub.sfu.room.ParticipantListener;
import io.cheenhub.sfu.room.RoomRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances' cluster parts on two real embedded Data Grid members (Hazelcast, as Payara Micro
 * runs it): placement, redirect tickets, a crashed member's rooms, drain and a moved room.
 */
class ClusterServiceTest {

  private static final String SECRET = "cluster-service-test-secret-0123456789";
  private final String cluster = "sfu-test-" + UUID.randomUUID();
  private final List<HazelcastInstance> members = new java.util.ArrayList<>();

  /** An instance: its grid member, rooms and cluster part (heartbeats run by the test). */
  private final class Instance {
    final HazelcastInstance hazelcast;
    final RoomRegistry rooms = new RoomRegistry(new RoomLimits(50, 64));
    final ClusterService service = new ClusterService();
    final Map<String, Placement> moved = new ConcurrentHashMap<>();

    Instance(String name, int port) {
      hazelcast = TestGrid.member(cluster, port);
      members.add(hazelcast);
      service.settings =
          new ClusterSettings(
              true,
              name,
              URI.create("http://" + name + ".example:8080/"),
              SECRET,
              Duration.ofSeconds(1),
              Duration.ofSeconds(3));
      service.rooms = rooms;
      service.admission = new TestAdmission();
      service.onRoomMoved(moved::put);
      service.join(hazelcast, false);
    }

    void open(String room) throws Exception {
      rooms.join(room, "someone", ParticipantListener.NONE);
    }
  }

  private static final int BASE_PORT = 15_700 + (int) (Math.random() * 2_000);

  @AfterEach
  void stop() {
    members.forEach(m -> m.getLifecycleService().terminate());
  }

  @Test
  void aRoomLivesOnOneInstanceAndAJoinElsewhereIsRedirectedWithATicket() throws Exception {
    Instance a = new Instance("a", BASE_PORT);
    Instance b = new Instance("b", BASE_PORT);
    await().until(() -> a.service.members() == 2);
    a.open("busy"); // a has a participant: new rooms go to b
    a.service.beat();
    b.service.beat();

    ClusterService.Decision atA = a.service.decide("standup");
    assertThat(atA.local()).isFalse();
    assertThat(atA.url()).isEqualTo("http://b.example:8080/");
    assertThat(b.service.sentHere("standup", atA.ticket())).isTrue();
    assertThat(a.service.sentHere("standup", atA.ticket())).as("a ticket for b only").isFalse();
    assertThat(b.service.decide("standup").local()).isTrue();
    assertThat(a.service.decide("busy").local()).as("open here").isTrue();
    assertThat(a.service.redirects()).isEqualTo(1);
  }

  @Test
  void aCrashedMembersRoomsArePlacedOnTheSurvivorAtItsNextHeartbeat() throws Exception {
    Instance a = new Instance("a", BASE_PORT);
    Instance b = new Instance("b", BASE_PORT);
    await().until(() -> a.service.members() == 2);
    a.open("busy");
    a.service.beat();
    b.service.beat();
    assertThat(a.service.decide("on-b").local()).isFalse();
    b.open("on-b");
    b.service.beat();

    b.hazelcast.getLifecycleService().terminate(); // as a kill -9: no goodbye
    await("b left the grid").atMost(Duration.ofSeconds(20)).until(() -> a.service.members() == 1);
    await("b's load entry gone")
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              a.service.beat(); // a's own entry lives by its heartbeats
              return a.service.live().keySet();
            },
            keys -> keys.equals(java.util.Set.of("a")));
    a.service.beat();
    assertThat(a.service.replacements()).isEqualTo(1);
    assertThat(a.service.roomsOwned()).as("busy and on-b").isEqualTo(2);
    Placement placement =
        Placement.fromJson(a.hazelcast.<String, String>getMap("sfu.rooms").get("on-b"));
    assertThat(placement.owner()).isEqualTo("a");
    assertThat(placement.epoch()).isEqualTo(2);
    assertThat(a.service.decide("on-b").local()).isTrue();
  }

  @Test
  void drainPlacesTheOpenRoomsElsewhereAndTheHeartbeatSendsOnAMovedRoom() throws Exception {
    Instance a = new Instance("a", BASE_PORT);
    Instance b = new Instance("b", BASE_PORT);
    await().until(() -> a.service.members() == 2);
    b.open("filler");
    b.open("filler");
    b.service.beat();
    a.service.beat();
    assertThat(a.service.decide("r1").local()).isTrue();
    a.open("r1");

    Map<String, Placement> moved = a.service.drainRooms();
    assertThat(moved).containsOnlyKeys("r1");
    assertThat(moved.get("r1").owner()).isEqualTo("b");
    assertThat(b.service.decide("brand-new").local()).as("a drains: b takes new rooms").isTrue();

    // A room open on b whose placement names a (say, after a merge): b's heartbeat sends it on.
    a.hazelcast
        .<String, String>getMap("sfu.rooms")
        .put("filler", new Placement("a", "http://a.example:8080/", 7, 0).toJson());
    b.service.beat();
    assertThat(b.moved).containsOnlyKeys("filler");
    assertThat(b.moved.get("filler").epoch()).isEqualTo(7);
  }
}
