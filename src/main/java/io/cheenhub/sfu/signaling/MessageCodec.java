package io.cheenhub.sfu.signaling;

import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbException;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * JSON text ⇄ {@link Message}, with every way a client frame can be wrong mapped to one {@link
 * ErrorCode}.
 *
 * <p>Decoding checks the frame with JSON-P against the small schema below before JSON-B binds it,
 * because JSON-B alone coerces wrong types (a number into a String field) and reports missing
 * members as nulls. Thread-safe.
 */
public final class MessageCodec {

  /** JSON types a member may need to have. */
  private enum Kind {
    STRING,
    INTEGER,
    BOOLEAN,
    /** An array of at most three objects, each with string members "mid" and "layer". */
    MID_LAYERS
  }

  private record Field(String name, Kind kind, boolean required) {}

  private static Field required(String name, Kind kind) {
    return new Field(name, kind, true);
  }

  private static Field optional(String name, Kind kind) {
    return new Field(name, kind, false);
  }

  private static final Field REQUEST_ID = optional("requestId", Kind.STRING);

  /** The members of every client message besides {@code type} and {@code requestId}. */
  private static final Map<String, List<Field>> CLIENT_SCHEMA =
      Map.of(
          "join",
          List.of(
              required("roomId", Kind.STRING),
              required("displayName", Kind.STRING),
              optional("reconnectToken", Kind.STRING),
              optional("token", Kind.STRING),
              optional("ticket", Kind.STRING)),
          "leave",
          List.of(optional("roomId", Kind.STRING)),
          "ping",
          List.of(optional("ts", Kind.INTEGER)),
          "publishOffer",
          List.of(
              optional("roomId", Kind.STRING),
              required("sdp", Kind.STRING),
              optional("layers", Kind.MID_LAYERS)),
          "publishIce",
          candidateFields(),
          "subscribe",
          List.of(optional("roomId", Kind.STRING)),
          "consumeAnswer",
          List.of(optional("roomId", Kind.STRING), required("sdp", Kind.STRING)),
          "consumeIce",
          candidateFields(),
          "setMuted",
          List.of(optional("roomId", Kind.STRING), required("muted", Kind.BOOLEAN)),
          "setLayerPreference",
          List.of(
              optional("roomId", Kind.STRING),
              required("maxLayer", Kind.STRING),
              optional("participantId", Kind.STRING)));

  private static List<Field> candidateFields() {
    return List.of(
        optional("roomId", Kind.STRING),
        required("candidate", Kind.STRING),
        optional("sdpMid", Kind.STRING),
        optional("sdpMLineIndex", Kind.INTEGER));
  }

  /** Types only the server sends; a client sending them gets {@code unexpected-type}. */
  private static final List<String> SERVER_TYPES =
      List.of(
          "joined",
          "left",
          "participantJoined",
          "participantLeft",
          "pong",
          "publishAnswer",
          "consumeOffer",
          "trackAdded",
          "trackRemoved",
          "error",
          "reconnect",
          "qualityUpdate",
          "layersUpdate",
          "receiveLayers",
          "layerPreference",
          "activeSpeakers",
          "participantMuted",
          "redirect");

  private final Jsonb jsonb = JsonbBuilder.create();

  /**
   * Looked up once: {@code Json.createReader} asks {@link JsonProvider#provider()} on every call,
   * which in Payara scans the web application's class path for a service file (seen in a profile of
   * 50 joining bots as class-loader resource lookups per signaling frame).
   */
  private static final JsonReaderFactory READERS =
      JsonProvider.provider().createReaderFactory(java.util.Map.of());

  private static final JsonParserFactory PARSERS =
      JsonProvider.provider().createParserFactory(java.util.Map.of());

  private final int maxFrameChars;

  /** A codec refusing frames longer than {@code maxFrameChars}. */
  public MessageCodec(int maxFrameChars) {
    this.maxFrameChars = maxFrameChars;
  }

