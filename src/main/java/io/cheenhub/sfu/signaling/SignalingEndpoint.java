package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.logging.EventLog;
import io.cheenhub.sfu.room.LeaveReason;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DecodeException;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.util.logging.Level;

/**
 * The signaling WebSocket at {@code /ws}: JSON text frames decoded into {@link Message}s. One
 * instance per connection; all state lives in its {@link Connection}.
 */
@ServerEndpoint(value = "/ws", decoders = MessageDecoder.class)
public class SignalingEndpoint {

  private static final EventLog EVENTS = EventLog.of(SignalingEndpoint.class);

  @Inject SignalingService service;

  private Connection connection;

  @OnOpen
  public void onOpen(Session session) throws IOException {
    if (!service.isAccepting()) {
      session.close(
          new CloseReason(
              CloseReason.CloseCodes.TRY_AGAIN_LATER,
              service.isDraining() ? "server draining" : "server shutting down"));
      return;
    }
    if (service.isLowOnMemory()) {
      // Memory pressure refuses new sockets before they cost anything (joins are refused too):
      // the client retries with its backoff, and state already held is never given up for it.
      session.close(
          new CloseReason(CloseReason.CloseCodes.TRY_AGAIN_LATER, "server low on memory"));
      return;
    }
    connection = service.open(session);
  }

  @OnMessage
  public void onMessage(Message message) {
    if (message instanceof Message.ClientMessage clientMessage) {
      connection.onMessage(clientMessage, System.nanoTime());
    }
  }

  @OnMessage
  public void onPong(PongMessage pong) {
    if (connection != null) {
      connection.touch();
    }
  }

  @OnError
  public void onError(Session session, Throwable error) {
    if (connection == null) {
      return;
    }
    if (error instanceof DecodeException && error.getCause() instanceof SignalingException e) {
      connection.onRefused(e, System.nanoTime());
      return;
    }
    if (error instanceof DecodeException && error.getCause() instanceof OversizedFrameException) {
      connection.onOversized(error.getMessage());
      return;
    }
    boolean broken = error instanceof IOException;
    EVENTS.log(
        broken ? Level.FINE : Level.WARNING,
        "connection error",
        error,
        EventLog.CONNECTION,
        connection.id());
    if (broken) {
      // A broken socket (reset, timeout): nothing more is written to it, and the client may come
      // back with its reconnect token.
      connection.outbox().closedByContainer();
      connection.end(LeaveReason.DISCONNECTED, true);
    } else {
      // Our own failure on an open socket: close it, so the client reconnects to a clean state.
      connection.close(
          LeaveReason.DISCONNECTED, CloseReason.CloseCodes.UNEXPECTED_CONDITION, "internal error");
    }
  }

  @OnClose
  public void onClose(Session session, CloseReason reason) {
    if (connection != null) {
      // First, on the container's thread: after this method the container may recycle the socket.
      connection.outbox().closedByContainer();
      EVENTS.info(
          "connection closed",
          EventLog.CONNECTION,
          connection.id(),
          "code",
          reason.getCloseCode().getCode());
      connection.end(LeaveReason.DISCONNECTED, isLost(reason.getCloseCode().getCode()));
    }
  }

  /**
   * Whether a close means the client lost its connection rather than left: RFC 6455 §7.4.1 1000
   * (normal) and 1001 (going away: tab closed, navigation) are deliberate; anything else, such as
   * 1006 (no close frame) or an application code, gets the reconnect grace period.
   */
  static boolean isLost(int closeCode) {
    return closeCode != CloseReason.CloseCodes.NORMAL_CLOSURE.getCode()
        && closeCode != CloseReason.CloseCodes.GOING_AWAY.getCode();
  }
}
