package io.cheenhub.sfu.room;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that writes every event it gets as a line, for exact assertions. */
class RecordingListener implements ParticipantListener {

  final List<String> events = new CopyOnWriteArrayList<>();
  volatile Participant self;

  @Override
  public void onJoined(Room room, Participant self, List<Participant> others) {
    this.self = self;
    events.add(
        "joined "
            + room.id()
            + " as "
            + self.displayName()
            + " with "
            + others.stream().map(Participant::displayName).toList());
  }

  @Override
  public void onParticipantJoined(Room room, Participant other) {
    events.add("participantJoined " + other.displayName());
  }

  @Override
  public void onParticipantLeft(Room room, Participant other, LeaveReason reason) {
    events.add("participantLeft " + other.displayName() + " " + reason.wireValue());
  }
}
