package io.cheenhub.sfu.it;

import static io.cheenhub.sfu.it.ServerUnderTest.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rooms over the real WebSocket endpoint on Payara Micro: joins, leaves, disconnects, timeouts. */
class SignalingIT extends ServerIT {

  @BeforeEach
  void noOneIsLeftFromEarlierTests() {
    awaitParticipants(0);
  }

  private void awaitParticipants(int expected) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metric(base, "sfu_participants_active", ""), v -> v == expected);
  }

  @Test
  void twoParticipantsSeeEachOtherComeAndGo() throws Exception {
    WsClient ada = connect();
    WsClient bob = connect();

    JsonObject adaJoined = ada.join("two", "Ada");
    assertThat(adaJoined.getString("requestId")).isEqualTo("join-Ada");
    assertThat(adaJoined.getString("roomId")).isEqualTo("two");
    assertThat(adaJoined.getJsonArray("participants")).isEmpty();
    String adaId = adaJoined.getString("participantId");
    assertThat(adaId).matches("[A-Za-z0-9_-]{22}");

    JsonObject bobJoined = bob.join("two", "Bob");
    String bobId = bobJoined.getString("participantId");
    assertThat(bobJoined.getJsonArray("participants").getJsonObject(0).getString("participantId"))
        .isEqualTo(adaId);
    assertThat(bobJoined.getJsonArray("participants").getJsonObject(0).getString("displayName"))
        .isEqualTo("Ada");

    JsonObject seen = ada.next("participantJoined");
    assertThat(seen.getString("roomId")).isEqualTo("two");
    assertThat(seen.getJsonObject("participant").getString("participantId")).isEqualTo(bobId);
    assertThat(seen.getJsonObject("participant").getString("displayName")).isEqualTo("Bob");

    bob.send("{\"type\":\"leave\",\"requestId\":\"bye\"}");
    JsonObject left = bob.next("left");
    assertThat(left.getString("requestId")).isEqualTo("bye");
    assertThat(left.getString("roomId")).isEqualTo("two");

    JsonObject gone = ada.next("participantLeft");
    assertThat(gone.getString("participantId")).isEqualTo(bobId);
    assertThat(gone.getString("reason")).isEqualTo("leave");

    ada.assertSilent(Duration.ofMillis(300));
    bob.assertSilent(Duration.ofMillis(300));
  }

  @Test
  void twentyParticipantsEachSeeExactlyTheRightEvents() throws Exception {
    int n = 20;
    List<WsClient> room = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      WsClient client = connect();
      JsonObject joined = client.join("twenty", "P" + i);
      assertThat(joined.getJsonArray("participants"))
          .extracting(v -> v.asJsonObject().getString("participantId"))
          .containsExactlyElementsOf(ids);
      ids.add(joined.getString("participantId"));
      room.add(client);
    }
    // Participant i saw exactly the joins of i+1 .. n-1, in order.
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        JsonObject event = room.get(i).next("participantJoined");
        assertThat(event.getJsonObject("participant").getString("participantId"))
            .isEqualTo(ids.get(j));
      }
      room.get(i).assertSilent(Duration.ofMillis(20));
    }
    awaitParticipants(n);
    assertThat(metric(base, "sfu_rooms_active", "")).isGreaterThanOrEqualTo(1);

    // The room is configured for 20 (arquillian.xml): the 21st is refused, the room is undisturbed.
    WsClient late = connect();
    late.send(
        "{\"type\":\"join\",\"requestId\":\"late\",\"roomId\":\"twenty\",\"displayName\":\"Late\"}");
    JsonObject full = late.next("error");
    assertThat(full.getString("code")).isEqualTo("room-full");
    assertThat(full.getString("requestId")).isEqualTo("late");

    // Everyone leaves, first to last: each remaining participant sees every departure once.
    for (int i = 0; i < n; i++) {
      room.get(i).send("{\"type\":\"leave\"}");
      room.get(i).next("left");
      for (int k = i + 1; k < n; k++) {
        JsonObject event = room.get(k).next("participantLeft");
        assertThat(event.getString("participantId")).isEqualTo(ids.get(i));
        assertThat(event.getString("reason")).isEqualTo("leave");
      }
    }
    for (WsClient client : room) {
      client.assertSilent(Duration.ofMillis(20));
    }
    awaitParticipants(0);
    assertThat(ServerUnderTest.get(base.resolve("api/rooms/twenty")).statusCode()).isEqualTo(404);
  }

  @Test
  void anAbruptlyClosedSocketLeavesItsRoom() throws Exception {
    WsClient ada = connect();
    WsClient crash = connect();
    ada.join("abrupt", "Ada");
    String crashId = crash.join("abrupt", "Crash").getString("participantId");
    ada.next("participantJoined");

    crash.abort();

    JsonObject gone = ada.next("participantLeft");
    assertThat(gone.getString("participantId")).isEqualTo(crashId);
    assertThat(gone.getString("reason")).isEqualTo("disconnect");
    awaitParticipants(1);
  }

  @Test
  void aClientThatStopsAnsweringPingsIsDroppedAfterTheIdleTimeout() throws Exception {
    WsClient ada = connect();
    WsClient lost = connect();
    ada.join("lossy", "Ada");
    String lostId = lost.join("lossy", "Lost").getString("participantId");
    ada.next("participantJoined");

    lost.stopReading();
    long start = System.nanoTime();

    // Ada keeps answering pings (the JDK client pongs automatically) and must stay.
    JsonObject gone = ada.next("participantLeft");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(gone.getString("participantId")).isEqualTo(lostId);
    assertThat(gone.getString("reason")).isEqualTo("timeout");
    // idle timeout 3 s, sweep every 1 s (arquillian.xml)
    assertThat(took).isBetween(Duration.ofMillis(1_500), Duration.ofSeconds(8));
    assertThat(metric(base, "sfu_participants_left_total", "reason=\"timeout\""))
        .isGreaterThanOrEqualTo(1);

    ada.send("{\"type\":\"ping\",\"requestId\":\"still-here\"}");
    assertThat(ada.next("pong").getString("requestId")).isEqualTo("still-here");
  }

  @Test
  void pingIsAnsweredWithTheClientTimestampAndServerTime() throws Exception {
    WsClient client = connect();
    long before = System.currentTimeMillis();

    client.send("{\"type\":\"ping\",\"requestId\":\"p1\",\"ts\":12345}");
    JsonObject pong = client.next("pong");

    assertThat(pong.getString("requestId")).isEqualTo("p1");
    assertThat(pong.getJsonNumber("ts").longValue()).isEqualTo(12345);
    assertThat(pong.getJsonNumber("serverTime").longValue())
        .isBetween(before - 5_000, System.currentTimeMillis() + 5_000);
  }

  @Test
  void aConnectionIsInOneRoomAtATimeByDefault() throws Exception {
    WsClient client = connect();
    client.join("first", "Ada");

    client.send(
        "{\"type\":\"join\",\"requestId\":\"j2\",\"roomId\":\"second\",\"displayName\":\"Ada\"}");
    JsonObject error = client.next("error");

    assertThat(error.getString("code")).isEqualTo("room-limit-reached");
    assertThat(error.getString("requestId")).isEqualTo("j2");
    assertThat(ServerUnderTest.get(base.resolve("api/rooms/second")).statusCode()).isEqualTo(404);
  }
}
