package io.cheenhub.sfu.room;

import io.cheenhub.sfu.media.ForwardingTable;
import io.cheenhub.sfu.media.QualityLevel;
import java.util.List;
import java.util.Map;

/**
 * Receives the room events that concern one participant.
 *
 * <p>Callbacks run while the room's lock is held, so that every participant sees the same order of
 * joins and leaves. Implementations must only enqueue work and return: no blocking, no I/O, no
 * calls back into the registry.
 */
public interface ParticipantListener {

  /**
   * A listener that does nothing: a participant connected to another instance (a cascaded room),
   * whose own instance tells its client; or a participant nobody listens for (tests, tools).
   */
  ParticipantListener NONE =
      new ParticipantListener() {
        @Override
        public void onJoined(Room room, Participant self, List<Participant> others) {}

        @Override
        public void onParticipantJoined(Room room, Participant other) {}

        @Override
        public void onParticipantLeft(Room room, Participant other, LeaveReason reason) {}
      };

  /** This participant has joined {@code room}; {@code others} were there before, oldest first. */
  void onJoined(Room room, Participant self, List<Participant> others);

  /** {@code other} joined a room this participant is in. */
  void onParticipantJoined(Room room, Participant other);

  /** {@code other} left a room this participant is in. */
  void onParticipantLeft(Room room, Participant other, LeaveReason reason);

  /**
   * The room's forwarding table changed (a publisher or subscriber came or went): re-read it. May
   * arrive more than once per change and from any thread; never under the room's lock.
   */
  default void onMediaChanged(Room room) {}

  /**
   * The audio quality level of {@code participantId}'s microphone changed (see {@code
   * QualityController}). From the quality tick's thread; never under the room's lock.
   */
  default void onQualityChanged(Room room, String participantId, QualityLevel level) {}

  /** This participant publishes with layers and is to send these now (name → send). */
  default void onLayersChanged(Room room, Map<String, Boolean> layers) {}

  /**
   * {@code participant} muted or unmuted ({@link Participant#isMuted()}); {@code requestId} is set
   * for the participant that asked.
   */
  default void onMutedChanged(Room room, Participant participant, String requestId) {}

  /** The room's speaker slots changed (a large room): tell the client before the audio moves. */
  default void onActiveSpeakers(Room room, ForwardingTable.SlotMap slots) {}

  /** What this participant receives from each layered speaker changed (id → layer name). */
  default void onReceivedLayersChanged(Room room, Map<String, String> layers) {}
}
