package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.rtp.RtcpNack;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When the server asks a publisher to resend, and when it stops asking. */
class NackGeneratorTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final int SSRC = 0x5151;

  private final NackGenerator nacks = new NackGenerator();
  private final byte[] buf = new byte[NackGenerator.MAX_PACKET_BYTES];
  private final RtcpNack view = new RtcpNack();

  /** The sequence numbers a NACK written now asks for (none: empty). */
  private List<Integer> nackAt(long now) {
    int length = nacks.write(buf, 0, 1, now);
    var asked = new ArrayList<Integer>();
    if (length == 0) {
      return asked;
    }
    assertThat(view.wrap(buf, 0, length)).isTrue();
    assertThat(view.mediaSsrc()).isEqualTo(SSRC);
    for (int i = 0; i < view.entryCount(); i++) {
      asked.add(view.packetId(i));
      assertThat(view.lostBitmask(i)).isZero();
    }
    return asked;
  }

  @Test
  void aGapIsAskedForAtOnceThenAgainEveryRetryIntervalThenGivenUp() {
    nacks.onPacket(SSRC, 100, 0);
    nacks.onPacket(SSRC, 103, 20 * MS); // 101 and 102 missing
    assertThat(nacks.isDue(20 * MS)).isTrue();
    long retry = NackGenerator.RETRY_NANOS;
    long at = 20 * MS;
    for (int attempt = 0; attempt < NackGenerator.MAX_ATTEMPTS; attempt++, at += retry) {
      assertThat(nacks.isDue(at - MS)).as("not before the retry interval").isFalse();
      assertThat(nackAt(at)).containsExactlyInAnyOrder(101, 102);
    }
    assertThat(nackAt(at)).as("no more after MAX_ATTEMPTS").isEmpty();
    assertThat(nacks.requested()).isEqualTo(2L * NackGenerator.MAX_ATTEMPTS);
  }

  @Test
  void aResentPacketIsNotAskedForAgain() {
    nacks.onPacket(SSRC, 65_534, 0);
    nacks.onPacket(SSRC, 1, 20 * MS); // 65535 and 0 missing, across the wrap
    assertThat(nackAt(20 * MS)).containsExactlyInAnyOrder(65_535, 0);
    nacks.onPacket(SSRC, 0, 25 * MS); // resent
    assertThat(nackAt(20 * MS + NackGenerator.RETRY_NANOS)).containsExactly(65_535);
    assertThat(nacks.recovered()).isEqualTo(1);
  }

  @Test
  void outagesANewSourceAndOldGapsAreNotChased() {
    nacks.onPacket(SSRC, 10, 0);
    nacks.onPacket(SSRC, 10 + NackGenerator.MAX_GAP + 2, 20 * MS); // an outage, not loss
    assertThat(nacks.isDue(20 * MS)).isFalse();
    nacks.onPacket(SSRC, 40, 40 * MS);
    nacks.onPacket(SSRC + 1, 500, 60 * MS); // a new SSRC starts over
    nacks.onPacket(SSRC + 1, 502, 80 * MS);
    assertThat(nacks.isDue(80 * MS)).isTrue();
    // Past GIVE_UP the gap is forgotten even with attempts left.
    assertThat(nacks.write(buf, 0, 1, 80 * MS + NackGenerator.GIVE_UP_NANOS + MS)).isZero();
  }

  @Test
  void reorderingWithinTheWindowIsNotLoss() {
    nacks.onPacket(SSRC, 1, 0);
    nacks.onPacket(SSRC, 3, 20 * MS);
    nacks.onPacket(SSRC, 2, 21 * MS); // late, before the NACK went out
    assertThat(nacks.isDue(21 * MS)).isFalse();
  }
}
