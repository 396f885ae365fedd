package io.cheenhub.sfu.loadgen.signal;

import io.cheenhub.sfu.sdp.SdpParser;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * cheenhub-sfu's signaling (docs/api-reference.md) over the JDK's WebSocket client: {@code join},
 * {@code publishOffer}, {@code subscribe} and an answer to every {@code consumeOffer}; a layered
 * publisher's {@code layersUpdate} and a listener's {@code receiveLayers} go to their listeners.
 */
public final class SfuSignaling implements Signaling {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final WebSocket socket;
  private final Executor work;
  private final BlockingQueue<JsonObject> replies = new LinkedBlockingQueue<>();
  private volatile OfferHandler offers;
  private volatile Consumer<String> failures = reason -> {};
  private volatile Consumer<Map<String, Boolean>> layersUpdates = layers -> {};
  private volatile Consumer<Map<String, String>> receiveLayers = layers -> {};
  private volatile Consumer<List<String>> activeSpeakers = slots -> {};
  private final Map<String, String> names = new ConcurrentHashMap<>(); // participantId → name
  private volatile boolean slotted;
  private volatile long offersAfterSlots;
  private final CompletableFuture<Void> firstAnswer = new CompletableFuture<>();
  private volatile boolean closing;

  /**
   * Opens {@code ws://.../ws}; {@code work} runs offer handling off the socket's thread (one offer
   * at a time per connection, as the server sends them).
   */
  public SfuSignaling(HttpClient http, URI webSocket, Executor work) throws IOException {
    this.work = work;
    try {
      this.socket =
          http.newWebSocketBuilder()
              .connectTimeout(TIMEOUT)
              .buildAsync(webSocket, new Listener())
              .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("cannot open " + webSocket + ": " + e, e);
    }
  }

  @Override
  public void join(String room, String name) throws IOException {
    send(
        Json.createObjectBuilder()
            .add("type", "join")
            .add("requestId", "join")
            .add("roomId", room)
            .add("displayName", name)
            .build());
    await("joined");
  }

  @Override
  public String publish(String offerSdp) throws IOException {
    send(
        Json.createObjectBuilder()
            .add("type", "publishOffer")
            .add("requestId", "publish")
            .add("sdp", offerSdp)
            .build());
    return await("publishAnswer").getString("sdp");
  }

  @Override
  public void subscribe(OfferHandler handler) throws IOException {
    offers = handler;
    send(Json.createObjectBuilder().add("type", "subscribe").add("requestId", "subscribe").build());
    try {
      firstAnswer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("no subscribe offer answered: " + e.getMessage(), e);
    }
  }

  @Override
  public boolean wantsCandidates() {
    return false; // ice4j learns the bot's address from its checks (peer-reflexive)
  }

  @Override
  public void onFailure(Consumer<String> listener) {
    failures = listener;
  }

  @Override
  public void onLayersUpdate(Consumer<Map<String, Boolean>> listener) {
    layersUpdates = listener;
  }

  @Override
  public void onReceiveLayers(Consumer<Map<String, String>> listener) {
    receiveLayers = listener;
  }

  @Override
  public void onActiveSpeakers(Consumer<List<String>> listener) {
    activeSpeakers = listener;
  }

  @Override
  public long offersAfterSlots() {
    return slotted ? offersAfterSlots : -1;
  }

  private void send(JsonObject message) throws IOException {
    try {
      socket.sendText(message.toString(), true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("send failed: " + e, e);
    }
  }

  private JsonObject await(String type) throws IOException {
    try {
      JsonObject reply = replies.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (reply == null) {
        throw new IOException("no " + type + " within " + TIMEOUT.toSeconds() + " s");
      }
      if (!reply.getString("type").equals(type)) {
        throw new IOException("expected " + type + ", got " + reply);
      }
      return reply;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private void onMessage(JsonObject message) {
    switch (message.getString("type", "")) {
      case "joined" -> {
        for (JsonObject other :
            message.getJsonArray("participants").getValuesAs(JsonObject.class)) {
          names.put(other.getString("participantId"), other.getString("displayName"));
        }
        replies.add(message);
      }
      case "publishAnswer" -> replies.add(message);
      case "participantJoined" -> {
        JsonObject other = message.getJsonObject("participant");
        names.put(other.getString("participantId"), other.getString("displayName"));
      }
      case "activeSpeakers" -> {
        var slots = new ArrayList<String>();
        for (JsonObject slot : message.getJsonArray("slots").getValuesAs(JsonObject.class)) {
          int k = slot.getInt("slot");
          while (slots.size() <= k) {
            slots.add(null);
          }
          if (slot.get("participantId") instanceof JsonString id) { // absent or null: empty
            slots.set(k, names.getOrDefault(id.getString(), id.getString()));
          }
        }
        activeSpeakers.accept(slots);
      }
      case "error" -> {
        if (message.containsKey("requestId") && !message.isNull("requestId")) {
          replies.add(message);
        } else {
          failures.accept("server error: " + message);
        }
      }
      case "consumeOffer" -> {
        if (slotted) {
          offersAfterSlots++; // one reader thread: no lost update
        }
        work.execute(() -> answer(message.getString("sdp")));
      }
      case "layersUpdate" -> {
        JsonObject sent = message.getJsonObject("layers");
        var layers = new LinkedHashMap<String, Boolean>();
        for (String name : sent.keySet()) {
          layers.put(name, sent.getBoolean(name));
        }
        layersUpdates.accept(layers);
      }
      case "receiveLayers" -> {
        JsonObject received = message.getJsonObject("layers");
        var layers = new LinkedHashMap<String, String>();
        for (String participant : received.keySet()) {
          layers.put(participant, received.getString(participant));
        }
        receiveLayers.accept(layers);
      }
      default -> {
        // participant and track events: the bots identify streams by their payload stamps
      }
    }
  }

  private synchronized void answer(String sdp) {
    try {
      String answer = offers.answer(SdpParser.parse(sdp));
      if (onlySlots(sdp)) {
        slotted = true;
      }
      send(
          Json.createObjectBuilder()
              .add("type", "consumeAnswer")
              .add("requestId", "consume")
              .add("sdp", answer)
              .build());
      firstAnswer.complete(null);
    } catch (Exception e) {
      firstAnswer.completeExceptionally(e);
      failures.accept("answering a consumeOffer failed: " + e);
    }
  }

  /**
   * Whether {@code sdp} offers speaker slots ({@code a=msid:slot-<k>}) and no live per-publisher
   * m-line any more: the second offer of the make-before-break switch, or a newcomer's first.
   */
  static boolean onlySlots(String sdp) {
    boolean slots = false;
    for (String section : sdp.split("\r?\nm=")) {
      if (!section.startsWith("audio")) {
        continue; // the session part
      }
      boolean retired = section.startsWith("audio 0 ");
      if (section.contains("a=msid:slot-")) {
        slots = true;
      } else if (section.contains("a=msid:") && !retired) {
        return false;
      }
    }
    return slots;
  }

  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    try {
      socket.sendText("{\"type\":\"leave\"}", true).get(5, TimeUnit.SECONDS);
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      socket.abort();
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          onMessage(Json.createReader(new StringReader(text)).readObject());
        } catch (RuntimeException e) {
          failures.accept("unreadable message: " + e);
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      if (!closing) {
        failures.accept("signaling closed " + statusCode + " " + reason);
      }
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      if (!closing) {
        failures.accept("signaling failed: " + error);
      }
    }
  }
}
