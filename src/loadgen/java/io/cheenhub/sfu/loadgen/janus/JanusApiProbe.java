package io.cheenhub.sfu.loadgen.janus;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A smoke check that a Janus started by src/loadgen/janus/janus-netns.sh takes the load generator's
 * signaling, with made-up audio-only SDP and no media: a publisher joins and gets an answer; a
 * subscriber is refused that feed (Janus wants the publisher's PeerConnection up first) and then
 * subscribes to the always-up dummy publisher of a second room instead; the Admin API counts the
 * handles; everything is torn down again. Exits 0 on success, 1 with the error.
 *
 * <pre>
 * java -cp target/cheenhub-loadgen.jar io.cheenhub.sfu.loadgen.janus.JanusApiProbe \
 *     http://10.203.0.2:8088/janus http://10.203.0.2:7088/admin [admin secret] [bot address]
 * </pre>
 */
public final class JanusApiProbe {

  private static final SecureRandom RANDOM = new SecureRandom();

  private JanusApiProbe() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: JanusApiProbe JANUS_URL ADMIN_URL [ADMIN_SECRET] [BOT_ADDRESS]");
      System.exit(2);
    }
    String secret = args.length > 2 ? args[2] : "janusoverlord";
    String bot = args.length > 3 ? args[3] : "10.203.0.1";
    try (JanusApi api = new JanusApi(URI.create(args[0]), URI.create(args[1]), secret)) {
      probe(api, bot);
    } catch (Exception e) {
      System.out.println("janus-probe: FAILED: " + e);
      System.exit(1);
    }
  }

  private static void probe(JanusApi api, String bot) throws Exception {
    long room = 100_000 + RANDOM.nextInt(900_000);
    long placeholderRoom = room + 1_000_000;
    try (JanusApi.Session publisherSession = api.createSession();
        JanusApi.Session subscriberSession = api.createSession()) {
      say("sessions " + unsigned(publisherSession.id()) + ", " + unsigned(subscriberSession.id()));
      api.createRoom(publisherSession, room, 10);
      say("room " + room + " created");
      try {
        JanusApi.Handle publisher = publisherSession.attachVideoRoom();
        long feed = publisher.joinPublisher(room, "probe-pub");
        say("publisher handle " + unsigned(publisher.id()) + " joined, feed " + unsigned(feed));
        String answer = publisher.configure(offer(bot));
        say("publisher answer: " + summary(answer));
        require(answer, "a=setup:passive");
        require(answer, "a=mid:0");
        require(answer, "a=candidate:");

        // Janus only lets subscribers join a feed whose PeerConnection is up (webrtcup).
        JanusApi.Handle subscriber = subscriberSession.attachVideoRoom();
        try {
          subscriber.joinSubscriber(room, List.of(feed));
          throw new IllegalStateException("Janus let a subscriber join a feed before its webrtcup");
        } catch (JanusException e) {
          say("subscriber join before the publisher's webrtcup refused as expected: " + e.reason());
        }

        // A room with Janus's dummy publisher gives a feed that is always up.
        long placeholderFeed = placeholderFeed(api, publisherSession, placeholderRoom);
        say("room " + placeholderRoom + " created, dummy feed " + unsigned(placeholderFeed));
        JanusApi.Subscription subscription =
            subscriber.joinSubscriber(placeholderRoom, List.of(placeholderFeed));
        say(
            "subscriber handle "
                + unsigned(subscriber.id())
                + " attached, streams "
                + subscription.streams()
                + ", offer: "
                + summary(subscription.offerSdp()));
        require(subscription.offerSdp(), "a=setup:actpass");
        subscriber.start(answer(bot, subscription.streams().get(0).mid()));
        say("subscriber started");

        say("admin: " + api.adminStats());
        subscriber.detach();
        publisher.detach();
      } finally {
        api.destroyRoom(publisherSession, room);
        try {
          api.destroyRoom(publisherSession, placeholderRoom);
        } catch (JanusException e) {
          // Not created.
        }
        say("rooms destroyed");
      }
    }
    say("OK");
  }

  /** Creates a room with a dummy publisher and returns that publisher's feed id. */
  private static long placeholderFeed(JanusApi api, JanusApi.Session session, long room)
      throws IOException {
    api.controlRequest(
        session,
        Json.createObjectBuilder()
            .add("request", "create")
            .add("room", room)
            .add("audiocodec", "opus")
            .add("permanent", false)
            .add("dummy_publisher", true)
            .add(
                "dummy_streams",
                Json.createArrayBuilder().add(Json.createObjectBuilder().add("codec", "opus"))),
        "create room " + room + " with a dummy publisher");
    JsonObject participants =
        api.controlRequest(
            session,
            Json.createObjectBuilder().add("request", "listparticipants").add("room", room),
            "list participants of room " + room);
    for (JsonValue participant : participants.getJsonArray("participants")) {
      JsonObject p = participant.asJsonObject();
      if (p.getBoolean("dummy", false)) {
        return p.getJsonNumber("id").bigIntegerValue().longValue();
      }
    }
    throw new IOException("no dummy publisher in room " + room + ": " + participants);
  }

  /** A minimal audio-only publisher offer: DTLS client, bundled, rtcp-mux, one host candidate. */
  private static String offer(String bot) {
    return sdp(bot, "0", "sendonly", "a=ssrc:" + (RANDOM.nextInt() & 0x7fffffff) + " cname:probe");
  }

  /** The subscriber's answer to Janus's offer. */
  private static String answer(String bot, String mid) {
    return sdp(bot, mid, "recvonly", null);
  }

  private static String sdp(String bot, String mid, String direction, String ssrc) {
    byte[] fingerprint = new byte[32];
    RANDOM.nextBytes(fingerprint);
    StringBuilder sdp =
        new StringBuilder()
            .append("v=0\r\n")
            .append("o=- ")
            .append(RANDOM.nextLong() & Long.MAX_VALUE)
            .append(" 1 IN IP4 ")
            .append(bot)
            .append("\r\n")
            .append("s=-\r\nt=0 0\r\n")
            .append("a=group:BUNDLE ")
            .append(mid)
            .append("\r\n")
            .append("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n")
            .append("c=IN IP4 0.0.0.0\r\n")
            .append("a=ice-ufrag:")
            .append(HexFormat.of().formatHex(randomBytes(4)))
            .append("\r\n")
            .append("a=ice-pwd:")
            .append(HexFormat.of().formatHex(randomBytes(12)))
            .append("\r\n")
            .append("a=fingerprint:sha-256 ")
            .append(HexFormat.ofDelimiter(":").withUpperCase().formatHex(fingerprint))
            .append("\r\n")
            .append("a=setup:active\r\n")
            .append("a=mid:")
            .append(mid)
            .append("\r\n")
            .append("a=")
            .append(direction)
            .append("\r\n")
            .append("a=rtcp-mux\r\n")
            .append("a=rtpmap:111 opus/48000/2\r\n");
    if (ssrc != null) {
      sdp.append(ssrc).append("\r\n");
    }
    return sdp.append("a=candidate:1 1 udp 2130706431 ")
        .append(bot)
        .append(" 45000 typ host\r\n")
        .append("a=end-of-candidates\r\n")
        .toString();
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** The SDP lines that matter here: setup, direction, mid, codecs and candidates. */
  private static String summary(String sdp) {
    return sdp.lines()
        .filter(
            line ->
                line.startsWith("c=")
                    || line.startsWith("a=setup")
                    || line.startsWith("a=mid")
                    || line.startsWith("a=rtpmap")
                    || line.startsWith("a=candidate")
                    || line.matches("a=(sendonly|recvonly|sendrecv|inactive)"))
        .collect(Collectors.joining(" | "));
  }

  private static void require(String sdp, String line) {
    if (!sdp.contains(line)) {
      throw new IllegalStateException("no " + line + " in SDP:\n" + sdp);
    }
  }

  private static String unsigned(long id) {
    return Long.toUnsignedString(id);
  }

  private static void say(String line) {
    System.out.println("janus-probe: " + line);
  }
}
