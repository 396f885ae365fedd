package io.cheenhub.sfu.it;

import static io.cheenhub.sfu.it.ServerUnderTest.get;
import static io.cheenhub.sfu.it.ServerUnderTest.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST API, health checks and Prometheus metrics report what is really happening. */
class ObservabilityIT extends ServerIT {

  @BeforeEach
  void noOneIsLeftFromEarlierTests() {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metric(base, "sfu_participants_active", ""), v -> v == 0);
  }

  private static JsonObject object(HttpResponse<String> response) {
    try (var reader = Json.createReader(new StringReader(response.body()))) {
      return reader.readObject();
    }
  }

  private static JsonArray array(HttpResponse<String> response) {
    try (var reader = Json.createReader(new StringReader(response.body()))) {
      return reader.readArray();
    }
  }

  @Test
  void restApiListsRoomsAndParticipants() throws Exception {
    double joinsBefore = metric(base, "sfu_signaling_messages_total", "type=\"join\"");
    joined("alpha", "Ada");
    joined("alpha", "Bob");
    joined("alpha", "Cy");
    joined("beta", "Dee");

    HttpResponse<String> list = get(base.resolve("api/rooms"));
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonArray rooms = array(list);
    assertThat(rooms).hasSize(2);
    assertThat(rooms.getJsonObject(0).getString("roomId")).isEqualTo("alpha");
    assertThat(rooms.getJsonObject(0).getInt("participants")).isEqualTo(3);
    assertThat(rooms.getJsonObject(1).getString("roomId")).isEqualTo("beta");
    assertThat(rooms.getJsonObject(1).getInt("participants")).isEqualTo(1);

    JsonObject alpha = object(get(base.resolve("api/rooms/alpha")));
    assertThat(alpha.getString("roomId")).isEqualTo("alpha");
    assertThat(alpha.getString("createdAt")).isNotBlank();
    assertThat(alpha.getJsonArray("participants"))
        .extracting(p -> p.asJsonObject().getString("displayName"))
        .containsExactly("Ada", "Bob", "Cy");

    HttpResponse<String> missing = get(base.resolve("api/rooms/nobody-here"));
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(object(missing).getString("code")).isEqualTo("room-not-found");

    HttpResponse<String> invalid = get(base.resolve("api/rooms/bad%20id"));
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(object(invalid).getString("code")).isEqualTo("invalid-room-id");

    // Awaited, not read once: see metricsFollowJoinsAndLeaves.
    awaitMetrics(
        () -> {
          assertThat(metric(base, "sfu_participants_active", "")).isEqualTo(4);
          assertThat(metric(base, "sfu_rooms_active", "")).isEqualTo(2);
          assertThat(metric(base, "sfu_signaling_connections_active", "")).isEqualTo(4);
          assertThat(metric(base, "sfu_signaling_messages_total", "type=\"join\""))
              .isEqualTo(joinsBefore + 4);
        });
  }

  @Test
  void metricsFollowJoinsAndLeaves() throws Exception {
    List<WsClient> room = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      room.add(joined("gauge", "P" + i));
    }
    // The count is exact as soon as the joins are answered, yet a fresh-clone CI run once read 4
    // here, the previous test's value. Suspected cause (not proven): Payara (Grizzly/Tyrus) was
    // also seen writing a closing WebSocket's frame into another connection's HTTP response, and
    // such stray bytes would make the next answer on a reused connection a stale one. The values
    // must hold; they may take another read.
    awaitMetrics(
        () -> {
          assertThat(metric(base, "sfu_participants_active", "")).isEqualTo(5);
          assertThat(metric(base, "sfu_rooms_active", "")).isEqualTo(1);
        });

    room.get(0).close();
    room.get(1).send("{\"type\":\"leave\"}");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metric(base, "sfu_participants_active", ""), v -> v == 3);

    String text = get(base.resolve("/metrics?scope=application")).body();
    assertThat(text)
        .contains("# TYPE sfu_participants_active gauge")
        .contains("# TYPE sfu_signaling_messages_total counter")
        .contains("sfu_signaling_errors_total{code=\"room-full\"")
        .contains("sfu_participants_left_total{mp_scope=\"application\",reason=\"leave\"}");

    for (int i = 2; i < 5; i++) {
      room.get(i).close();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> metric(base, "sfu_rooms_active", ""), v -> v == 0);
    awaitMetrics(() -> assertThat(metric(base, "sfu_participants_active", "")).isZero());
  }

  private static void awaitMetrics(org.awaitility.core.ThrowingRunnable assertion) {
    await().atMost(Duration.ofSeconds(5)).untilAsserted(assertion);
  }

  @Test
  void healthEndpointsReportRealChecks() throws Exception {
    joined("healthy", "Ada");

    HttpResponse<String> live = get(base.resolve("/health/live"));
    assertThat(live.statusCode()).isEqualTo(200);
    JsonObject liveBody = object(live);
    assertThat(liveBody.getString("status")).isEqualTo("UP");
    JsonObject registry = liveBody.getJsonArray("checks").getJsonObject(0);
    assertThat(registry.getString("name")).isEqualTo("room-registry");
    assertThat(registry.getJsonObject("data").get("participants").toString()).contains("1");
    assertThat(Long.parseLong(registry.getJsonObject("data").getString("msSinceLastPingSweep")))
        .isLessThan(3_000);

    HttpResponse<String> ready = get(base.resolve("/health/ready"));
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonArray readyChecks = object(ready).getJsonArray("checks");
    assertThat(readyChecks)
        .extracting(c -> c.asJsonObject().getString("name"))
        .containsExactlyInAnyOrder("signaling", "media", "admission", "cluster");
    assertThat(readyChecks)
        .allSatisfy(c -> assertThat(c.asJsonObject().getString("status")).isEqualTo("UP"));
    JsonObject media =
        readyChecks.stream()
            .map(JsonValue::asJsonObject)
            .filter(c -> c.getString("name").equals("media"))
            .findFirst()
            .orElseThrow();
    assertThat(media.getJsonObject("data").getString("udp")).startsWith("127.0.0.1:");
    assertThat(media.getJsonObject("data").get("packetWorkers").toString()).contains("true");
    JsonObject cluster =
        readyChecks.stream()
            .map(JsonValue::asJsonObject)
            .filter(c -> c.getString("name").equals("cluster"))
            .findFirst()
            .orElseThrow();
    assertThat(cluster.getJsonObject("data").get("enabled").toString()).contains("false");
    assertThat(cluster.getJsonObject("data").get("members").toString()).contains("1");
  }

  @Test
  void theWebClientIsServed() throws Exception {
    HttpResponse<String> page = get(base);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("cheenhub");
  }
}