  /** The wire type of a client message: its record name with a lower-case first letter. */
  private static final ClassValue<String> CLIENT_TYPE_NAMES =
      new ClassValue<>() {
        @Override
        protected String computeValue(Class<?> type) {
          String name = type.getSimpleName();
          return Character.toLowerCase(name.charAt(0)) + name.substring(1);
        }
      };

  /** The {@code "type"} of a client message, e.g. {@code "join"}. */
  public static String typeOf(Message.ClientMessage message) {
    return CLIENT_TYPE_NAMES.get(message.getClass());
  }

  /** The client message types this codec accepts. */
  public static List<String> clientTypes() {
    return CLIENT_SCHEMA.keySet().stream().sorted().toList();
  }

  /**
   * Whether {@code text} is too large even to be answered: over twice the limit, the socket is
   * closed with 1009 instead (docs/api-reference.md).
   */
  public boolean closesConnection(String text) {
    return text.length() > 2L * maxFrameChars;
  }

  /** Decodes one client frame or says exactly what is wrong with it. */
  public Message.ClientMessage decode(String text) throws SignalingException {
    if (text.length() > maxFrameChars) {
      throw new SignalingException(
          ErrorCode.FRAME_TOO_LARGE,
          "frame of " + text.length() + " characters exceeds the limit of " + maxFrameChars,
          closesConnection(text) ? null : requestIdOf(text));
    }
    JsonObject object = parseObject(text);
    String requestId = requestId(object);
    String type = type(object, requestId);
    for (Field field : CLIENT_SCHEMA.get(type)) {
      check(object, field, requestId);
    }
    try {
      return (Message.ClientMessage) jsonb.fromJson(text, Message.class);
    } catch (JsonbException e) {
      // The schema above should have caught it; still a client error, not a crash.
      throw new SignalingException(
          ErrorCode.INVALID_FIELD, "cannot read " + type + ": " + e.getMessage(), requestId);
    }
  }

  /**
   * The top-level {@code requestId} of a frame too large to decode, so that its refusal can name
   * the request: a streaming read that builds no tree and stops at the member (clients send it
   * before the SDP). Null if the frame is not an object or has no string {@code requestId}.
   */
  private static String requestIdOf(String text) {
    try (JsonParser parser = PARSERS.createParser(new StringReader(text))) {
      if (!parser.hasNext() || parser.next() != JsonParser.Event.START_OBJECT) {
        return null;
      }
      while (parser.hasNext() && parser.next() == JsonParser.Event.KEY_NAME) {
        boolean wanted = parser.getString().equals(REQUEST_ID.name());
        JsonParser.Event value = parser.next();
        if (wanted) {
          return value == JsonParser.Event.VALUE_STRING ? parser.getString() : null;
        }
        if (value == JsonParser.Event.START_OBJECT) {
          parser.skipObject();
        } else if (value == JsonParser.Event.START_ARRAY) {
          parser.skipArray();
        }
      }
      return null;
    } catch (JsonException | IllegalStateException | NoSuchElementException e) {
      return null;
    }
  }

  /** Encodes a message, including its {@code "type"}. */
  public String encode(Message message) {
    // Yasson writes the discriminator only when serializing by runtime type (toJson(Object)).
    return jsonb.toJson(message);
  }

  private static JsonObject parseObject(String text) throws SignalingException {
    JsonValue value;
    try (JsonReader reader = READERS.createReader(new StringReader(text))) {
      value = reader.readValue();
    } catch (JsonException | IllegalStateException e) {
      throw new SignalingException(
          ErrorCode.MALFORMED_JSON, "frame is not valid JSON: " + brief(e), null);
    } catch (NumberFormatException e) {
      // Parsson hands a number's text to BigDecimal, which refuses an exponent beyond int range
      // (e.g. 1e5555555555) with this unchecked exception instead of a JsonParsingException.
      throw new SignalingException(
          ErrorCode.MALFORMED_JSON, "frame is not valid JSON: number out of range", null);
    }
    if (value.getValueType() != JsonValue.ValueType.OBJECT) {
      throw new SignalingException(
          ErrorCode.MALFORMED_JSON, "frame must be a JSON object, got " + kindOf(value), null);
    }
    return value.asJsonObject();
  }

