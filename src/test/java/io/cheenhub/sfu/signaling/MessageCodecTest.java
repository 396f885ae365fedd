package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MessageCodecTest {

  private static final int MAX_FRAME = 1_000;
  private static final Jsonb JSONB = JsonbBuilder.create();
  private final MessageCodec codec = new MessageCodec(MAX_FRAME);

  static Stream<Message.ClientMessage> clientMessages() {
    return Stream.of(
        new Message.Join("r1", "team-standup", "Ada", null, null, null),
        new Message.Join(null, "a", "Ünïcødé 名前 🎧", null, null, null),
        new Message.Leave("r2", "team-standup"),
        new Message.Leave(null, null),
        new Message.Ping("r3", 1_795_000_000_000L),
        new Message.Ping(null, null),
        new Message.Join("r4", "team-standup", "Ada", "0uD3tok", null, null),
        new Message.Subscribe("r5", null),
        new Message.ConsumeAnswer(null, "team-standup", "v=0\r\n"),
        new Message.ConsumeIce("r6", null, "candidate:1 1 udp 1 127.0.0.1 9 typ host", "a1", 0),
        new Message.PublishOffer("r7", "team-standup", "v=0\r\n", null),
        new Message.PublishOffer(
            "r8",
            null,
            "v=0\r\n",
            List.of(new Message.MidLayer("0", "h"), new Message.MidLayer("1", "m"))),
        new Message.SetLayerPreference("r9", null, "l", null),
        new Message.SetMuted("r11", null, true),
        new Message.SetMuted(null, "team-standup", false),
        new Message.SetLayerPreference("r10", "team-standup", "m", "p-ada"));
  }

  @ParameterizedTest
  @MethodSource("clientMessages")
  void everyClientMessageRoundTrips(Message.ClientMessage message) throws Exception {
    String json = codec.encode(message);

    assertThat(json).startsWith("{\"type\":\"" + MessageCodec.typeOf(message) + "\"");
    assertThat(codec.decode(json)).isEqualTo(message);
  }

  static Stream<Message.ServerMessage> serverMessages() {
    var ada = new Message.ParticipantInfo("p-ada", "Ada", "medium", null);
    var eve = new Message.ParticipantInfo("p-eve", "Eve", null, true);
    return Stream.of(
        new Message.Joined("r1", "room", "p-bob", List.of(ada, eve), "tok", false, null),
        new Message.Joined(null, "room", "p-bob", List.of(), "tok2", true, null),
        new Message.Joined(
            "r1",
            "room",
            "p-bob",
            List.of(),
            "tok3",
            false,
            List.of(
                new Message.IceServer(
                    List.of("turn:t.example:3478?transport=udp", "turns:t.example:5349"),
                    "1795000000:p-bob",
                    "c2VjcmV0"))),
        new Message.ConsumeOffer("r5", "room", "v=0\r\n"),
        new Message.TrackAdded("room", "p-ada", "p-ada", "audio", "a1"),
        new Message.TrackRemoved("room", "p-ada", "p-ada", "a1"),
        new Message.Left("r2", "room"),
        new Message.ParticipantJoined("room", ada),
        new Message.ParticipantLeft("room", "p-ada", "timeout"),
        new Message.Pong("r3", 42L, 1_795_000_000_000L),
        new Message.QualityUpdate("room", "p-ada", "low", 16),
        new Message.LayersUpdate("room", Map.of("h", true, "m", false)),
        new Message.ReceiveLayers("room", Map.of("p-ada", "m")),
        new Message.LayerPreference("r9", "room", "l", null),
        new Message.ParticipantMuted("r11", "room", "p-ada", true),
        new Message.ParticipantMuted(null, "room", "p-ada", false),
        new Message.ActiveSpeakers(
            "room",
            List.of(new Message.SpeakerSlot(0, "p-ada", 31), new Message.SpeakerSlot(1, null, 0)),
            "p-ada"),
        new Message.ErrorMessage("r4", "room-full", "room is full"),
        new Message.ErrorMessage(null, "malformed-json", "frame is not valid JSON"));
  }

  @ParameterizedTest
  @MethodSource("serverMessages")
  void everyServerMessageRoundTripsThroughJsonb(Message.ServerMessage message) throws Exception {
    String json = codec.encode(message);

    assertThat(JSONB.fromJson(json, Message.class)).isEqualTo(message);
  }

  @Test
  void absentOptionalFieldsAreLeftOut() {
    assertThat(codec.encode(new Message.Leave(null, null))).isEqualTo("{\"type\":\"leave\"}");
  }

  @Test
  void errorsCarryTheirWireType() {
    assertThat(codec.encode(new Message.ErrorMessage("7", "room-full", "full")))
        .isEqualTo(
            "{\"type\":\"error\",\"code\":\"room-full\",\"message\":\"full\",\"requestId\":\"7\"}");
  }

  @Test
  void everyClientTypeHasASchemaAndFollowsTheNamingRule() {
    var permitted =
        Arrays.stream(Message.ClientMessage.class.getPermittedSubclasses())
            .map(
                c ->
                    Character.toLowerCase(c.getSimpleName().charAt(0))
                        + c.getSimpleName().substring(1))
            .sorted()
            .toList();
    var aliases =
        Arrays.stream(Message.class.getAnnotation(JsonbTypeInfo.class).value())
            .filter(s -> Message.ClientMessage.class.isAssignableFrom(s.type()))
            .map(s -> s.alias())
            .sorted()
            .toList();

    assertThat(MessageCodec.clientTypes()).isEqualTo(permitted).isEqualTo(aliases);
  }

  static Stream<Arguments> malformedFrames() {
    return Stream.of(
        Arguments.of("not json", ErrorCode.MALFORMED_JSON, null),
        Arguments.of("{\"type\":\"join\"", ErrorCode.MALFORMED_JSON, null),
        Arguments.of("", ErrorCode.MALFORMED_JSON, null),
        Arguments.of("[1,2]", ErrorCode.MALFORMED_JSON, null),
        Arguments.of("\"join\"", ErrorCode.MALFORMED_JSON, null),
        Arguments.of("null", ErrorCode.MALFORMED_JSON, null),
        Arguments.of("{\"roomId\":\"a\"}", ErrorCode.MISSING_TYPE, null),
        Arguments.of("{\"type\":null,\"requestId\":\"9\"}", ErrorCode.MISSING_TYPE, "9"),
        Arguments.of("{\"type\":7,\"requestId\":\"9\"}", ErrorCode.INVALID_FIELD, "9"),
        Arguments.of("{\"type\":\"dance\",\"requestId\":\"9\"}", ErrorCode.UNKNOWN_TYPE, "9"),
        Arguments.of("{\"type\":\"Join\"}", ErrorCode.UNKNOWN_TYPE, null),
        Arguments.of("{\"type\":\"joined\",\"requestId\":\"9\"}", ErrorCode.UNEXPECTED_TYPE, "9"),
        Arguments.of("{\"type\":\"error\"}", ErrorCode.UNEXPECTED_TYPE, null),
        Arguments.of(
            "{\"type\":\"join\",\"requestId\":\"9\",\"displayName\":\"Ada\"}",
            ErrorCode.MISSING_FIELD,
            "9"),
        Arguments.of(
            "{\"type\":\"join\",\"roomId\":\"r\",\"displayName\":null}",
            ErrorCode.MISSING_FIELD,
            null),
        Arguments.of(
            "{\"type\":\"join\",\"requestId\":\"9\",\"roomId\":5,\"displayName\":\"Ada\"}",
            ErrorCode.INVALID_FIELD,
            "9"),
        Arguments.of(
            "{\"type\":\"join\",\"roomId\":\"r\",\"displayName\":[\"Ada\"]}",
            ErrorCode.INVALID_FIELD,
            null),
        Arguments.of("{\"type\":\"leave\",\"roomId\":true}", ErrorCode.INVALID_FIELD, null),
        Arguments.of("{\"type\":\"ping\",\"ts\":\"soon\"}", ErrorCode.INVALID_FIELD, null),
        Arguments.of("{\"type\":\"ping\",\"ts\":1.5}", ErrorCode.INVALID_FIELD, null),
        Arguments.of("{\"type\":\"ping\",\"ts\":1e40}", ErrorCode.INVALID_FIELD, null),
        Arguments.of("{\"type\":\"ping\",\"requestId\":42}", ErrorCode.INVALID_FIELD, null),
        Arguments.of(
            "{\"type\":\"publishOffer\",\"sdp\":\"v=0\",\"layers\":\"h\"}",
            ErrorCode.INVALID_FIELD,
            null),
        Arguments.of(
            "{\"type\":\"publishOffer\",\"sdp\":\"v=0\",\"layers\":[]}",
            ErrorCode.INVALID_FIELD,
            null),
        Arguments.of(
            "{\"type\":\"publishOffer\",\"sdp\":\"v=0\",\"layers\":[{\"mid\":0,\"layer\":\"h\"}]}",
            ErrorCode.INVALID_FIELD,
            null),
        Arguments.of(
            "{\"type\":\"publishOffer\",\"sdp\":\"v=0\",\"layers\":[{\"mid\":\"0\"},{},{},{}]}",
            ErrorCode.INVALID_FIELD,
            null),
        Arguments.of("{\"type\":\"setLayerPreference\"}", ErrorCode.MISSING_FIELD, null),
        Arguments.of("{\"type\":\"setMuted\"}", ErrorCode.MISSING_FIELD, null),
        Arguments.of("{\"type\":\"setMuted\",\"muted\":\"yes\"}", ErrorCode.INVALID_FIELD, null),
        Arguments.of("{\"type\":\"setMuted\",\"muted\":1}", ErrorCode.INVALID_FIELD, null),
        Arguments.of(
            "{\"type\":\"setLayerPreference\",\"maxLayer\":1}", ErrorCode.INVALID_FIELD, null),
        Arguments.of("{\"type\":\"layersUpdate\"}", ErrorCode.UNEXPECTED_TYPE, null),
        Arguments.of("x".repeat(MAX_FRAME + 1), ErrorCode.FRAME_TOO_LARGE, null),
        // An oversized frame names its request when a streaming read finds a top-level one.
        Arguments.of(
            "{\"type\":\"publishOffer\",\"requestId\":\"big\",\"sdp\":\""
                + "a".repeat(MAX_FRAME)
                + "\"}",
            ErrorCode.FRAME_TOO_LARGE,
            "big"),
        Arguments.of(
            "{\"sdp\":\""
                + "a".repeat(MAX_FRAME)
                + "\",\"nested\":{\"requestId\":\"no\"},"
                + "\"requestId\":\"after\"}",
            ErrorCode.FRAME_TOO_LARGE,
            "after"),
        Arguments.of(
            "{\"requestId\":7,\"pad\":\"" + "a".repeat(MAX_FRAME) + "\"}",
            ErrorCode.FRAME_TOO_LARGE,
            null),
        Arguments.of(
            "{\"pad\":\"" + "a".repeat(MAX_FRAME) + "\",\"requestId\":\"cut",
            ErrorCode.FRAME_TOO_LARGE,
            null),
        Arguments.of("[".repeat(MAX_FRAME + 1), ErrorCode.FRAME_TOO_LARGE, null));
  }

  @Test
  void framesOverTwiceTheLimitCloseTheConnection() {
    assertThat(codec.closesConnection("x".repeat(2 * MAX_FRAME))).isFalse();
    assertThat(codec.closesConnection("x".repeat(2 * MAX_FRAME + 1))).isTrue();
  }

  @ParameterizedTest
  @MethodSource("malformedFrames")
  void everyMalformedFrameMapsToItsCode(String frame, ErrorCode code, String requestId) {
    assertThatThrownBy(() -> codec.decode(frame))
        .isInstanceOfSatisfying(
            SignalingException.class,
            e -> {
              assertThat(e.code()).isEqualTo(code);
              assertThat(e.requestId()).isEqualTo(requestId);
              assertThat(e.getMessage()).isNotBlank();
            });
  }

  @Test
  void unknownMembersAreIgnoredForForwardCompatibility() throws Exception {
    assertThat(codec.decode("{\"type\":\"ping\",\"ts\":1,\"future\":{\"x\":[1]}}"))
        .isEqualTo(new Message.Ping(null, 1L));
  }

  @Test
  void aFrameExactlyAtTheLimitIsRead() throws Exception {
    String padding = " ".repeat(MAX_FRAME - "{\"type\":\"ping\"}".length());
    assertThat(codec.decode("{\"type\":\"ping\"}" + padding))
        .isEqualTo(new Message.Ping(null, null));
  }

  @Test
  void errorRepliesNeverEchoLongClientText() {
    String type = "t".repeat(500);
    assertThatThrownBy(() -> codec.decode("{\"type\":\"" + type + "\"}"))
        .hasMessageContaining("t".repeat(64) + "…")
        .hasMessageNotContaining("t".repeat(65));
  }
}
