package io.cheenhub.sfu.loadgen.relay;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cheenhub.sfu.loadgen.relay.ImpairmentRelay.Direction;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * The HTTP control of a running {@link ImpairmentRelay}, so a test driver in another process (the
 * browser E2E) can impair and heal the link: {@code PUT /impairment} with {@code
 * {"up":{...},"down":{...}}} (up = client to server; a missing direction stays as it is; a
 * direction given as {@code {}} is clean, and so is the whole body {@code {}}), {@code GET
 * /impairment}, {@code GET /stats}. The fields of a direction are those of {@link Impairment}; any
 * field left out takes its clean value.
 */
public final class RelayControl implements AutoCloseable {

  /** Field names of a direction, exactly the components of {@link Impairment}. */
  private static final Set<String> FIELDS =
      Set.of(
          "loss",
          "burstEnter",
          "burstExit",
          "burstLoss",
          "delayMillis",
          "jitterMillis",
          "reorder",
          "bitsPerSecond",
          "queueBytes");

  private static final int MAX_BODY_BYTES = 16 * 1024;

  private final ImpairmentRelay relay;
  private final HttpServer http;

  /** Serves the control API of {@code relay} on {@code address} (port 0 for any). */
  public RelayControl(ImpairmentRelay relay, InetSocketAddress address) throws IOException {
    this.relay = relay;
    this.http = HttpServer.create(address, 0);
    http.createContext("/impairment", this::impairment);
    http.createContext("/stats", this::stats);
    http.setExecutor(Executors.newSingleThreadExecutor(r -> daemon(r, "relay-control")));
    http.start();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Where the control API listens. */
  public InetSocketAddress address() {
    return http.getAddress();
  }

  private void impairment(HttpExchange exchange) throws IOException {
    try (exchange) {
      switch (exchange.getRequestMethod()) {
        case "GET" -> reply(exchange, 200, impairments());
        case "PUT" -> {
          JsonObject body;
          Map<Direction, Impairment> next;
          try {
            body = readObject(exchange.getRequestBody());
            next = parse(body);
          } catch (IllegalArgumentException | JsonException | ClassCastException e) {
            reply(exchange, 400, error(e.getMessage()));
            return;
          }
          next.forEach(relay::set);
          reply(exchange, 200, impairments());
        }
        default -> reply(exchange, 405, error("GET or PUT"));
      }
    }
  }

  private void stats(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        reply(exchange, 405, error("GET"));
        return;
      }
      reply(
          exchange,
          200,
          Json.createObjectBuilder()
              .add("clients", relay.clients())
              .add("up", toJson(relay.stats(Direction.UP)))
              .add("down", toJson(relay.stats(Direction.DOWN)))
              .build());
    }
  }

  /** What a PUT body asks for, per direction it names (both for {@code {}}). */
  static Map<Direction, Impairment> parse(JsonObject body) {
    Map<Direction, Impairment> next = new EnumMap<>(Direction.class);
    for (String key : body.keySet()) {
      if (!key.equals("up") && !key.equals("down")) {
        throw new IllegalArgumentException("unknown member " + key + " (want up, down)");
      }
    }
    if (body.isEmpty()) {
      next.put(Direction.UP, Impairment.NONE);
      next.put(Direction.DOWN, Impairment.NONE);
    }
    if (body.containsKey("up")) {
      next.put(Direction.UP, impairment(body.getJsonObject("up")));
    }
    if (body.containsKey("down")) {
      next.put(Direction.DOWN, impairment(body.getJsonObject("down")));
    }
    return next;
  }

  /** One direction's impairment; absent fields are clean. */
  static Impairment impairment(JsonObject o) {
    for (String key : o.keySet()) {
      if (!FIELDS.contains(key)) {
        throw new IllegalArgumentException(
            "unknown field " + key + " (want one of " + FIELDS + ")");
      }
    }
    Impairment none = Impairment.NONE;
    return new Impairment(
        number(o, "loss", none.loss()),
        number(o, "burstEnter", none.burstEnter()),
        number(o, "burstExit", none.burstExit()),
        number(o, "burstLoss", none.burstLoss()),
        (int) number(o, "delayMillis", none.delayMillis()),
        (int) number(o, "jitterMillis", none.jitterMillis()),
        number(o, "reorder", none.reorder()),
        (long) number(o, "bitsPerSecond", none.bitsPerSecond()),
        (int) number(o, "queueBytes", none.queueBytes()));
  }

  private static double number(JsonObject o, String name, double clean) {
    JsonValue v = o.get(name);
    if (v == null) {
      return clean;
    }
    if (v.getValueType() != JsonValue.ValueType.NUMBER) {
      throw new IllegalArgumentException(name + " must be a number: " + v);
    }
    return ((JsonNumber) v).doubleValue();
  }

  private JsonObject impairments() {
    return Json.createObjectBuilder()
        .add("up", toJson(relay.impairment(Direction.UP)))
        .add("down", toJson(relay.impairment(Direction.DOWN)))
        .build();
  }

  static JsonObject toJson(Impairment i) {
    return Json.createObjectBuilder()
        .add("loss", i.loss())
        .add("burstEnter", i.burstEnter())
        .add("burstExit", i.burstExit())
        .add("burstLoss", i.burstLoss())
        .add("delayMillis", i.delayMillis())
        .add("jitterMillis", i.jitterMillis())
        .add("reorder", i.reorder())
        .add("bitsPerSecond", i.bitsPerSecond())
        .add("queueBytes", i.queueBytes())
        .build();
  }

  private static JsonObject toJson(ImpairmentRelay.Stats s) {
    JsonObjectBuilder b =
        Json.createObjectBuilder()
            .add("received", s.received())
            .add("forwarded", s.forwarded())
            .add("dropped", s.dropped())
            .add("droppedRandom", s.droppedRandom())
            .add("droppedBurst", s.droppedBurst())
            .add("droppedQueue", s.droppedQueue())
            .add("reordered", s.reordered())
            .add("meanDelayMillis", Math.round(s.meanDelayMillis() * 100) / 100.0)
            .add("maxDelayMillis", Math.round(s.maxDelayMillis() * 100) / 100.0);
    return b.build();
  }

  private static JsonObject error(String message) {
    return Json.createObjectBuilder().add("error", String.valueOf(message)).build();
  }

  private static JsonObject readObject(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    if (bytes.length > MAX_BODY_BYTES) {
      throw new IllegalArgumentException("body larger than " + MAX_BODY_BYTES + " bytes");
    }
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    if (text.isEmpty()) {
      throw new IllegalArgumentException("empty body (send {} to heal both directions)");
    }
    try (var reader = Json.createReader(new StringReader(text))) {
      return reader.readObject();
    }
  }

  private static void reply(HttpExchange exchange, int status, JsonObject body) throws IOException {
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
