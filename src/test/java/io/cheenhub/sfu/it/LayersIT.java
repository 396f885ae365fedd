package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cheenhub.sfu.loadgen.bot.Bot;
import io.cheenhub.sfu.loadgen.peer.MediaLoop;
import io.cheenhub.sfu.loadgen.relay.Impairment;
import io.cheenhub.sfu.loadgen.relay.ImpairmentRelay;
import io.cheenhub.sfu.loadgen.signal.SfuSignaling;
import io.cheenhub.sfu.loadgen.stats.StreamStats;
import io.cheenhub.sfu.transport.dtls.DtlsCertificate;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's Java-peer proof of audio layers chosen per listener, against the deployed WAR over
 * real UDP, DTLS and SRTP: a load-generator bot publishes standard simulcast (RFC 8853: rids h, m,
 * l on one m-line) and talks without pause; two listener bots send receiver reports every second.
 * One listener's downlink goes through the impairment relay, which then drops 30 % of what the
 * server sends it. That listener must end on {@code l} (server stats, the {@code receiveLayers}
 * message, and the payloads it receives on its one SSRC) while the other stays on {@code h}; the
 * server must have asked the publisher for the lower layers ({@code layersUpdate}) and, once they
 * are no longer needed, pause them again after its 5 s hold.
 */
class LayersIT extends ServerIT {

  private static final String ROOM = "layers";

  /** {@code LayerPauses.PAUSE_AFTER_NANOS}: a layer nobody needs is paused after this long. */
  private static final Duration PAUSE_HOLD = Duration.ofSeconds(5);

  /** Receiver reports every second: the selector gets loss evidence at each quality tick. */
  private static final Duration REPORT_INTERVAL = Duration.ofSeconds(1);

  /** How much of the impaired listener's downlink the relay drops. */
  private static final double DOWNLINK_LOSS = 0.30;

  /** How long the received payloads are sampled to judge a layer. */
  private static final Duration WINDOW = Duration.ofSeconds(3);

  private static final int H = 0;
  private static final int M = 1;
  private static final int L = 2;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ExecutorService work = Executors.newCachedThreadPool();
  private final ExecutorService handshakes = Executors.newCachedThreadPool();
  private final DtlsCertificate certificate = DtlsCertificate.generate();
  private final AtomicReference<ImpairmentRelay> relay = new AtomicReference<>();

