package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** RFC 3550 A.1 sequence tracking and A.8 jitter against hand-computed values. */
class ReceiveStatisticsTest {

  private static final int SSRC = 0x1234_5678;
  private static final long T0 = TimeUnit.SECONDS.toNanos(1_000);

  private final ReceiveStatistics stats = new ReceiveStatistics();

  private static long ms(long millis) {
    return T0 + TimeUnit.MILLISECONDS.toNanos(millis);
  }

  /** Starts the source like {@link ReceiverReports} does and feeds the first packet. */
  private boolean first(int seq) {
    stats.start(SSRC, seq, ms(0));
    return stats.onRtp(seq, 0, ms(0));
  }

  @Test
  void aNewSourceIsOnProbationUntilTwoPacketsInSequence() {
    assertThat(first(500)).isFalse();
    assertThat(stats.isValid()).isFalse();
    assertThat(stats.expected()).isZero();

    assertThat(stats.onRtp(501, 960, ms(20))).isTrue();
    assertThat(stats.isValid()).isTrue();
    // A.1: init_seq at the end of probation: the second packet is the base, received once.
    assertThat(stats.received()).isEqualTo(1);
    assertThat(stats.expected()).isEqualTo(1);
    assertThat(stats.extendedHighestSequence()).isEqualTo(501);
  }

  @Test
  void probationStartsOverOnAnOutOfSequencePacket() {
    first(500);
    assertThat(stats.onRtp(600, 0, ms(20))).isFalse(); // not 501: probation = MIN_SEQUENTIAL - 1
    assertThat(stats.onRtp(601, 0, ms(40))).isTrue();
    assertThat(stats.extendedHighestSequence()).isEqualTo(601);
    assertThat(stats.received()).isEqualTo(1);
  }

  @Test
  void sequenceWrapCountsACycle() {
    first(65_533);
    for (int seq : new int[] {65_534, 65_535, 0, 1}) {
      assertThat(stats.onRtp(seq, 0, ms(20))).isTrue();
    }
    // Base 65534 after probation; max 1 in cycle 1: extended 65536 + 1.
    assertThat(stats.extendedHighestSequence()).isEqualTo(65_537);
    assertThat(stats.expected()).isEqualTo(65_537 - 65_534 + 1);
    assertThat(stats.received()).isEqualTo(4);
    assertThat(stats.cumulativeLost()).isZero();
  }

  @Test
  void aLateReorderedPacketBeforeTheWrapDoesNotCountACycle() {
    first(65_534);
    stats.onRtp(65_535, 0, ms(20));
    stats.onRtp(1, 0, ms(40)); // 0 is late
    stats.onRtp(0, 0, ms(45));
    assertThat(stats.extendedHighestSequence()).isEqualTo(65_536 + 1);
    assertThat(stats.received()).isEqualTo(3);
    assertThat(stats.cumulativeLost()).isZero();
  }

  @Test
  void lossIsExpectedMinusReceived() {
    first(10);
    for (int seq : new int[] {11, 12, 14, 15, 18}) {
      assertThat(stats.onRtp(seq, 0, ms(20))).isTrue();
    }
    // Base 11, max 18: 8 expected, 5 received (11 12 14 15 18), 3 lost (13 16 17).
    assertThat(stats.expected()).isEqualTo(8);
    assertThat(stats.received()).isEqualTo(5);
    assertThat(stats.cumulativeLost()).isEqualTo(3);
  }

  @Test
  void duplicatesMakeLossNegative() {
    first(10);
    stats.onRtp(11, 0, ms(20));
    stats.onRtp(12, 0, ms(40));
    stats.onRtp(12, 0, ms(41));
    stats.onRtp(11, 0, ms(42));
    assertThat(stats.expected()).isEqualTo(2);
    assertThat(stats.received()).isEqualTo(4);
    assertThat(stats.cumulativeLost()).isEqualTo(-2);
  }

  @Test
  void aLargeJumpIsIgnoredOnceThenTakenAsARestart() {
    first(100);
    for (int seq = 101; seq <= 110; seq++) {
      stats.onRtp(seq, seq * 960L, ms(seq * 20L));
    }
    int generation = stats.generation();
    assertThat(stats.onRtp(40_000, 0, ms(3_000))).isFalse(); // bad_seq = 40001
    assertThat(stats.extendedHighestSequence()).isEqualTo(110);
    assertThat(stats.onRtp(40_001, 960, ms(3_020))).isTrue(); // restart: init_seq(40001)
    assertThat(stats.generation()).isNotEqualTo(generation);
    assertThat(stats.extendedHighestSequence()).isEqualTo(40_001);
    assertThat(stats.expected()).isEqualTo(1);
    assertThat(stats.received()).isEqualTo(1);
  }

  @Test
  void aLargeJumpThatIsNotFollowedIsDropped() {
    first(100);
    stats.onRtp(101, 0, ms(20));
    assertThat(stats.onRtp(30_000, 0, ms(40))).isFalse();
    assertThat(stats.onRtp(102, 0, ms(60))).isTrue();
    assertThat(stats.onRtp(30_002, 0, ms(80))).isFalse(); // not bad_seq 30001: ignored again
    assertThat(stats.extendedHighestSequence()).isEqualTo(102);
    assertThat(stats.received()).isEqualTo(2);
  }

  @Test
  void jitterFollowsTheIntegerFormOfA8() {
    // 20 ms frames (960 ticks); arrivals at 0, 20, 50, 60, 100 ms.
    first(1);
    stats.onRtp(2, 960, ms(20)); // end of probation: first transit, no D yet
    assertThat(stats.jitter()).isZero();
    // D = 30 ms - 20 ms = 10 ms = 480 ticks: J16 = 0 + 480 - ((0 + 8) >> 4) = 480, J = 30.
    stats.onRtp(3, 1_920, ms(50));
    assertThat(stats.jitter()).isEqualTo(30);
    // |D| = |10 ms - 20 ms| = 480: J16 = 480 + 480 - ((480 + 8) >> 4 = 30) = 930, J = 58.
    stats.onRtp(4, 2_880, ms(60));
    assertThat(stats.jitter()).isEqualTo(58);
    // D = 40 ms - 20 ms = 960: J16 = 930 + 960 - ((930 + 8) >> 4 = 58) = 1832, J = 114.
    stats.onRtp(5, 3_840, ms(100));
    assertThat(stats.jitter()).isEqualTo(114);
  }

  @Test
  void jitterIgnoresATimestampWrap() {
    long base = 0xFFFF_FFFFL - 959; // the next packet's timestamp wraps to 0
    first(1);
    stats.onRtp(2, base, ms(20));
    stats.onRtp(3, (base + 960) & 0xFFFF_FFFFL, ms(40));
    stats.onRtp(4, (base + 1_920) & 0xFFFF_FFFFL, ms(60));
    assertThat(stats.jitter()).isZero();
  }

  @Test
  void perfectlyPacedPacketsHaveNoJitter() {
    first(0);
    for (int seq = 1; seq < 200; seq++) {
      stats.onRtp(seq, 7_000L + seq * 960L, ms(seq * 20L));
    }
    assertThat(stats.jitter()).isZero();
  }
}
