package io.cheenhub.sfu.it;

import static io.cheenhub.sfu.it.ServerUnderTest.get;
import static io.cheenhub.sfu.it.ServerUnderTest.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real browsers join a room through the web client and publish their microphone: ICE, DTLS-SRTP and
 * Opus from Chromium and Firefox ESR reach the server, which decrypts them.
 *
 * <p>Each test runs one driver from {@code e2e/} ({@code node e2e/publish-<browser>.mjs <base>
 * <room>}: Debian's browser, headless, driven by playwright-core or puppeteer-core; see the drivers
 * for launch flags and why Firefox needs its own PulseAudio). The driver's one JSON line is what
 * the browser saw; this test also polls {@code GET /api/rooms/{room}} itself while the driver runs,
 * so the server-side counters are checked independently of the driver. Needs {@code node}, {@code
 * e2e/node_modules} ({@code npm ci --prefix e2e}), chromium, firefox-esr and pulseaudio: {@code
 * .ci/run} installs them.
 */
class BrowserPublishIT extends ServerIT {

  /** Covers a cold browser start (Firefox ~5 s), the driver's own 30 s deadline and clean-up. */
  private static final Duration DRIVER_TIMEOUT = Duration.ofSeconds(150);

  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final long REST_POLL_MS = 200;
  private static final int MIN_RTP_PACKETS = 100;
  private static final Set<String> SRTP_PROFILES =
      Set.of("AEAD_AES_128_GCM", "AES128_CM_HMAC_SHA1_80");

  @BeforeEach
  void noTransportIsLeftFromEarlierTests() throws Exception {
    awaitNoTransports();
  }

  @Test
  void chromiumPublishesOpusThatTheServerDecrypts() throws Exception {
    publishFrom("chromium");
  }

  @Test
  void firefoxPublishesOpusThatTheServerDecrypts() throws Exception {
    publishFrom("firefox");
  }

