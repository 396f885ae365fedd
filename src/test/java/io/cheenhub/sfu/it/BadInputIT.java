package io.cheenhub.sfu.it;

import static io.cheenhub.sfu.it.ServerUnderTest.metric;
import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.signaling.MessageCodec;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Hostile and broken input against the real endpoint: every bad frame gets its error code, the
 * sender's connection stays usable where that is safe, and a bystander in the same room notices
 * nothing.
 */
class BadInputIT extends ServerIT {

  /** A bad frame and the error it must produce. */
  private record Bad(String frame, String code, String requestId) {}

  private static Stream<Bad> badFrames() {
    return Stream.of(
        new Bad("this is not json", "malformed-json", null),
        new Bad("{\"type\":\"join\",", "malformed-json", null),
        new Bad("[\"join\"]", "malformed-json", null),
        new Bad("{\"requestId\":\"r1\"}", "missing-type", "r1"),
        new Bad("{\"type\":\"teleport\",\"requestId\":\"r2\"}", "unknown-type", "r2"),
        new Bad("{\"type\":\"participantJoined\",\"requestId\":\"r3\"}", "unexpected-type", "r3"),
        new Bad(
            "{\"type\":\"join\",\"requestId\":\"r4\",\"roomId\":\"bad-room\"}",
            "missing-field",
            "r4"),
        new Bad(
            "{\"type\":\"join\",\"requestId\":\"r5\",\"roomId\":[],\"displayName\":\"X\"}",
            "invalid-field",
            "r5"),
        new Bad("{\"type\":\"ping\",\"requestId\":\"r6\",\"ts\":\"noon\"}", "invalid-field", "r6"),
        new Bad(
            "{\"type\":\"join\",\"requestId\":\"r7\",\"roomId\":\"no spaces\",\"displayName\":\"X\"}",
            "invalid-room-id",
            "r7"),
        new Bad(
            "{\"type\":\"join\",\"requestId\":\"r8\",\"roomId\":\""
                + "a".repeat(101)
                + "\",\"displayName\":\"X\"}",
            "invalid-room-id",
            "r8"),
        new Bad(
            "{\"type\":\"join\",\"requestId\":\"r9\",\"roomId\":\"ok\",\"displayName\":\"  \"}",
            "invalid-display-name",
            "r9"),
        new Bad(
            "{\"type\":\"join\",\"requestId\":\"r10\",\"roomId\":\"ok\",\"displayName\":\""
                + "n".repeat(65)
                + "\"}",
            "invalid-display-name",
            "r10"),
        new Bad(
            "{\"type\":\"leave\",\"requestId\":\"r12\",\"roomId\":\"elsewhere\"}",
            "not-joined",
            "r12"),
        // 70 000 characters: over the 65 536 limit, under twice the limit: answered, not closed.
        new Bad(
            "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70_000) + "\"}", "frame-too-large", null));
  }

  @Test
  void everyBadFrameGetsItsErrorAndNobodyElseNotices() throws Exception {
    WsClient bystander = connect();
    WsClient sender = connect();
    bystander.join("bad-input", "Bystander");
    String senderId = sender.join("bad-input", "Sender").getString("participantId");
    bystander.next("participantJoined");
    double errorsBefore = metric(base, "sfu_signaling_errors_total", "code=\"malformed-json\"");

    for (Bad bad : badFrames().toList()) {
      sender.send(bad.frame());
      JsonObject error = sender.next("error");
      assertThat(error.getString("code")).as("reply to %.80s", bad.frame()).isEqualTo(bad.code());
      assertThat(error.getString("message")).isNotBlank();
      if (bad.requestId() == null) {
        assertThat(error.containsKey("requestId")).isFalse();
      } else {
        assertThat(error.getString("requestId")).isEqualTo(bad.requestId());
      }
    }

    // Leave without join, from a connection in no room.
    WsClient outsider = connect();
    outsider.send("{\"type\":\"leave\",\"requestId\":\"r11\"}");
    JsonObject notJoined = outsider.next("error");
    assertThat(notJoined.getString("code")).isEqualTo("not-joined");
    assertThat(notJoined.getString("requestId")).isEqualTo("r11");

    // A double join of the same room is refused; the membership is intact.
    sender.send(
        "{\"type\":\"join\",\"requestId\":\"again\",\"roomId\":\"bad-input\",\"displayName\":\"Sender\"}");
    assertThat(sender.next("error").getString("code")).isEqualTo("already-joined");

    // The sender's connection still works, and the bystander heard none of it.
    sender.send("{\"type\":\"ping\",\"requestId\":\"alive\"}");
    assertThat(sender.next("pong").getString("requestId")).isEqualTo("alive");
    bystander.assertSilent(Duration.ofMillis(300));
    assertThat(metric(base, "sfu_signaling_errors_total", "code=\"malformed-json\""))
        .isEqualTo(errorsBefore + 3);

    sender.send("{\"type\":\"leave\"}");
    sender.next("left");
    JsonObject gone = bystander.next("participantLeft");
    assertThat(gone.getString("participantId")).isEqualTo(senderId);
    bystander.assertSilent(Duration.ofMillis(300));
  }

