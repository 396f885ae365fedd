package io.cheenhub.sfu.loadgen.signal;

import io.cheenhub.sfu.sdp.SessionDescription;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How a bot talks to the server under test: join a room, publish one audio stream, receive everyone
 * else's. One implementation per server (cheenhub-sfu's WebSocket protocol, Janus VideoRoom's HTTP
 * API); bots are the same for both.
 */
public interface Signaling extends AutoCloseable {

  /** Answers a subscribe offer (the server's first, and every renegotiation after it). */
  @FunctionalInterface
  interface OfferHandler {
    String answer(SessionDescription offer) throws Exception;
  }

  /** Joins {@code room} as {@code name}; returns once the server confirmed. */
  void join(String room, String name) throws IOException;

  /** Sends a publish offer; returns the server's answer SDP. */
  String publish(String offerSdp) throws IOException;

  /**
   * Asks to receive the room's other streams; {@code handler} answers each offer, in order, on a
   * signaling thread. Returns once the first offer has been answered.
   */
  void subscribe(OfferHandler handler) throws IOException;

  /**
   * Whether the server needs the bot's host candidate in its SDP (it cannot learn it from checks).
   */
  boolean wantsCandidates();

  /** The DTLS role the bot's publish offer asks for. */
  default io.cheenhub.sfu.loadgen.peer.PeerSdp.Setup publishSetup() {
    return io.cheenhub.sfu.loadgen.peer.PeerSdp.Setup.ACTPASS; // like a browser
  }

  /** Where asynchronous failures (a server error, a dropped connection) are reported. */
  void onFailure(Consumer<String> listener);

  /**
   * Where the server's requests to a layered publisher go: which of its layers to send now (layer
   * name → send; cheenhub-sfu's {@code layersUpdate}). Servers without layers never call it.
   */
  default void onLayersUpdate(Consumer<Map<String, Boolean>> listener) {}

  /**
   * Where the server's word on what this listener receives goes: the layer name per speaker's
   * participant id (cheenhub-sfu's {@code receiveLayers}). Servers without layers never call it.
   */
  default void onReceiveLayers(Consumer<Map<String, String>> listener) {}

  /**
   * Where a speaker-slot room's {@code activeSpeakers} go: the display name of who speaks in each
   * slot, null for an empty one. Servers without slots never call it.
   */
  default void onActiveSpeakers(Consumer<List<String>> listener) {}

  /**
   * Subscribe offers received after one that carried only speaker slots (re-offers once the room
   * had moved to slots); -1 while this bot's subscription has no slots.
   */
  default long offersAfterSlots() {
    return -1;
  }

  /** Leaves the room cleanly and releases the connection. Idempotent. */
  @Override
  void close();
}