  @Test
  void anImpairedListenerEndsOnTheLowLayerWhileTheOtherStaysOnTheHighOne() throws Exception {
    // Closed last, after the bots left and their loop stopped.
    closeAfterTest(
        () -> {
          ImpairmentRelay started = relay.get();
          if (started != null) {
            started.close();
          }
          work.shutdownNow();
          handshakes.shutdownNow();
        });
    MediaLoop loop = closeAfterTest(new MediaLoop("layers-it-media"));
    Bot speaker =
        bot(loop, 0, "Speaker", true, Bot.Config.DEFAULT.withLayers(true).withTalkSpurts(false));
    Bot.Config listener = Bot.Config.DEFAULT.withReceiverReports(REPORT_INTERVAL);
    Bot clear = bot(loop, 1, "Clear", false, listener);
    Bot impaired =
        bot(loop, 2, "Impaired", false, listener.withSubscribeVia(this::throughTheRelay));
    for (Bot bot : List.of(speaker, clear, impaired)) {
      bot.connect();
      assertThat(bot.state()).as("%s", bot).isEqualTo(Bot.State.CONNECTED);
    }
    assertThat(relay.get()).as("the impaired listener's path goes through the relay").isNotNull();
    String speakerId = participantId("Speaker");

    // A new publisher sends h only; both listeners receive it.
    await()
        .atMost(Duration.ofSeconds(15))
        .ignoreExceptions() // the stats have no downlink (null) until the first reports
        .untilAsserted(
            () -> {
              assertThat(stream("Clear", speakerId).getString("layer")).isEqualTo("h");
              assertThat(stream("Impaired", speakerId).getString("layer")).isEqualTo("h");
            });
    assertThat(speaker.layersRequests()).isNotEmpty().first().matches(r -> r.mask() == 0b001);
    StreamStats.Totals impairedAtStart = impaired.heardTotals(speaker.index());

    // 30 % of the server → listener datagrams are lost: sustained heavy loss steps down.
    long impairedAt = System.nanoTime();
    relay.get().set(ImpairmentRelay.Direction.DOWN, Impairment.NONE.withLoss(DOWNLINK_LOSS));
    await()
        .atMost(Duration.ofSeconds(25))
        .untilAsserted(
            () -> {
              JsonObject stream = stream("Impaired", speakerId);
              assertThat(stream.getString("targetLayer")).isEqualTo("l");
              assertThat(stream.getString("layer")).isEqualTo("l");
            });
    System.out.printf(
        "layers: impaired listener on l %d ms after 30 %% downlink loss began%n",
        (System.nanoTime() - impairedAt) / 1_000_000);

    // What each listener receives now, from the payloads on its one SSRC for the speaker.
    StreamStats.Totals clearBefore = clear.heardTotals(speaker.index());
    StreamStats.Totals impairedBefore = impaired.heardTotals(speaker.index());
    Thread.sleep(WINDOW.toMillis());
    Received onL = Received.between(impairedBefore, impaired.heardTotals(speaker.index()));
    Received onH = Received.between(clearBefore, clear.heardTotals(speaker.index()));
    System.out.println("layers: impaired listener received " + onL + ", clear listener " + onH);
    // l is 16 kbit/s: 40-byte Opus frames (30–50), of which the relay drops 30 %.
    assertThat(onL.packets(L)).as("impaired: l packets").isEqualTo(onL.packets());
    assertThat(onL.meanPayloadBytes()).as("impaired: bytes per packet").isBetween(30.0, 50.0);
    assertThat(onL.delivered()).as("impaired: frames delivered").isBetween(0.55, 0.85);
    // h is 64 kbit/s: 160-byte frames (120–200), every frame the speaker sent. (The packet rate
    // itself is the speaker's: 50 a second on a quiet machine, fewer when its loop is starved.)
    assertThat(onH.packets(H)).as("clear: h packets").isEqualTo(onH.packets());
    assertThat(onH.meanPayloadBytes()).as("clear: bytes per packet").isBetween(140.0, 180.0);
    assertThat(onH.delivered()).as("clear: frames delivered").isGreaterThanOrEqualTo(0.97);
    // One SSRC per speaker whatever the layer, and every switch was seen in the payloads.
    StreamStats.Totals impairedNow = impaired.heardTotals(speaker.index());
    assertThat(impairedNow.ssrc()).isEqualTo(impairedAtStart.ssrc());
    assertThat(impairedNow.ssrcChanges()).isZero();
    assertThat(impairedNow.layerChanges()).isGreaterThanOrEqualTo(1);

    JsonObject impairedStream = stream("Impaired", speakerId);
    JsonObject clearStream = stream("Clear", speakerId);
    assertThat(impairedStream.getJsonNumber("layerSwitches").longValue())
        .as("impaired: h → m → l, one switch a step")
        .isEqualTo(impairedNow.layerChanges())
        .isBetween(1L, 2L);
    assertThat(clearStream.getString("layer")).isEqualTo("h");
    assertThat(clearStream.getString("targetLayer")).isEqualTo("h");
    assertThat(clearStream.getJsonNumber("layerSwitches").longValue()).isZero();
    assertThat(impaired.receiverReportsSent()).as("the evidence: receiver reports").isPositive();
    assertThat(impaired.receivedLayers()).containsEntry(speakerId, "l");
    assertThat(clear.receivedLayers()).containsEntry(speakerId, "h");
    // The speaker was asked for l (and m on the way, when the selector stepped through it).
    assertThat(speaker.layersRequests()).anyMatch(r -> (r.mask() & (1 << L)) != 0);
    if (impairedStream.getJsonNumber("layerSwitches").longValue() == 2) {
      assertThat(speaker.layersRequests()).anyMatch(r -> (r.mask() & (1 << M)) != 0);
    }

    // m is needed by nobody now: paused after the hold, while h (clear) and l (impaired) stay.
    await()
        .atMost(PAUSE_HOLD.plusSeconds(5))
        .untilAsserted(() -> assertThat(lastMask(speaker)).isEqualTo(0b101));
    assertThat(sending(speakerId)).containsExactly("h", "l");
    assertStopped(speaker, M);

    // The impaired listener leaves: l is needed by nobody either, and paused after the hold.
    long leftAt = System.nanoTime();
    impaired.leave();
    await()
        .atMost(PAUSE_HOLD.plusSeconds(5))
        .untilAsserted(() -> assertThat(lastMask(speaker)).isEqualTo(0b001));
    Bot.LayersRequest paused = speaker.layersRequests().get(speaker.layersRequests().size() - 1);
    assertThat(Duration.ofNanos(paused.atNanos() - leftAt))
        .as("l paused this long after the listener left")
        .isGreaterThanOrEqualTo(PAUSE_HOLD);
    assertThat(sending(speakerId)).containsExactly("h");
    assertStopped(speaker, L);
    assertThat(stream("Clear", speakerId).getString("layer")).isEqualTo("h");
    assertThat(stream("Clear", speakerId).getJsonNumber("layerSwitches").longValue()).isZero();
  }

  private Bot bot(MediaLoop loop, int index, String name, boolean talker, Bot.Config config)
      throws IOException {
    var signaling = new SfuSignaling(http, ServerUnderTest.webSocket(base), work);
    var bot =
        new Bot(
            index,
            3,
            ROOM,
            name,
            talker,
            signaling,
            loop,
            new Bot.LoopStats(),
            InetAddress.getLoopbackAddress(),
            certificate,
            handshakes,
            config);
    closeAfterTest(bot::leave);
    return bot;
  }

