package io.cheenhub.sfu.loadgen.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.loadgen.relay.ImpairmentRelay.Direction;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay's HTTP control on loopback: set, read back, heal, count, reject bad input. */
class RelayControlTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final HttpClient http = HttpClient.newHttpClient();
  private DatagramChannel server;
  private DatagramChannel client;
  private ImpairmentRelay relay;
  private RelayControl control;

  @BeforeEach
  void open() throws IOException {
    server = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
    client = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
    relay =
        new ImpairmentRelay(
            new InetSocketAddress(LOOPBACK, 0), (InetSocketAddress) server.getLocalAddress());
    control = new RelayControl(relay, new InetSocketAddress(LOOPBACK, 0));
  }

  @AfterEach
  void close() throws IOException {
    control.close();
    relay.close();
    client.close();
    server.close();
  }

  private record Reply(int status, JsonObject body) {}

  private Reply call(String method, String path, String body) throws Exception {
    URI uri =
        URI.create(
            "http://" + LOOPBACK.getHostAddress() + ":" + control.address().getPort() + path);
    HttpRequest.BodyPublisher publisher =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(uri)
                .method(method, publisher)
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    try (var reader = Json.createReader(new StringReader(response.body()))) {
      return new Reply(response.statusCode(), reader.readObject());
    }
  }

  @Test
  void putSetsEachDirectionAndAMissingDirectionStaysAsItIs() throws Exception {
    Reply set =
        call(
            "PUT",
            "/impairment",
            """
            {"up":{"loss":0.2,"delayMillis":50,"jitterMillis":30},
             "down":{"burstEnter":0.05,"burstExit":0.25,"burstLoss":1,"bitsPerSecond":32000,"queueBytes":4000}}
            """);
    assertThat(set.status()).isEqualTo(200);
    assertThat(relay.impairment(Direction.UP))
        .isEqualTo(Impairment.NONE.withLoss(0.2).withDelay(50, 30));
    assertThat(relay.impairment(Direction.DOWN))
        .isEqualTo(Impairment.NONE.withBursts(0.05, 0.25, 1).withBandwidth(32_000, 4_000));

    assertThat(call("PUT", "/impairment", "{\"up\":{\"reorder\":0.1}}").status()).isEqualTo(200);
    assertThat(relay.impairment(Direction.UP)).isEqualTo(Impairment.NONE.withReorder(0.1));
    assertThat(relay.impairment(Direction.DOWN).bitsPerSecond()).isEqualTo(32_000);

    JsonObject now = call("GET", "/impairment", null).body();
    assertThat(now.getJsonObject("up").getJsonNumber("reorder").doubleValue()).isEqualTo(0.1);
    assertThat(now.getJsonObject("down").getInt("queueBytes")).isEqualTo(4_000);

    assertThat(call("PUT", "/impairment", "{}").status()).isEqualTo(200);
    assertThat(relay.impairment(Direction.UP)).isEqualTo(Impairment.NONE);
    assertThat(relay.impairment(Direction.DOWN)).isEqualTo(Impairment.NONE);
  }

  @Test
  void statsCountWhatTheImpairmentDid() throws Exception {
    call("PUT", "/impairment", "{\"up\":{\"loss\":1}}");
    ByteBuffer datagram = ByteBuffer.allocate(100);
    for (int i = 0; i < 20; i++) {
      client.send(datagram.clear(), relay.address());
    }
    // The relay reads them on its own thread: heal only once all 20 met the full loss.
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> call("GET", "/stats", null).body().getJsonObject("up").getInt("received") == 20);
    call("PUT", "/impairment", "{}");
    for (int i = 0; i < 10; i++) {
      client.send(datagram.clear(), relay.address());
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(3))
        .untilAsserted(
            () -> {
              JsonObject stats = call("GET", "/stats", null).body();
              assertThat(stats.getInt("clients")).isEqualTo(1);
              JsonObject up = stats.getJsonObject("up");
              assertThat(up.getInt("received")).isEqualTo(30);
              assertThat(up.getInt("droppedRandom")).isEqualTo(20);
              assertThat(up.getInt("dropped")).isEqualTo(20);
              assertThat(up.getInt("forwarded")).isEqualTo(10);
              assertThat(stats.getJsonObject("down").getInt("received")).isZero();
            });
  }

  @Test
  void badInputIsRejectedAndChangesNothing() throws Exception {
    call("PUT", "/impairment", "{\"up\":{\"loss\":0.1}}");
    for (String body :
        new String[] {
          "{\"up\":{\"los\":0.1}}",
          "{\"sideways\":{}}",
          "{\"up\":{\"loss\":1.5}}",
          "{\"up\":{\"delayMillis\":\"50\"}}",
          "{\"down\":{\"delayMillis\":-1}}",
          "not json",
          ""
        }) {
      Reply reply = call("PUT", "/impairment", body);
      assertThat(reply.status()).as(body).isEqualTo(400);
      assertThat(reply.body().getString("error")).as(body).isNotBlank();
    }
    assertThat(relay.impairment(Direction.UP)).isEqualTo(Impairment.NONE.withLoss(0.1));
    assertThat(relay.impairment(Direction.DOWN)).isEqualTo(Impairment.NONE);
    assertThat(call("DELETE", "/stats", null).status()).isEqualTo(405);
  }
}
