package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A signaling test client over the JDK's WebSocket: every received frame is parsed and queued so
 * tests can assert on the exact sequence of messages.
 */
final class WsClient implements AutoCloseable {

  /** How a connection ended. */
  record Closed(int code, String reason) {}

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final BlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
  private final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final WebSocket socket;
  private volatile boolean reading = true;

  private WsClient(URI uri) {
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(TIMEOUT)
            .buildAsync(uri, new Listener())
            .orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS)
            .join();
  }

  static WsClient connect(URI uri) {
    return new WsClient(uri);
  }

  /** Sends one text frame. */
  WsClient send(String text) {
    socket.sendText(text, true).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    return this;
  }

  /** Joins {@code roomId} and returns the {@code joined} reply. */
  JsonObject join(String roomId, String name) {
    send(
        "{\"type\":\"join\",\"requestId\":\"join-"
            + name
            + "\",\"roomId\":\""
            + roomId
            + "\",\"displayName\":\""
            + name
            + "\"}");
    JsonObject joined = next();
    assertThat(joined.getString("type")).as("reply to join: %s", joined).isEqualTo("joined");
    return joined;
  }

  /** The next message, failing after {@link #TIMEOUT}. */
  JsonObject next() {
    try {
      JsonObject message = inbox.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(message).as("a message within %s", TIMEOUT).isNotNull();
      return message;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next message, which must be of {@code type}. */
  JsonObject next(String type) {
    JsonObject message = next();
    assertThat(message.getString("type")).as("message %s", message).isEqualTo(type);
    return message;
  }

  /** Asserts that nothing arrives for {@code quiet}. */
  void assertSilent(Duration quiet) throws InterruptedException {
    JsonObject message = inbox.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(message).as("no message expected").isNull();
  }

  /** The close the server sent, failing after {@link #TIMEOUT}. */
  Closed awaitClose(Duration timeout) {
    return closed.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).join();
  }

  boolean isClosed() {
    return closed.isDone();
  }

  /**
   * Stops reading from the socket: no frame is processed and no pong is sent any more, as when the
   * network under a client disappears.
   */
  void stopReading() {
    reading = false;
  }

  /** Drops the TCP connection without a close handshake (a crashed tab). */
  void abort() {
    socket.abort();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try (var reader = Json.createReader(new StringReader(partial.toString()))) {
          inbox.add(reader.readObject());
        }
        partial.setLength(0);
      }
      if (reading) {
        webSocket.request(1);
      }
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, java.nio.ByteBuffer message) {
      if (reading) {
        webSocket.request(1);
      }
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(new Closed(statusCode, reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(new Closed(-1, String.valueOf(error)));
    }
  }
}