  /**
   * The relay in front of {@code server}, started when the impaired listener's subscribe offer
   * names the server (a signaling thread; the test closes it).
   */
  private InetSocketAddress throughTheRelay(InetSocketAddress server) {
    try {
      var started =
          new ImpairmentRelay(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), server);
      if (!relay.compareAndSet(null, started)) {
        started.close();
        throw new IllegalStateException("a second subscribe transport for the impaired listener");
      }
      return started.address();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The publisher sends a layer no more: after the frame that may have been under way when the
   * request came (20 ms), its count stays put.
   */
  private static void assertStopped(Bot speaker, int layer) throws InterruptedException {
    Thread.sleep(100);
    long before = speaker.packetsSent(layer);
    Thread.sleep(500);
    assertThat(speaker.packetsSent(layer)).as("layer %d packets sent", layer).isEqualTo(before);
  }

  private static int lastMask(Bot speaker) {
    List<Bot.LayersRequest> requests = speaker.layersRequests();
    return requests.isEmpty() ? -1 : requests.get(requests.size() - 1).mask();
  }

  private JsonObject roomStats() throws Exception {
    String body = ServerUnderTest.get(base.resolve("api/rooms/" + ROOM + "/stats")).body();
    try (var reader = Json.createReader(new StringReader(body))) {
      return reader.readObject();
    }
  }

  private JsonObject participant(String displayName) throws Exception {
    for (JsonValue value : roomStats().getJsonArray("participants")) {
      JsonObject participant = value.asJsonObject();
      if (participant.getString("displayName").equals(displayName)) {
        return participant;
      }
    }
    throw new AssertionError("no participant " + displayName + " in " + roomStats());
  }

  private String participantId(String displayName) throws Exception {
    return participant(displayName).getString("participantId");
  }

  /** The stream {@code listener} receives from {@code publisherId}, per the server's stats. */
  private JsonObject stream(String listener, String publisherId) throws Exception {
    JsonObject downlink = participant(listener).getJsonObject("downlink");
    for (JsonValue value : downlink.getJsonArray("streams")) {
      JsonObject stream = value.asJsonObject();
      if (stream.getString("publisherId").equals(publisherId)) {
        return stream;
      }
    }
    throw new AssertionError("no stream from " + publisherId + " to " + listener);
  }

  /** The layers the server asks {@code publisherId} to send now. */
  private List<String> sending(String publisherId) throws Exception {
    for (JsonValue value : roomStats().getJsonArray("participants")) {
      JsonObject participant = value.asJsonObject();
      if (participant.getString("participantId").equals(publisherId)) {
        return participant.getJsonObject("layers").getJsonArray("sending").stream()
            .map(v -> ((JsonString) v).getString())
            .toList();
      }
    }
    throw new AssertionError("no publisher " + publisherId);
  }

  /**
   * What a listener received from one speaker between two readings of its stream totals: packets
   * per layer, their payload, the frames the speaker stamped meanwhile, the time between the last
   * arrivals.
   */
  private record Received(
      long[] packetsByLayer, long payloadBytes, long framesStamped, double seconds) {

    static Received between(StreamStats.Totals before, StreamStats.Totals after) {
      long[] packets = new long[StreamStats.LAYERS];
      for (int i = 0; i < packets.length; i++) {
        packets[i] = after.packetsByLayer()[i] - before.packetsByLayer()[i];
      }
      return new Received(
          packets,
          after.payloadBytes() - before.payloadBytes(),
          after.highestSequence() - before.highestSequence(),
          (after.lastArrivalNanos() - before.lastArrivalNanos()) / 1e9);
    }

    long packets(int layer) {
      return packetsByLayer[layer];
    }

    long packets() {
      long total = 0;
      for (long count : packetsByLayer) {
        total += count;
      }
      return total;
    }

    double meanPayloadBytes() {
      return packets() == 0 ? 0 : (double) payloadBytes / packets();
    }

    /** The share of the speaker's frames that arrived (each frame is one packet here). */
    double delivered() {
      return framesStamped <= 0 ? 0 : (double) packets() / framesStamped;
    }

    double packetsPerSecond() {
      return seconds <= 0 ? 0 : packets() / seconds;
    }

    @Override
    public String toString() {
      return String.format(
          "%d packets (h/m/l %d/%d/%d) of %d frames in %.1f s, %.1f/s, %.1f bytes each",
          packets(),
          packetsByLayer[H],
          packetsByLayer[M],
          packetsByLayer[L],
          framesStamped,
          seconds,
          packetsPerSecond(),
          meanPayloadBytes());
    }
  }
}
