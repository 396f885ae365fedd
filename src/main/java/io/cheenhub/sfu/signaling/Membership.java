package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.room.LeaveReason;
import io.cheenhub.sfu.room.Participant;
import io.cheenhub.sfu.room.ParticipantListener;
import io.cheenhub.sfu.room.Room;
import java.util.List;

/** One connection's place in one room: turns room events into messages in the outbox. */
final class Membership implements ParticipantListener {

  private final Outbox outbox;
  private final String joinRequestId;
  private volatile Participant participant;

  Membership(Outbox outbox, String joinRequestId) {
    this.outbox = outbox;
    this.joinRequestId = joinRequestId;
  }

  Participant participant() {
    return participant;
  }

  @Override
  public void onJoined(Room room, Participant self, List<Participant> others) {
    participant = self;
    outbox.send(
        new Message.Joined(
            joinRequestId, room.id(), self.id(), others.stream().map(Membership::info).toList()));
  }

  @Override
  public void onParticipantJoined(Room room, Participant other) {
    outbox.send(new Message.ParticipantJoined(room.id(), info(other)));
  }

  @Override
  public void onParticipantLeft(Room room, Participant other, LeaveReason reason) {
    outbox.send(new Message.ParticipantLeft(room.id(), other.id(), reason.wireValue()));
  }

  static Message.ParticipantInfo info(Participant participant) {
    return new Message.ParticipantInfo(participant.id(), participant.displayName());
  }
}