  private static String requestId(JsonObject object) throws SignalingException {
    JsonValue value = object.get(REQUEST_ID.name());
    if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
      return null;
    }
    if (value.getValueType() != JsonValue.ValueType.STRING) {
      throw new SignalingException(
          ErrorCode.INVALID_FIELD, "requestId must be a string, got " + kindOf(value), null);
    }
    return ((JsonString) value).getString();
  }

  private static String type(JsonObject object, String requestId) throws SignalingException {
    JsonValue value = object.get("type");
    if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
      throw new SignalingException(ErrorCode.MISSING_TYPE, "message has no \"type\"", requestId);
    }
    if (value.getValueType() != JsonValue.ValueType.STRING) {
      throw new SignalingException(
          ErrorCode.INVALID_FIELD, "type must be a string, got " + kindOf(value), requestId);
    }
    String type = ((JsonString) value).getString();
    if (CLIENT_SCHEMA.containsKey(type)) {
      return type;
    }
    if (SERVER_TYPES.contains(type)) {
      throw new SignalingException(
          ErrorCode.UNEXPECTED_TYPE, "\"" + type + "\" is sent by the server only", requestId);
    }
    throw new SignalingException(
        ErrorCode.UNKNOWN_TYPE, "unknown message type \"" + abbreviate(type) + "\"", requestId);
  }

  private static void check(JsonObject object, Field field, String requestId)
      throws SignalingException {
    JsonValue value = object.get(field.name());
    if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
      if (field.required()) {
        throw new SignalingException(
            ErrorCode.MISSING_FIELD, "\"" + field.name() + "\" is required", requestId);
      }
      return;
    }
    boolean ok =
        switch (field.kind()) {
          case STRING -> value.getValueType() == JsonValue.ValueType.STRING;
          case INTEGER ->
              value.getValueType() == JsonValue.ValueType.NUMBER
                  && ((JsonNumber) value).isIntegral();
          case BOOLEAN ->
              value.getValueType() == JsonValue.ValueType.TRUE
                  || value.getValueType() == JsonValue.ValueType.FALSE;
          case MID_LAYERS -> isMidLayers(value);
        };
    if (!ok) {
      throw new SignalingException(
          ErrorCode.INVALID_FIELD,
          "\""
              + field.name()
              + "\" must be "
              + switch (field.kind()) {
                case STRING -> "a string";
                case INTEGER -> "an integer";
                case BOOLEAN -> "true or false";
                case MID_LAYERS -> "an array of 1 to 3 {\"mid\": string, \"layer\": string}";
              }
              + ", got "
              + kindOf(value),
          requestId);
    }
  }

  private static boolean isMidLayers(JsonValue value) {
    if (value.getValueType() != JsonValue.ValueType.ARRAY) {
      return false;
    }
    var entries = value.asJsonArray();
    if (entries.isEmpty() || entries.size() > 3) {
      return false;
    }
    for (JsonValue entry : entries) {
      if (entry.getValueType() != JsonValue.ValueType.OBJECT) {
        return false;
      }
      JsonObject object = entry.asJsonObject();
      if (!(object.get("mid") instanceof JsonString)
          || !(object.get("layer") instanceof JsonString)) {
        return false;
      }
    }
    return true;
  }

  private static String kindOf(JsonValue value) {
    return switch (value.getValueType()) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case TRUE, FALSE -> "a boolean";
      case NULL -> "null";
    };
  }

  private static String brief(Exception e) {
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : abbreviate(message);
  }

  /** Keeps client-controlled text in replies and logs short. */
  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
