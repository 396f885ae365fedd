package io.cheenhub.sfu.signaling;

import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import java.util.List;
import java.util.Map;

/**
 * Every signaling message, one JSON object per WebSocket text frame; {@code "type"} selects the
 * record. The protocol, with an example per message, is documented in docs/api-reference.md.
 *
 * <p>Optional fields are {@code null} when absent and are left out when written. {@code requestId}
 * is chosen by the client and copied into the reply (and into an {@code error}) it caused.
 */
@JsonbTypeInfo(
    key = "type",
    value = {
      @JsonbSubtype(alias = "join", type = Message.Join.class),
      @JsonbSubtype(alias = "leave", type = Message.Leave.class),
      @JsonbSubtype(alias = "ping", type = Message.Ping.class),
      @JsonbSubtype(alias = "publishOffer", type = Message.PublishOffer.class),
      @JsonbSubtype(alias = "publishIce", type = Message.PublishIce.class),
      @JsonbSubtype(alias = "subscribe", type = Message.Subscribe.class),
      @JsonbSubtype(alias = "consumeAnswer", type = Message.ConsumeAnswer.class),
      @JsonbSubtype(alias = "consumeIce", type = Message.ConsumeIce.class),
      @JsonbSubtype(alias = "setLayerPreference", type = Message.SetLayerPreference.class),
      @JsonbSubtype(alias = "setMuted", type = Message.SetMuted.class),
      @JsonbSubtype(alias = "publishAnswer", type = Message.PublishAnswer.class),
      @JsonbSubtype(alias = "consumeOffer", type = Message.ConsumeOffer.class),
      @JsonbSubtype(alias = "trackAdded", type = Message.TrackAdded.class),
      @JsonbSubtype(alias = "trackRemoved", type = Message.TrackRemoved.class),
      @JsonbSubtype(alias = "joined", type = Message.Joined.class),
      @JsonbSubtype(alias = "left", type = Message.Left.class),
      @JsonbSubtype(alias = "participantJoined", type = Message.ParticipantJoined.class),
      @JsonbSubtype(alias = "participantLeft", type = Message.ParticipantLeft.class),
      @JsonbSubtype(alias = "pong", type = Message.Pong.class),
      @JsonbSubtype(alias = "qualityUpdate", type = Message.QualityUpdate.class),
      @JsonbSubtype(alias = "layersUpdate", type = Message.LayersUpdate.class),
      @JsonbSubtype(alias = "receiveLayers", type = Message.ReceiveLayers.class),
      @JsonbSubtype(alias = "layerPreference", type = Message.LayerPreference.class),
      @JsonbSubtype(alias = "activeSpeakers", type = Message.ActiveSpeakers.class),
      @JsonbSubtype(alias = "participantMuted", type = Message.ParticipantMuted.class),
      @JsonbSubtype(alias = "error", type = Message.ErrorMessage.class),
      @JsonbSubtype(alias = "reconnect", type = Message.Reconnect.class),
      @JsonbSubtype(alias = "redirect", type = Message.Redirect.class)
    })
public sealed interface Message {

  /** Messages a client may send. */
  sealed interface ClientMessage extends Message {
    /** The client's correlation id, or null. */
    String requestId();
  }

  /** Messages only the server sends. */
  sealed interface ServerMessage extends Message {}

  /**
   * Join a room, creating it if it does not exist; with the {@code reconnectToken} of an earlier
   * {@link Joined}, take that participant back if the server still holds it. Answered by {@link
   * Joined}. {@code token} is the signed JWT that authorizes the join (docs/security.md); its
   * {@code name} claim replaces {@code displayName}.
   */
  record Join(
      String requestId,
      String roomId,
      String displayName,
      String reconnectToken,
      String token,
      String ticket)
      implements ClientMessage {}

  /** Leave a room; {@code roomId} may be left out while the connection is in exactly one room. */
  record Leave(String requestId, String roomId) implements ClientMessage {}