  @Test
  void aFrameBeyondTwiceTheLimitClosesOnlyThatConnection() throws Exception {
    WsClient bystander = connect();
    WsClient huge = connect();
    bystander.join("huge", "Bystander");
    String hugeId = huge.join("huge", "Huge").getString("participantId");
    bystander.next("participantJoined");

    try {
      huge.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(200_000) + "\"}");
    } catch (CompletionException e) {
      // The server may close while the frame is still being written.
    }

    assertThat(huge.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1009);
    JsonObject gone = bystander.next("participantLeft");
    assertThat(gone.getString("participantId")).isEqualTo(hugeId);
    assertThat(gone.getString("reason")).isEqualTo("disconnect");
  }

  @Test
  void floodingIsRefusedThenTheConnectionIsClosed() throws Exception {
    WsClient bystander = connect();
    bystander.join("flood", "Bystander");
    double refusedBefore = metric(base, "sfu_signaling_errors_total", "code=\"rate-limited\"");

    // Default limit: 100 messages per second with a burst of 100, and 200 refusals in 10 s close
    // the socket. 1 000 pings in one TCP write arrive faster than any refill.
    try (var flooder = new RawWebSocket(ServerUnderTest.webSocket(base))) {
      List<String> pings = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        pings.add("{\"type\":\"ping\",\"requestId\":\"f" + i + "\"}");
      }
      long start = System.nanoTime();
      flooder.sendAll(pings);
      List<RawWebSocket.Frame> frames = flooder.readUntilClose();
      double seconds = (System.nanoTime() - start) / 1e9;

      RawWebSocket.Frame close = frames.get(frames.size() - 1);
      assertThat(close.closeCode()).isEqualTo(1008);
      assertThat(close.text()).isEqualTo("rate limit exceeded");
      List<String> texts = frames.stream().filter(f -> f.opcode() == 1).map(f -> f.text()).toList();
      long pongs = texts.stream().filter(t -> t.contains("\"type\":\"pong\"")).count();
      List<String> errors = texts.stream().filter(t -> t.contains("\"type\":\"error\"")).toList();
      // The burst of 100, plus at most what the bucket refilled (100/s) before the close.
      assertThat(pongs).isBetween(100L, 100L + (long) Math.ceil(100 * seconds) + 1);
      // Refusals are answered once per window, so a flood is not answered with a flood.
      assertThat(errors).singleElement().asString().contains("\"code\":\"rate-limited\"");
    }

    // The bystander in the same room was never affected.
    bystander.send("{\"type\":\"ping\",\"requestId\":\"calm\"}");
    assertThat(bystander.next("pong").getString("requestId")).isEqualTo("calm");
    assertThat(metric(base, "sfu_signaling_errors_total", "code=\"rate-limited\""))
        .isGreaterThanOrEqualTo(refusedBefore + 200);
  }

  /** {@code sfu.signaling.max-frame-bytes} in the test server: the default, 64 KiB. */
  private static final int LIMIT = 65_536;

  private static String publishOffer(String requestId, String sdp) {
    return "{\"type\":\"publishOffer\",\"requestId\":\""
        + requestId
        + "\",\"sdp\":\""
        + sdp.replace("\r", "\\r").replace("\n", "\\n")
        + "\"}";
  }

  private static String sdpHead() {
    return "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
        + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n";
  }

  /** Asserts the next error's code and requestId, then that the connection still answers. */
  private static void assertRefused(RawWebSocket ws, String what, String code, String requestId)
      throws Exception {
    String error = ws.next("error");
    assertThat(error).as(what).contains("\"code\":\"" + code + "\"");
    if (requestId != null) {
      assertThat(error).as(what).contains("\"requestId\":\"" + requestId + "\"");
    }
    ws.send("{\"type\":\"ping\",\"requestId\":\"after-" + requestId + "\"}");
    assertThat(ws.next("pong")).as(what).contains("after-" + requestId);
  }

  @Test
  void oversizedAndHugeSdpGetTheirErrorAndTheConnectionStaysUsable() throws Exception {
    try (var ws = new RawWebSocket(ServerUnderTest.webSocket(base))) {
      ws.send("{\"type\":\"join\",\"requestId\":\"j\",\"roomId\":\"big\",\"displayName\":\"B\"}");
      ws.next("joined");

      // 10 000 attributes: 50 000 characters with LF line ends fit the frame and reach the SDP
      // parser (at most 4 096 lines); with CRLF (70 000 characters) the frame is too large.
      ws.send(publishOffer("attrs-lf", sdpHead() + "a=x\n".repeat(10_000)));
      assertRefused(ws, "10 000 attributes, LF", "sdp-malformed", "attrs-lf");
      ws.send(publishOffer("attrs-crlf", sdpHead() + "a=x\r\n".repeat(10_000)));
      assertRefused(ws, "10 000 attributes, CRLF", "frame-too-large", "attrs-crlf");

      // A 64 KiB candidate line: over the limit, under twice it.
      ws.send(publishOffer("candidate", sdpHead() + "a=candidate:" + "1".repeat(65_536) + "\r\n"));
      assertRefused(ws, "64 KiB candidate line", "frame-too-large", "candidate");
      // A long trickled candidate within the limit is an invalid candidate, not a crash.
      ws.send(
          "{\"type\":\"publishIce\",\"requestId\":\"ice\",\"candidate\":\"candidate:"
              + "1".repeat(60_000)
              + "\"}");
      assertRefused(ws, "60 000 character trickled candidate", "invalid-candidate", "ice");

      // Just under twice the limit, for every client message type: answered, not closed.
      for (String type : MessageCodec.clientTypes()) {
        String head = "{\"type\":\"" + type + "\",\"requestId\":\"big-" + type + "\",\"pad\":\"";
        String frame = head + "x".repeat(2 * LIMIT - head.length() - 2) + "\"}";
        assertThat(frame).hasSize(2 * LIMIT);
        ws.send(frame);
        assertRefused(ws, type + " at twice the limit", "frame-too-large", "big-" + type);
      }

      // The same, fragmented (RFC 6455 §5.4): reassembled by the container, then refused.
      ws.sendFragmented(publishOffer("fragments", sdpHead() + "a=x\r\n".repeat(10_000)), 16_384);
      assertRefused(ws, "fragmented 70 000 characters", "frame-too-large", "fragments");
    }
  }

  @Test
  void aMegabyteOfSdpClosesWith1009() throws Exception {
    try (var ws = new RawWebSocket(ServerUnderTest.webSocket(base))) {
      ws.send(publishOffer("mb", sdpHead() + "a=x\r\n".repeat(200_000)));
      List<RawWebSocket.Frame> frames = ws.readUntilClose();
      assertThat(frames.get(frames.size() - 1).closeCode()).isEqualTo(1009);
      assertThat(frames).noneMatch(f -> f.opcode() == 1 && f.text().contains("\"error\""));
    }
    // Fragmented: the container's own buffer (setMaxTextMessageBufferSize) closes it.
    try (var ws = new RawWebSocket(ServerUnderTest.webSocket(base))) {
      ws.sendFragmented(publishOffer("mb", sdpHead() + "a=x\r\n".repeat(200_000)), 16_384);
      List<RawWebSocket.Frame> frames = ws.readUntilClose();
      assertThat(frames.get(frames.size() - 1).closeCode()).isEqualTo(1009);
    } catch (java.net.SocketException e) {
      // The server may reset while the rest of the message is still being written.
    }
  }
}
