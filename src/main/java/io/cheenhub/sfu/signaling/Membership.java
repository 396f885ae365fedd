package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.room.LeaveReason;
import io.cheenhub.sfu.room.Participant;
import io.cheenhub.sfu.room.ParticipantListener;
import io.cheenhub.sfu.room.Room;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** One connection's place in one room: turns room events into messages in the outbox. */
final class Membership implements ParticipantListener {

  private final Outbox outbox;
  private final String joinRequestId;
  private volatile Participant participant;
  private final long sdpSessionId = SDP_SESSION_IDS.nextLong() & Long.MAX_VALUE;
  private final AtomicLong sdpVersion = new AtomicLong(1);

  Membership(Outbox outbox, String joinRequestId) {
    this.outbox = outbox;
    this.joinRequestId = joinRequestId;
  }

  /** RFC 8866 §5.2: one random session id per PeerConnection, never reused. */
  private static final SecureRandom SDP_SESSION_IDS = new SecureRandom();

  Participant participant() {
    return participant;
  }

  /** The {@code o=} session id of the server's SDPs for this membership. */
  long sdpSessionId() {
    return sdpSessionId;
  }

  /** The next {@code o=} session version (RFC 3264 §8: it grows with every new description). */
  long nextSdpVersion() {
    return sdpVersion.getAndIncrement();
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
