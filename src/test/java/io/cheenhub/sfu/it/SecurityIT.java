package io.cheenhub.sfu.it;

import static io.cheenhub.sfu.it.ServerUnderTest.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.cheenhub.sfu.auth.TestTokens;
import io.cheenhub.sfu.sdp.SdpParser;
import io.cheenhub.sfu.sdp.SessionDescription;
import io.cheenhub.sfu.transport.TestPeer;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome;
import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 8 security against a Payara Micro that requires tokens (no {@code sfu.auth.anonymous}),
 * started here from the packaged WAR because the Arquillian server runs anonymous: each bad token
 * gets its documented error over the real WebSocket, a foreign {@code Origin} gets HTTP 403 at the
 * handshake (a DNS-rebound one with a matching {@code Host} too), {@code /api} wants an operator
 * token, a user's second room is refused, and with a low packet-rate threshold admission control
 * refuses the next join and readiness says why while a listener keeps its audio.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {

  private static final String ALLOWED_ORIGIN = "https://app.example.com";

  /**
   * Packets forwarded per second above which joins are refused; one talker to one listener is 50.
   */
  private static final int MAX_PACKET_RATE = 20;

  private static final List<SrtpProfile> PROFILES =
      List.of(SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES128_CM_HMAC_SHA1_80);

  /** The {@code kid} of the key the test's identity provider publishes. */
  private static final String KID = "test-key-1";

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static TestTokens tokens;
  private static PayaraProcess server;
  private static URI base;

  /**
   * The identity provider's JWKS endpoint ({@code mp.jwt.verify.publickey.location}): answers with
   * {@link #jwksStatus} and counts the reads that reached it.
   */
  private static HttpServer keyProvider;

  private static volatile int jwksStatus = 200;
  private static final AtomicInteger jwksReads = new AtomicInteger();

  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  private final ScheduledExecutorService talkers = Executors.newScheduledThreadPool(1);

  @BeforeAll
  static void startServer() throws Exception {
    tokens = TestTokens.rs256();
    keyProvider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    keyProvider.createContext(
        "/jwks",
        exchange -> {
          jwksReads.incrementAndGet();
          byte[] body = tokens.jwks(KID).getBytes(StandardCharsets.UTF_8);
          int status = jwksStatus;
          exchange.sendResponseHeaders(status, status == 200 ? body.length : -1);
          if (status == 200) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    keyProvider.start();
    server =
        PayaraProcess.start(
            "security-it",
            List.of(
                "-Dsfu.signaling.ping-interval-ms=1000",
                "-Dsfu.signaling.idle-timeout-ms=3000",
                "-Dsfu.signaling.reconnect-grace-ms=0",
                "-Dsfu.signaling.max-rooms-per-connection=2",
                "-Dsfu.auth.max-rooms-per-user=1",
                "-Dsfu.signaling.allowed-origins=" + ALLOWED_ORIGIN,
                "-Dsfu.admission.max-packet-rate=" + MAX_PACKET_RATE,
                "-Dmp.jwt.verify.publickey.location=http://127.0.0.1:"
                    + keyProvider.getAddress().getPort()
                    + "/jwks",
                "-Dmp.jwt.verify.publickey.algorithm=RS256",
                // Re-read the provider for every unknown kid, so the breaker test needs no waiting.
                "-Dsfu.auth.key-refresh-min-interval-ms=0",
                "-Dmp.jwt.verify.issuer=" + TestTokens.ISSUER));
    base = server.base();
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    if (keyProvider != null) {
      keyProvider.stop(0);
    }
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void closeOpened() throws Exception {
    talkers.shutdownNow();
    while (!opened.isEmpty()) {
      opened.pop().close();
    }
  }

  private <T extends AutoCloseable> T closeAfterTest(T resource) {
    opened.push(resource);
    return resource;
  }

  private WsClient connect() {
    return closeAfterTest(WsClient.connect(ServerUnderTest.webSocket(base)));
  }

  private static String join(String requestId, String room, String name, String token) {
    JsonObjectBuilder join =
        Json.createObjectBuilder()
            .add("type", "join")
            .add("requestId", requestId)
            .add("roomId", room)
            .add("displayName", name);
    if (token != null) {
      join.add("token", token);
    }
    return join.build().toString();
  }

  /** The reply to a join with {@code token}: its type, or the error code. */
  private String joinReply(WsClient ws, String room, String token) {
    ws.send(join("j", room, "Someone", token));
    JsonObject reply = ws.next();
    return reply.getString("type").equals("error")
        ? reply.getString("code")
        : reply.getString("type");
  }

  @Test
  @Order(1)
  void eachBadTokenGetsItsDocumentedError() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    var forger = TestTokens.rs256();
    WsClient ws = connect();
    assertThat(joinReply(ws, "standup", null)).isEqualTo("auth-required");
    assertThat(
            joinReply(
                ws,
                "standup",
                tokens.sign(TestTokens.claims("ada", "standup").add("exp", now - 600))))
        .isEqualTo("auth-expired");
    assertThat(
            joinReply(
                ws,
                "standup",
                tokens.sign(TestTokens.claims("ada", "standup"), forger.privateKey())))
        .isEqualTo("auth-invalid");
    assertThat(
            joinReply(
                ws,
                "standup",
                tokens.sign(TestTokens.claims("ada", "standup").add("iss", "https://other"))))
        .isEqualTo("auth-invalid");
    assertThat(joinReply(ws, "standup", "not.a.jwt")).isEqualTo("auth-invalid");
    assertThat(joinReply(ws, "standup", tokens.sign(TestTokens.claims("ada", "board"))))
        .isEqualTo("auth-forbidden");
    assertThat(metric(base, "sfu_signaling_errors_total", "code=\"auth-invalid\"")).isEqualTo(3);

    // A valid token joins, and its name claim is the name the others see.
    ws.send(
        join(
            "j",
            "standup",
            "Spoofed",
            tokens.sign(TestTokens.claims("ada", "standup").add("name", "Ada Lovelace"))));
    String adaId = ws.next("joined").getString("participantId");
    WsClient bob = connect();
    bob.send(join("j", "standup", "Bob", tokens.sign(TestTokens.claims("bob", "*"))));
    JsonObject joined = bob.next("joined");
    assertThat(joined.getJsonArray("participants").getJsonObject(0).getString("displayName"))
        .isEqualTo("Ada Lovelace");
    assertThat(joined.getJsonArray("participants").getJsonObject(0).getString("participantId"))
        .isEqualTo(adaId);
  }

  @Test
  @Order(2)
  void aListenOnlyTokenMayNotPublish() throws Exception {
    String listenOnly =
        tokens.sign(
            TestTokens.claims("lee", "lecture")
                .add("permissions", Json.createArrayBuilder(List.of("join", "subscribe"))));
    WsClient ws = connect();
    ws.send(join("j", "lecture", "Lee", listenOnly));
    ws.next("joined");
    TestPeer peer = closeAfterTest(new TestPeer(PROFILES));
    ws.send(
        "{\"type\":\"publishOffer\",\"requestId\":\"p\",\"sdp\":"
            + Json.createValue(peer.publishOffer())
            + "}");
    JsonObject error = ws.next("error");
    assertThat(error.getString("code")).isEqualTo("auth-forbidden");
    assertThat(error.getString("message")).contains("publish");
    ws.send("{\"type\":\"subscribe\",\"requestId\":\"s\"}");
    assertThat(ws.next().getString("type")).isNotEqualTo("error");
  }

  @Test
  @Order(3)
  void aUserIsInOneRoomAcrossAllItsConnections() throws Exception {
    String anyRoom = tokens.sign(TestTokens.claims("carol", "*"));
    WsClient first = connect();
    first.send(join("j", "room-a", "Carol", anyRoom));
    first.next("joined");
    // Another connection, the same user: over sfu.auth.max-rooms-per-user=1.
    WsClient second = connect();
    assertThat(joinReply(second, "room-b", anyRoom)).isEqualTo("user-room-limit");
    // The same connection may hold two rooms, but not for the same user.
    assertThat(joinReply(first, "room-b", anyRoom)).isEqualTo("user-room-limit");
    // Another user on that connection is fine; and once Carol leaves, her seat is free again.
    assertThat(joinReply(second, "room-b", tokens.sign(TestTokens.claims("dave", "*"))))
        .isEqualTo("joined");
    first.send("{\"type\":\"leave\",\"requestId\":\"l\"}");
    first.next("left");
    WsClient third = connect();
    assertThat(joinReply(third, "room-b", anyRoom)).isEqualTo("joined");
  }

  @Test
  @Order(4)
  void theRestApiWantsAnOperatorToken() throws Exception {
    WsClient ada = connect();
    assertThat(joinReply(ada, "ops-view", tokens.sign(TestTokens.claims("ada-ops", "ops-view"))))
        .isEqualTo("joined");
    String operator = tokens.sign(operatorClaims());
    String forged = tokens.sign(operatorClaims(), TestTokens.rs256().privateKey());
    String joinToken = tokens.sign(TestTokens.claims("bob-ops", "*"));
    for (String path :
        List.of("api/rooms", "api/rooms/ops-view", "api/rooms/ops-view/stats", "api/forwarding")) {
      HttpResponse<String> none = api("GET", path, null);
      assertThat(none.statusCode()).as("GET %s without a token", path).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate"))
          .hasValue("Bearer realm=\"cheenhub-sfu\"");
      assertThat(none.body()).contains("\"code\":\"auth-required\"").doesNotContain("ops-view");
      HttpResponse<String> malformed = api("GET", path, "not.a.jwt");
      assertThat(malformed.statusCode()).as("GET %s with a malformed token", path).isEqualTo(401);
      assertThat(malformed.headers().firstValue("WWW-Authenticate").orElse(""))
          .contains("error=\"invalid_token\"");
      assertThat(malformed.body()).contains("\"code\":\"auth-invalid\"");
      assertThat(api("GET", path, forged).statusCode())
          .as("GET %s with a forged operator token", path)
          .isEqualTo(401);
      HttpResponse<String> joinOnly = api("GET", path, joinToken);
      assertThat(joinOnly.statusCode()).as("GET %s with a join token", path).isEqualTo(403);
      assertThat(joinOnly.body()).contains("\"code\":\"auth-forbidden\"");
      assertThat(api("GET", path, operator).statusCode())
          .as("GET %s with an operator token", path)
          .isEqualTo(200);
    }
    assertThat(api("GET", "api/rooms", operator).body()).contains("\"roomId\":\"ops-view\"");
    assertThat(api("GET", "api/rooms/ops-view", operator).body()).contains("\"participants\"");
    assertThat(api("GET", "api/no-such-resource", null).statusCode()).isEqualTo(401);
    // Acting needs the token too (and, for drain, the loopback address as before). An operator
    // token from 127.0.0.1 would drain this server, so only the refusals are tried here.
    assertThat(api("POST", "api/drain", null).statusCode()).isEqualTo(401);
    assertThat(api("POST", "api/drain", joinToken).statusCode()).isEqualTo(403);
    // Health and metrics are not under /api: scrapeable as before.
    assertThat(ServerUnderTest.get(base.resolve("/health/ready")).statusCode()).isEqualTo(200);
    assertThat(ServerUnderTest.get(base.resolve("/metrics")).statusCode()).isEqualTo(200);
  }

  private static JsonObjectBuilder operatorClaims() {
    return TestTokens.claims("ops", "*")
        .add("permissions", Json.createArrayBuilder(List.of("operator")));
  }

  /** {@code method} on {@code path} of the server, with {@code Authorization: Bearer token}. */
  private static HttpResponse<String> api(String method, String path, String token)
      throws IOException, InterruptedException {
    var request =
        HttpRequest.newBuilder(base.resolve(path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @Order(5)
  void aForeignOriginIsRefusedAtTheHandshake() throws Exception {
    String ownHost = base.getHost() + ":" + base.getPort();
    assertThat(handshakeStatus("https://evil.example", ownHost)).isEqualTo(403);
    assertThat(handshakeStatus(ALLOWED_ORIGIN, ownHost)).isEqualTo(101);
    assertThat(handshakeStatus(null, ownHost)).as("non-browser client, no Origin").isEqualTo(101);
    // DNS rebinding: evil.example re-bound to this server's address sends its own name as Host.
    // Where tokens are required only sfu.signaling.allowed-origins counts, not Host.
    assertThat(handshakeStatus("http://evil.example", "evil.example"))
        .as("rebound page, Origin equal to Host")
        .isEqualTo(403);
    assertThat(handshakeStatus("http://" + ownHost, ownHost))
        .as("same origin by Host is no longer enough")
        .isEqualTo(403);
  }

  /** The HTTP status of a WebSocket upgrade to the signaling endpoint with this Origin and Host. */
  private static int handshakeStatus(String origin, String host) throws IOException {
    try (var socket = new Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      String request =
          "GET /ws HTTP/1.1\r\nHost: "
              + host
              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
              + (origin == null ? "" : "Origin: " + origin + "\r\n")
              + "\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      var in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String status = in.readLine();
      return Integer.parseInt(status.split(" ")[1]);
    }
  }

  @Test
  @Order(6)
  void overloadRefusesNewJoinsWhileTheRoomKeepsItsAudio() throws Exception {
    // Ada talks (50 packets/s), Bob listens: 50 forwarded packets/s > MAX_PACKET_RATE.
    WsClient ada = connect();
    ada.send(join("j", "loud", "Ada", tokens.sign(TestTokens.claims("ada-2", "loud"))));
    ada.next("joined");
    TestPeer adaPeer = closeAfterTest(new TestPeer(PROFILES));
    ada.send(
        "{\"type\":\"publishOffer\",\"requestId\":\"p\",\"sdp\":"
            + Json.createValue(adaPeer.publishOffer())
            + "}");
    SessionDescription answer = SdpParser.parse(ada.next("publishAnswer").getString("sdp"));
    assertThat(adaPeer.connect(answer)).isInstanceOf(HandshakeOutcome.Established.class);
    byte[] payload = "ada".getBytes(StandardCharsets.US_ASCII);
    int[] seq = {0};
    var talking =
        talkers.scheduleAtFixedRate(
            () -> {
              try {
                adaPeer.sendRtp(4242, 111, seq[0], 960L * seq[0], payload);
                seq[0]++;
              } catch (Exception e) {
                // the peer closed at the end of the test
              }
            },
            0,
            20,
            TimeUnit.MILLISECONDS);

    WsClient bob = connect();
    bob.send(join("j", "loud", "Bob", tokens.sign(TestTokens.claims("bob-2", "loud"))));
    bob.next("joined");
    TestPeer bobPeer = closeAfterTest(new TestPeer(PROFILES));
    bob.send("{\"type\":\"subscribe\",\"requestId\":\"s\"}");
    JsonObject offer;
    do {
      offer = bob.next();
    } while (!offer.getString("type").equals("consumeOffer"));
    bob.send(
        "{\"type\":\"consumeAnswer\",\"sdp\":"
            + Json.createValue(bobPeer.subscribeAnswer(offer.getString("sdp")))
            + "}");
    assertThat(bobPeer.connect(SdpParser.parse(offer.getString("sdp"))))
        .isInstanceOf(HandshakeOutcome.Established.class);
    assertThat(bobPeer.nextRtp(Duration.ofSeconds(5))).as("Bob hears Ada").isNotNull();

    // Readiness goes DOWN with the reason; the next join is refused with overloaded.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ServerUnderTest.get(base.resolve("/health/ready")).statusCode() == 503);
    String health = ServerUnderTest.get(base.resolve("/health/ready")).body();
    assertThat(health).contains("\"admission\"").contains("packet-rate");
    WsClient cy = connect();
    cy.send(join("j", "loud", "Cy", tokens.sign(TestTokens.claims("cy", "loud"))));
    JsonObject refused = cy.next("error");
    assertThat(refused.getString("code")).isEqualTo("overloaded");
    assertThat(refused.getString("message")).contains("sfu.admission.max-packet-rate");
    assertThat(metric(base, "sfu_joins_refused_total", "reason=\"packet-rate\"")).isEqualTo(1);

    // Those already in keep their audio, and may still negotiate (Bob starts publishing).
    bobPeer.clearRtp();
    int heard = 0;
    long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < end) {
      if (bobPeer.nextRtp(Duration.ofMillis(100)) != null) {
        heard++;
      }
    }
    assertThat(heard).as("packets Bob heard in 2 s while joins are refused").isGreaterThan(25);
    TestPeer bobPublish = closeAfterTest(new TestPeer(PROFILES));
    bob.send(
        "{\"type\":\"publishOffer\",\"requestId\":\"p\",\"sdp\":"
            + Json.createValue(bobPublish.publishOffer())
            + "}");
    JsonObject published;
    do {
      published = bob.next();
    } while (!published.getString("type").equals("publishAnswer")
        && !published.getString("type").equals("error"));
    assertThat(published.getString("type")).isEqualTo("publishAnswer");

    // Ada stops talking: the rate falls, readiness comes back and Cy gets in.
    talking.cancel(false);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ServerUnderTest.get(base.resolve("/health/ready")).statusCode() == 200);
    cy.send(join("j2", "loud", "Cy", tokens.sign(TestTokens.claims("cy", "loud"))));
    cy.next("joined");
  }

  /**
   * The identity provider (the server's one remote dependency) goes down: joins keep being verified
   * with the keys read before, and after a few failed reads MicroProfile Fault Tolerance's breaker
   * opens, so later joins do not wait for the provider at all and it sees no more reads.
   */
  @Test
  @Order(7)
  void anUnreachableKeyProviderOpensTheBreakerWhileJoinsKeepTheLastKeys() throws Exception {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ServerUnderTest.get(base.resolve("/health/ready")).statusCode() == 200);
    assertThat(joinReply(connect(), "keys-0", tokenWithKid("keys-0", KID))).isEqualTo("joined");
    int readsBefore = jwksReads.get();
    jwksStatus = 503;
    try {
      var replies = new ArrayList<String>();
      for (int i = 1; i <= 8; i++) {
        // An unknown kid looks like a rotated key: the server tries to re-read the provider.
        replies.add(joinReply(connect(), "keys-" + i, tokenWithKid("keys-" + i, "rotated-" + i)));
      }
      int failedReads = jwksReads.get() - readsBefore;
      String known = joinReply(connect(), "keys-9", tokenWithKid("keys-9", KID));
      System.out.println(
          "[security] provider down: 8 joins with unknown kids "
              + replies
              + ", reads that reached the provider "
              + failedReads
              + ", then a join with the known kid: "
              + known);
      // No key for those kids, so no join; but each got its answer, none an internal error.
      assertThat(replies).containsOnly("auth-invalid");
      // requestVolumeThreshold 4, failureRatio 0.5: open after at most 4 reads, not one per join.
      assertThat(failedReads).isBetween(1, 4);
      assertThat(metric(base, "base", "ft_circuitbreaker_opened_total", "KeyFetcher.fetch"))
          .isGreaterThanOrEqualTo(1);
      // The keys read before the outage still verify tokens they signed.
      assertThat(known).isEqualTo("joined");
    } finally {
      jwksStatus = 200;
    }
  }

  private static String tokenWithKid(String room, String kid) throws Exception {
    return tokens.sign(TestTokens.claims("user-" + room, room), tokens.privateKey(), kid);
  }
}
