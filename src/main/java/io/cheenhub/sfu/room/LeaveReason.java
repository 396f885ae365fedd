package io.cheenhub.sfu.room;

/**
 * Why a participant left a room; the wire value is sent to the others in {@code participantLeft}.
 */
public enum LeaveReason {
  /** The client sent {@code leave}. */
  LEFT("leave"),
  /** The WebSocket closed (tab closed, client crashed, server-side close). */
  DISCONNECTED("disconnect"),
  /** The connection missed its pings: network loss. */
  TIMED_OUT("timeout"),
  /** The application is stopping. */
  SHUTDOWN("shutdown"),
  /** The room moved to another instance of the cluster (drain, re-placement). */
  MOVED("moved");

  private final String wireValue;

  LeaveReason(String wireValue) {
    this.wireValue = wireValue;
  }

  /** The value used in signaling messages and metric labels. */
  public String wireValue() {
    return wireValue;
  }
}
