package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Operating the server (issue 8, recovery and logs): the JSON log lines of a join and a leave over
 * the real WebSocket carry the correlation ids, and an admin drain tells every client to reconnect,
 * closes it with 1012, refuses joins and takes readiness down. The drain ends this server's
 * service, so it runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsIT extends ServerIT {

  /** Where payara-it-logging.properties has Payara write JSON lines (relative to the project). */
  private static final Path LOG_DIR = Path.of("target");

  private static final String LOG_PREFIX = "payara-it-json.log";

  @Test
  @Order(1)
  void aJoinAndALeaveAreLoggedAsJsonWithTheirCorrelationIds() throws Exception {
    String room = "logs-" + UUID.randomUUID().toString().substring(0, 8);
    WsClient ada = connect();
    ada.send(
        "{\"type\":\"join\",\"requestId\":\"rq-join-1\",\"roomId\":\""
            + room
            + "\",\"displayName\":\"Ada {0}\"}");
    JsonObject joined = ada.next("joined");
    String participant = joined.getString("participantId");
    ada.send("{\"type\":\"leave\",\"requestId\":\"rq-leave-2\"}");
    ada.next("left");

    List<JsonObject> lines = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              lines.clear();
              lines.addAll(jsonLinesOf(room));
              assertThat(lines)
                  .extracting(l -> l.getString("event", ""))
                  .contains("participant left");
            });
    JsonObject join = event(lines, "participant joined");
    JsonObject leave = event(lines, "participant left");
    System.out.println("[OperationsIT] join log line:  " + join);
    System.out.println("[OperationsIT] leave log line: " + leave);

    assertThat(join.getString("room")).isEqualTo(room);
    assertThat(join.getString("participant")).isEqualTo(participant);
    assertThat(join.getString("requestId")).isEqualTo("rq-join-1");
    assertThat(join.getString("connection")).matches("[0-9a-f]{12}");
    assertThat(join.getString("name")).isEqualTo("Ada {0}");
    assertThat(join.getString("LoggerName")).startsWith("io.cheenhub.sfu.");
    assertThat(join.getString("Level")).isEqualTo("INFO");
    assertThat(join.getString("LogMessage")).contains("room=" + room);

    assertThat(leave.getString("room")).isEqualTo(room);
    assertThat(leave.getString("participant")).isEqualTo(participant);
    assertThat(leave.getString("requestId")).isEqualTo("rq-leave-2");
    assertThat(leave.getString("connection")).isEqualTo(join.getString("connection"));
    assertThat(leave.getString("reason")).isEqualTo("leave");

    // The socket's own lifecycle event carries the same connection id.
    assertThat(jsonLines())
        .filteredOn(
            l ->
                l.getString("event", "").equals("connection opened")
                    && l.getString("connection", "").equals(join.getString("connection")))
        .hasSize(1);
  }

  @Test
  @Order(2)
  void anAdminDrainTellsEveryClientToReconnectAndRefusesNewJoins() throws Exception {
    // The JSON log file is shared by every Arquillian server of the run (each class starts its own,
    // and each drains when stopped): only this server's lines from now on count.
    long since = System.currentTimeMillis();
    WsClient ada = joined("drain", "Ada");
    WsClient bob = joined("drain", "Bob");
    ada.next("participantJoined");
    WsClient idle = connect(); // in no room: told all the same

    if (!java.net.InetAddress.getByName(base.getHost()).isLoopbackAddress()) {
      // Payara reports the host's own address: a request to it does not come from loopback.
      assertThat(post(base.resolve("api/drain")).statusCode()).isEqualTo(403);
      assertThat(ServerUnderTest.get(base.resolve("/health/ready")).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> drained = post(VoiceDriver.onLoopback(base).resolve("api/drain"));
    assertThat(drained.statusCode()).isEqualTo(200);
    try (var reader = Json.createReader(new StringReader(drained.body()))) {
      // Ada, Bob, the idle socket (and the first test's socket if its close is still under way).
      assertThat(reader.readObject().getInt("connectionsDrained")).isGreaterThanOrEqualTo(3);
    }

    for (WsClient client : List.of(ada, bob, idle)) {
      JsonObject reconnect = client.next("reconnect");
      assertThat(reconnect.getString("reason")).isEqualTo("admin");
      assertThat(reconnect.getInt("delayMs")).isBetween(100, 5_000);
      assertThat(client.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1012);
    }
    HttpResponse<String> ready = ServerUnderTest.get(base.resolve("/health/ready"));
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.body()).contains("\"draining\":\"true\"");

    WsClient late = WsClient.connect(ServerUnderTest.webSocket(base));
    closeAfterTest(late);
    assertThat(late.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1013);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ServerUnderTest.metric(base, "sfu_participants_active", ""), v -> v == 0);
    // Event lines are written by the log pump's thread, a moment after the event.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(jsonLines())
                    .filteredOn(l -> l.getString("event", "").equals("drain finished"))
                    .filteredOn(l -> Long.parseLong(l.getString("TimeMillis", "0")) >= since)
                    .isNotEmpty()
                    .allSatisfy(l -> assertThat(l.getString("reason")).isEqualTo("admin")));
  }

  private static HttpResponse<String> post(URI uri) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject event(List<JsonObject> lines, String event) {
    return lines.stream()
        .filter(l -> l.getString("event", "").equals(event))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no \"" + event + "\" line in " + lines));
  }

  /** The JSON lines of this run that name {@code room}. */
  private static List<JsonObject> jsonLinesOf(String room) throws IOException {
    return jsonLines().stream().filter(l -> room.equals(l.getString("room", null))).toList();
  }

  /** Every JSON line Payara wrote (a log file per server that ran; lines are whole objects). */
  private static List<JsonObject> jsonLines() throws IOException {
    List<JsonObject> lines = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(LOG_DIR)) {
      files =
          list.filter(p -> p.getFileName().toString().startsWith(LOG_PREFIX))
              .filter(p -> !p.getFileName().toString().endsWith(".lck"))
              .toList();
    }
    for (Path file : files) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith("{")) {
          try (var reader = Json.createReader(new StringReader(line))) {
            lines.add(reader.readObject());
          } catch (RuntimeException e) {
            // A line being written right now; the next read gets it whole.
          }
        }
      }
    }
    return lines;
  }
}