  /** Application-level keep-alive and round-trip probe; {@code ts} is echoed in the pong. */
  record Ping(String requestId, Long ts) implements ClientMessage {}

  /**
   * The browser's offer for its publish PeerConnection (sendonly audio). Answered by {@link
   * PublishAnswer}; a new offer replaces the previous publish transport. {@code layers}, if given,
   * says which m-line sends which audio layer of the microphone ({@code h}, {@code m}, {@code l}):
   * the server treats them as one source (docs/quality.md, "Audio layers").
   */
  record PublishOffer(String requestId, String roomId, String sdp, List<MidLayer> layers)
      implements ClientMessage {}

  /** One entry of {@link PublishOffer#layers}: m-line {@code mid} sends layer {@code layer}. */
  record MidLayer(String mid, String layer) {}

  /**
   * Caps the audio layer this listener receives: from {@code participantId}, or from everyone when
   * it is null; {@code maxLayer} {@code h} lifts the cap. Answered by {@link LayerPreference}.
   */
  record SetLayerPreference(String requestId, String roomId, String maxLayer, String participantId)
      implements ClientMessage {}

  /**
   * A trickled ICE candidate of the publish PeerConnection; an empty {@code candidate} means end of
   * candidates. Not answered unless invalid: the server learns the browser's address from its
   * checks.
   */
  record PublishIce(
      String requestId, String roomId, String candidate, String sdpMid, Integer sdpMLineIndex)
      implements ClientMessage {}

  /**
   * Asks for the subscribe PeerConnection (everyone else's audio). Answered by {@link TrackAdded}
   * for each stream already there and a {@link ConsumeOffer}; a new one replaces the previous
   * subscribe transport.
   */
  record Subscribe(String requestId, String roomId) implements ClientMessage {}

  /** The browser's answer to the latest {@link ConsumeOffer}. Not answered unless refused. */
  record ConsumeAnswer(String requestId, String roomId, String sdp) implements ClientMessage {}

  /** A trickled ICE candidate of the subscribe PeerConnection; rules as {@link PublishIce}. */
  record ConsumeIce(
      String requestId, String roomId, String candidate, String sdpMid, Integer sdpMLineIndex)
      implements ClientMessage {}

  /** The server's offer for the subscribe PeerConnection; answer it with {@link ConsumeAnswer}. */
  record ConsumeOffer(String requestId, String roomId, String sdp) implements ServerMessage {}

  /**
   * A publisher's track is (or, with the next offer, will be) on your subscribe PeerConnection:
   * {@code streamId} is its {@code a=msid} stream id, {@code mid} its m-line.
   */
  record TrackAdded(
      String roomId, String participantId, String streamId, String trackId, String mid)
      implements ServerMessage {}

  /** That track ended; the next offer retires its m-line. */
  record TrackRemoved(String roomId, String participantId, String streamId, String mid)
      implements ServerMessage {}

  /** The server's answer for the publish PeerConnection. */
  record PublishAnswer(String requestId, String roomId, String sdp) implements ServerMessage {}

  /**
   * One participant as the others see it; {@code muted} is true while its microphone is muted (left
   * out otherwise).
   */
  record ParticipantInfo(String participantId, String displayName, String quality, Boolean muted) {}

  /**
   * The join succeeded: your own id, everyone else there (oldest first), the token to take this
   * place back after a lost connection, whether this join did that, and the TURN servers to give
   * both PeerConnections (null when none is configured).
   */
  record Joined(
      String requestId,
      String roomId,
      String participantId,
      List<ParticipantInfo> participants,
      String reconnectToken,
      boolean resumed,
      List<IceServer> iceServers)
      implements ServerMessage {}

  /**
   * One entry of {@code RTCConfiguration.iceServers} (W3C WebRTC §4.2.2), with a TURN REST API
   * credential: {@code username} is {@code <expiry unix seconds>:<participantId>}, {@code
   * credential} its HMAC-SHA1 under the shared secret, base64.
   */
  record IceServer(List<String> urls, String username, String credential) {}