  /**
   * The drivers need Node, {@code e2e/node_modules} and Debian's browsers. Where they are missing
   * the test is skipped with the reason, so {@code mvn verify} also works on a machine with only a
   * JDK and Maven; under CI ({@code CI} set, as {@code .ci/run} runs) a missing tool fails instead,
   * so a broken CI image can never hide these tests.
   */
  private static void requireTools(String browser) {
    List<String> missing = new ArrayList<>();
    for (String command :
        browser.equals("firefox")
            ? List.of("node", "firefox-esr", "pulseaudio", "paplay")
            : List.of("node", "chromium")) {
      if (!onPath(command)) {
        missing.add(command);
      }
    }
    Path modules = Path.of(System.getProperty("e2e.dir", "e2e"), "node_modules");
    if (!Files.isDirectory(modules)) {
      missing.add(modules + " (npm ci --prefix e2e)");
    }
    if (missing.isEmpty()) {
      return;
    }
    String reason =
        browser + " test needs " + String.join(", ", missing) + "; .ci/run installs them";
    if (System.getenv("CI") != null) {
      fail(reason);
    }
    Assumptions.abort(reason);
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  private void publishFrom(String browser) throws Exception {
    requireTools(browser);
    String roomId = "e2e-" + browser + "-" + UUID.randomUUID().toString().substring(0, 8);
    DriverRun run = runDriver(browser, onLoopback(base), roomId);

    JsonObject result = run.result();
    assertThat(result.getBoolean("ok"))
        .as("%s driver: %s", browser, result.getString("error", ""))
        .isTrue();
    assertThat(run.exitCode()).as("%s driver exit code", browser).isZero();

    // What the browser saw (its own getStats).
    JsonObject client = result.getJsonObject("client");
    assertThat(client.getString("connectionState", null)).isEqualTo("connected");
    assertThat(client.getString("iceState", null)).isIn("connected", "completed");
    assertThat(client.getString("dtlsState", null)).isEqualTo("connected");
    assertThat(client.getString("codec", null)).isEqualToIgnoringCase("audio/opus");
    assertThat(client.get("opusPayloadType"))
        .as("Opus PT in the browser's stats")
        .isInstanceOf(JsonNumber.class);
    // Opus arrives as its own PT or, from Chromium, as RED over Opus: the server's answer lists RED
    // first, the only order in which libwebrtc sends it (docs/quality.md).
    var opusPts = new java.util.ArrayList<String>();
    opusPts.add(String.valueOf(client.getInt("opusPayloadType")));
    if (client.get("redPayloadType") instanceof JsonNumber red) {
      opusPts.add(String.valueOf(red.intValue()));
    }
    String participantId = result.getString("participantId");
    // Audio layers (issue 15): three sendonly transceivers, of which a new publisher sends only h;
    // m and l stay paused (Chromium honours `active: false`, Firefox gets no track on them).
    JsonArray layers = client.getJsonArray("layers");
    assertThat(layers.stream().map(l -> l.asJsonObject().getString("layer")))
        .as("layers the page publishes")
        .containsExactly("h", "m", "l");
    for (JsonValue value : layers) {
      JsonObject layer = value.asJsonObject();
      boolean best = layer.getString("layer").equals("h");
      assertThat(layer.getBoolean("active")).as("layer %s active", layer).isEqualTo(best);
      if (best) {
        assertThat(layer.getInt("packetsSent")).as("packets of layer h").isPositive();
      } else {
        assertThat(layer.getInt("packetsSent")).as("packets of paused %s", layer).isZero();
      }
    }

    // What the driver read from the server.
    JsonObject reported = result.getJsonObject("server");
    assertThat(reported.getInt("rtpPacketsDecrypted")).isGreaterThanOrEqualTo(MIN_RTP_PACKETS);
    assertThat(reported.getJsonObject("payloadTypes").keySet()).containsAnyElementsOf(opusPts);

    // What this test read from the server itself while the browser was publishing.
    JsonObject publish = run.serverPublish().get();
    assertThat(publish).as("publish transport of %s seen over REST", participantId).isNotNull();
    assertThat(publish.getString("iceState", null)).isEqualTo("connected");
    assertThat(publish.getString("dtlsState", null)).isEqualTo("connected");
    assertThat(publish.getString("srtpProfile", null)).isIn(SRTP_PROFILES);
    assertThat(publish.getInt("rtpPacketsDecrypted")).isGreaterThanOrEqualTo(MIN_RTP_PACKETS);
    JsonObject payloadTypes = publish.getJsonObject("payloadTypes");
    assertThat(opusPts.stream().mapToInt(pt -> payloadTypes.getInt(pt, 0)).sum()).isPositive();

    // The browser is gone: so are its participant and its transport, and every process it started.
    awaitNoTransports();
    assertThat(get(base.resolve("api/rooms/" + roomId)).statusCode()).isEqualTo(404);
    assertThat(run.leftovers()).as("processes left behind by the %s driver", browser).isEmpty();
  }

  private void awaitNoTransports() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> metric(base, "sfu_transports_active", ""), v -> v.isNaN() || v == 0);
  }

  /** The driver's outcome and what this test saw of the server while it ran. */
  private record DriverRun(
      int exitCode,
      JsonObject result,
      AtomicReference<JsonObject> serverPublish,
      List<String> leftovers) {}

  /**
   * The page's address with host 127.0.0.1: Arquillian hands out the machine's address, where the
   * page is not a secure context (no getUserMedia); loopback is one, and keeps all traffic local.
   */
  private static URI onLoopback(URI uri) throws Exception {
    String path = uri.getPath().endsWith("/") ? uri.getPath() : uri.getPath() + "/";
    return new URI(uri.getScheme(), null, "127.0.0.1", uri.getPort(), path, null, null);
  }

  private DriverRun runDriver(String browser, URI pageBase, String roomId) throws Exception {
    Path e2e = Path.of(System.getProperty("e2e.dir", "e2e")).toAbsolutePath();
    Path script = e2e.resolve("publish-" + browser + ".mjs");
    if (!Files.isDirectory(e2e.resolve("node_modules"))) {
      fail(e2e.resolve("node_modules") + " is missing: run `npm ci --prefix e2e` (.ci/run does)");
    }
    Process node;
    try {
      node =
          new ProcessBuilder("node", script.toString(), pageBase.toString(), roomId)
              .directory(e2e.toFile())
              .start();
    } catch (IOException e) {
      return fail("cannot start `node` from PATH (Node 20+ is needed for the browser tests)", e);
    }
    node.getOutputStream().close();
    String tag = "[e2e " + browser + "] ";
    var stdout = new ConcurrentLinkedDeque<String>();
    Thread out = VoiceDriver.pump(node.getInputStream(), tag, stdout);
    Thread err = VoiceDriver.pump(node.getErrorStream(), tag, new ConcurrentLinkedDeque<>());

    var serverPublish = new AtomicReference<JsonObject>();
    Map<ProcessHandle, String> started = new HashMap<>();
    long deadline = System.nanoTime() + DRIVER_TIMEOUT.toNanos();
    while (!node.waitFor(REST_POLL_MS, TimeUnit.MILLISECONDS)) {
      node.descendants()
          .forEach(p -> started.computeIfAbsent(p, q -> q.info().command().orElse("?")));
      // While the browser publishes: once it quits, its PeerConnection's close_notify may close
      // the transport a moment before its WebSocket close removes the participant.
      latestPublish(roomId)
          .filter(publish -> !"closed".equals(publish.getString("iceState", "")))
          .ifPresent(serverPublish::set);
      if (System.nanoTime() > deadline) {
        stop(node);
        fail("%s driver still running after %s; killed it", browser, DRIVER_TIMEOUT);
      }
    }
    out.join(STOP_GRACE.toMillis());
    err.join(STOP_GRACE.toMillis());

    List<String> leftovers = VoiceDriver.leftoversOf(started);
    String json =
        stdout.stream()
            .filter(line -> line.startsWith("{"))
            .reduce((first, second) -> second)
            .orElseGet(
                () -> fail("%s driver printed no JSON (exit %d)", browser, node.exitValue()));
    try (var reader = Json.createReader(new StringReader(json))) {
      return new DriverRun(node.exitValue(), reader.readObject(), serverPublish, leftovers);
    }
  }

  /** The {@code publish} member of the (single) participant in the room, once it exists. */
  private Optional<JsonObject> latestPublish(String roomId) {
    try {
      HttpResponse<String> room = get(base.resolve("api/rooms/" + roomId));
      if (room.statusCode() != 200) {
        return Optional.empty();
      }
      try (var reader = Json.createReader(new StringReader(room.body()))) {
        return reader.readObject().getJsonArray("participants").stream()
            .map(JsonValue::asJsonObject)
            .filter(p -> p.get("publish") instanceof JsonObject)
            .map(p -> p.getJsonObject("publish"))
            .findFirst();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** SIGTERM (the driver then closes its browser and PulseAudio), then SIGKILL for everything. */
  private static void stop(Process node) throws InterruptedException {
    List<ProcessHandle> tree = node.descendants().toList();
    node.destroy();
    if (!node.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
      node.destroyForcibly();
    }
    tree.forEach(ProcessHandle::destroyForcibly);
  }
}
