package io.cheenhub.sfu.signaling;

import jakarta.json.Json;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Extension;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import jakarta.websocket.WebSocketContainer;
import java.io.StringReader;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebSocket session without a container: records every text frame, ping and close in order (each
 * with a sequence number), completes or holds back the {@link SendHandler} of each text frame (a
 * client that does not read), and can be closed by the peer. Only what the signaling code calls is
 * implemented.
 */
final class FakeSession implements Session {

  /** One thing the server did on the socket; {@code seq} orders it among all recorded events. */
  record Frame(long seq, Kind kind, String text, CloseReason reason) {

    /** The JSON {@code type} of a text frame. */
    String type() {
      return Json.createReader(new StringReader(text)).readObject().getString("type");
    }

    /** A string field of a text frame, or null. */
    String field(String name) {
      var object = Json.createReader(new StringReader(text)).readObject();
      return object.containsKey(name) && !object.isNull(name) ? object.getString(name, null) : null;
    }
  }

  enum Kind {
    TEXT,
    PING,
    CLOSE
  }

  private final AtomicLong seq = new AtomicLong();
  private final List<Frame> frames = new CopyOnWriteArrayList<>();
  private final List<SendHandler> heldBack = new ArrayList<>(); // guarded by this
  private final Remote remote = new Remote();
  private volatile boolean open = true;
  private volatile boolean acknowledge = true;
  private volatile boolean refuseWrites;
  private volatile int maxTextMessageBufferSize;

  /** Text frames are acknowledged at once (the default) or held back until {@link #ackAll}. */
  void acknowledge(boolean acknowledge) {
    this.acknowledge = acknowledge;
  }

  /** Writes throw, as a container's do once the socket is closing under them. */
  void refuseWrites() {
    refuseWrites = true;
  }

  /** Completes every held-back send with {@code result}; returns how many there were. */
  int ackAll(SendResult result) {
    List<SendHandler> handlers;
    synchronized (this) {
      handlers = new ArrayList<>(heldBack);
      heldBack.clear();
    }
    handlers.forEach(h -> h.onResult(result));
    return handlers.size();
  }

  /** The peer (or the network) closed the socket: it is no longer open. */
  void closeByPeer() {
    open = false;
  }

  /** The next sequence number, to place a test's own step among the recorded frames. */
  long mark() {
    return seq.incrementAndGet();
  }

  List<Frame> frames() {
    return List.copyOf(frames);
  }

  List<Frame> texts() {
    return frames.stream().filter(f -> f.kind() == Kind.TEXT).toList();
  }

  /** The {@code type} of every text frame, in order. */
  List<String> types() {
    return texts().stream().map(Frame::type).toList();
  }

  /** Text frames of {@code type}. */
  List<Frame> ofType(String type) {
    return texts().stream().filter(f -> f.type().equals(type)).toList();
  }

  List<Frame> closes() {
    return frames.stream().filter(f -> f.kind() == Kind.CLOSE).toList();
  }

  long pings() {
    return frames.stream().filter(f -> f.kind() == Kind.PING).count();
  }

  int maxTextMessageBufferSize() {
    return maxTextMessageBufferSize;
  }

  private void record(Kind kind, String text, CloseReason reason) {
    frames.add(new Frame(seq.incrementAndGet(), kind, text, reason));
  }

  @Override
  public RemoteEndpoint.Async getAsyncRemote() {
    return remote;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close(CloseReason closeReason) {
    record(Kind.CLOSE, null, closeReason);
    open = false;
  }

  @Override
  public void setMaxTextMessageBufferSize(int length) {
    maxTextMessageBufferSize = length;
  }

  private final class Remote implements RemoteEndpoint.Async {

    @Override
    public void sendText(String text, SendHandler handler) {
      if (refuseWrites) {
        throw new IllegalStateException("socket closing");
      }
      record(Kind.TEXT, text, null);
      if (acknowledge) {
        handler.onResult(new SendResult());
      } else {
        synchronized (FakeSession.this) {
          heldBack.add(handler);
        }
      }
    }

    private void settle(CompletableFuture<Void> sent) {
      if (acknowledge) {
        sent.complete(null);
      } else {
        synchronized (FakeSession.this) {
          heldBack.add(result -> sent.complete(null));
        }
      }
    }

    @Override
    public Future<Void> sendText(String text) {
      if (refuseWrites) {
        throw new IllegalStateException("socket closing");
      }
      record(Kind.TEXT, text, null);
      var sent = new CompletableFuture<Void>();
      settle(sent);
      return sent;
    }

    @Override
    public void sendPing(ByteBuffer applicationData) {
      record(Kind.PING, null, null);
    }

    @Override
    public long getSendTimeout() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void setSendTimeout(long timeoutMillis) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Void> sendBinary(ByteBuffer data) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void sendBinary(ByteBuffer data, SendHandler handler) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Future<Void> sendObject(Object data) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void sendObject(Object data, SendHandler handler) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void setBatchingAllowed(boolean allowed) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean getBatchingAllowed() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void flushBatch() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void sendPong(ByteBuffer applicationData) {
      throw new UnsupportedOperationException();
    }
  }

  @Override
  public WebSocketContainer getContainer() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void addMessageHandler(MessageHandler handler) {
    throw new UnsupportedOperationException();
  }

  @Override
  public <T> void addMessageHandler(Class<T> clazz, MessageHandler.Whole<T> handler) {
    throw new UnsupportedOperationException();
  }

  @Override
  public <T> void addMessageHandler(Class<T> clazz, MessageHandler.Partial<T> handler) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Set<MessageHandler> getMessageHandlers() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void removeMessageHandler(MessageHandler handler) {
    throw new UnsupportedOperationException();
  }

  @Override
  public String getProtocolVersion() {
    throw new UnsupportedOperationException();
  }

  @Override
  public String getNegotiatedSubprotocol() {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<Extension> getNegotiatedExtensions() {
    throw new UnsupportedOperationException();
  }

  @Override
  public boolean isSecure() {
    throw new UnsupportedOperationException();
  }

  @Override
  public long getMaxIdleTimeout() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void setMaxIdleTimeout(long milliseconds) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void setMaxBinaryMessageBufferSize(int length) {
    throw new UnsupportedOperationException();
  }

  @Override
  public int getMaxBinaryMessageBufferSize() {
    throw new UnsupportedOperationException();
  }

  @Override
  public int getMaxTextMessageBufferSize() {
    throw new UnsupportedOperationException();
  }

  @Override
  public RemoteEndpoint.Basic getBasicRemote() {
    throw new UnsupportedOperationException();
  }

  @Override
  public String getId() {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException();
  }

  @Override
  public URI getRequestURI() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Map<String, List<String>> getRequestParameterMap() {
    throw new UnsupportedOperationException();
  }

  @Override
  public String getQueryString() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Map<String, String> getPathParameters() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Map<String, Object> getUserProperties() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Principal getUserPrincipal() {
    throw new UnsupportedOperationException();
  }

  @Override
  public Set<Session> getOpenSessions() {
    throw new UnsupportedOperationException();
  }
}