  /** The leave succeeded. */
  record Left(String requestId, String roomId) implements ServerMessage {}

  /** Someone joined a room you are in. */
  record ParticipantJoined(String roomId, ParticipantInfo participant) implements ServerMessage {}

  /** Someone left a room you are in; {@code reason} is leave, disconnect, timeout or shutdown. */
  record ParticipantLeft(String roomId, String participantId, String reason)
      implements ServerMessage {}

  /** Answer to {@link Ping}; {@code serverTime} is the server's clock in epoch milliseconds. */
  record Pong(String requestId, Long ts, long serverTime) implements ServerMessage {}

  /**
   * A publisher's audio quality level changed (issue 7 adaptation): sent to everyone in the room;
   * the publisher itself caps its sender at {@code maxBitrateKbps}, the others show the level.
   */
  record QualityUpdate(String roomId, String participantId, String level, int maxBitrateKbps)
      implements ServerMessage {}

  /**
   * To a publisher with layers: which of them to send now ({@code true}: send). Sent after the
   * publish answer and whenever listeners' needs change; the web client sets {@code active} on the
   * layer's sender.
   */
  record LayersUpdate(String roomId, Map<String, Boolean> layers) implements ServerMessage {}

  /**
   * To a listener: the layer it now receives from each speaker that has layers (participant id →
   * {@code h}, {@code m} or {@code l}). Sent when one changes, at most once a second.
   */
  record ReceiveLayers(String roomId, Map<String, String> layers) implements ServerMessage {}

  /** The cap of a {@link SetLayerPreference} is in force. */
  record LayerPreference(String requestId, String roomId, String maxLayer, String participantId)
      implements ServerMessage {}

  /**
   * A large room's speaker slots changed (docs/architecture.md, "Large rooms"): who speaks in each
   * slot ({@code participantId} null: nobody) with a level in dB above that speaker's noise floor,
   * and the dominant speaker. Sent to everyone before the new speakers' first packets.
   */
  record ActiveSpeakers(String roomId, List<SpeakerSlot> slots, String dominant)
      implements ServerMessage {}

  /**
   * The microphone is muted ({@code muted} true) or live again. Answered by {@link
   * ParticipantMuted}, which everyone in the room gets. A muted publisher also leaves its speaker
   * slot in a large room at the next selection pass (100 ms).
   */
  record SetMuted(String requestId, String roomId, Boolean muted) implements ClientMessage {}

  /** {@code participantId} muted or unmuted; {@code requestId} only in the reply to its request. */
  record ParticipantMuted(String requestId, String roomId, String participantId, boolean muted)
      implements ServerMessage {}

  /**
   * One slot of {@link ActiveSpeakers}: its track is {@code slot-<slot>} in the subscribe offer.
   */
  record SpeakerSlot(int slot, String participantId, int level) {}

  /** A request failed or a frame was refused; {@code code} is stable, {@code message} is prose. */
  record ErrorMessage(String requestId, String code, String message) implements ServerMessage {}

  /**
   * The server is draining (restart, undeploy, taken out of service): the socket closes next with
   * 1012 (Service Restart); reconnect after about {@code delayMs} and join again with the reconnect
   * token. Sent to every connection, in or out of rooms.
   */
  record Reconnect(String reason, int delayMs) implements ServerMessage {}

  /**
   * The room lives on another instance of the cluster (docs/deployment.md, "Cluster"): connect to
   * {@code url} (a WebSocket URL) and send the same {@code join} again with {@code ticket}. Sent
   * instead of {@code joined} (with the join's {@code requestId}), or to a participant whose room
   * moved (drain, re-placement; no {@code requestId}; the participant has left here).
   */
  record Redirect(String requestId, String roomId, String url, String ticket)
      implements ServerMessage {}
}
