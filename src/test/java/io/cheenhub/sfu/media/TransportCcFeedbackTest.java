package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.rtp.RtcpCompound;
import io.cheenhub.sfu.rtp.RtcpPacket;
import io.cheenhub.sfu.rtp.RtcpTransportCc;
import io.cheenhub.sfu.rtp.RtcpWriter;
import io.cheenhub.sfu.rtp.TransportCcCursor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Writes transport-cc feedback with the recorder and reads it back with the rtp cursor. */
class TransportCcFeedbackTest {

  private static final int SENDER = 0x11223344;
  private static final int MEDIA = 0x9ABCDEF0;
  private static final long MS = 1_000_000L;
  // Arrival times start here so reference times stay positive and below 2^23 (no 24-bit wrap).
  private static final long START = 10_000 * MS;
  private static final int OFF = 7;

  /** One decoded feedback. */
  record Feedback(int base, int count, int feedbackCount, int length, List<Status> statuses) {}

  /** One decoded status. */
  record Status(int sequence, boolean received, long arrivalMicros) {}

  private final TransportCcFeedback recorder = new TransportCcFeedback();
  private final byte[] buf = new byte[OFF + TransportCcFeedback.MAX_FEEDBACK_BYTES];
  private final RtcpCompound compound = new RtcpCompound();
  private final RtcpTransportCc view = new RtcpTransportCc();
  private final TransportCcCursor cursor = new TransportCcCursor();

  /** Writes one feedback and decodes it; null if nothing was pending. */
  private Feedback writeAndDecode(long nowNanos) {
    int n = recorder.write(buf, OFF, SENDER, MEDIA, nowNanos);
    if (n == 0) {
      return null;
    }
    assertThat(n).isPositive().isLessThanOrEqualTo(TransportCcFeedback.MAX_FEEDBACK_BYTES);
    assertThat(n % 4).isZero();
    compound.wrap(buf, OFF, n);
    assertThat(compound.next()).isTrue();
    assertThat(compound.packetType()).isEqualTo(RtcpPacket.TYPE_RTPFB);
    assertThat(compound.packetLength()).isEqualTo(n);
    assertThat(view.wrap(compound)).isTrue();
    assertThat(view.senderSsrc()).isEqualTo(SENDER);
    assertThat(view.mediaSsrc()).isEqualTo(MEDIA);
    assertThat(cursor.wrap(view)).as("%s", cursor.problem()).isTrue();
    List<Status> statuses = new ArrayList<>();
    while (cursor.next()) {
      statuses.add(new Status(cursor.sequenceNumber(), cursor.received(), cursor.arrivalMicros()));
    }
    assertThat(compound.next()).isFalse();
    assertThat(compound.problem()).isEqualTo(RtcpCompound.Problem.NONE);
    assertThat(statuses).hasSize(view.packetStatusCount()).isNotEmpty();
    return new Feedback(
        view.baseSequenceNumber(),
        view.packetStatusCount(),
        view.feedbackPacketCount(),
        n,
        statuses);
  }

  private static void assertArrival(Status status, long arrivalNanos) {
    assertThat(status.received()).as("seq %d received", status.sequence()).isTrue();
    // Deltas are 250 µs units counted from the floored arrival time: never late, < 250 µs early.
    assertThat(arrivalNanos / 1000 - status.arrivalMicros())
        .as("seq %d arrival", status.sequence())
        .isBetween(0L, 249L);
  }

  @Test
  void inOrderPacketsRoundTrip() {
    for (int i = 0; i < 10; i++) {
      recorder.onPacket(100 + i, START + i * 20 * MS + i * 1234);
    }
    Feedback f = writeAndDecode(START + 200 * MS);
    assertThat(f.base()).isEqualTo(100);
    assertThat(f.count()).isEqualTo(10);
    assertThat(f.feedbackCount()).isZero();
    for (int i = 0; i < 10; i++) {
      assertArrival(f.statuses().get(i), START + i * 20 * MS + i * 1234);
    }
    assertThat(writeAndDecode(START + 300 * MS)).as("nothing pending").isNull();
    recorder.onPacket(110, START + 300 * MS);
    assertThat(writeAndDecode(START + 400 * MS).feedbackCount()).isEqualTo(1);
  }

  @Test
  void nothingPendingWritesNothing() {
    assertThat(recorder.isDue(START)).isFalse();
    assertThat(recorder.write(buf, 0, SENDER, MEDIA, START)).isZero();
  }

  @Test
  void sequenceWrapsAt65535() {
    for (int i = 0; i < 6; i++) {
      recorder.onPacket((65533 + i) & 0xFFFF, START + i * MS);
    }
    Feedback f = writeAndDecode(START + 100 * MS);
    assertThat(f.base()).isEqualTo(65533);
    assertThat(f.statuses())
        .extracting(Status::sequence)
        .containsExactly(65533, 65534, 65535, 0, 1, 2);
    assertThat(f.statuses()).allMatch(Status::received);
  }

  @Test
  void gapsAreReportedAsNotReceivedAndLateArrivalsFillTheirSlot() {
    recorder.onPacket(10, START);
    recorder.onPacket(13, START + 60 * MS);
    recorder.onPacket(12, START + 61 * MS); // reordered inside the pending window
    recorder.onPacket(13, START + 90 * MS); // duplicate: the first arrival stands
    recorder.onPacket(16, START + 100 * MS);
    Feedback f = writeAndDecode(START + 100 * MS);
    assertThat(f.statuses())
        .extracting(Status::received)
        .containsExactly(true, false, true, true, false, false, true);
    assertArrival(f.statuses().get(3), START + 60 * MS);
    assertArrival(f.statuses().get(2), START + 61 * MS);

    recorder.onPacket(11, START + 120 * MS); // already reported as lost: ignored
    recorder.onPacket(14, START + 121 * MS);
    assertThat(recorder.isDue(START + 150 * MS)).isFalse();
    assertThat(writeAndDecode(START + 150 * MS)).isNull();
  }

  @Test
  void aPacketBeforeTheFirstOneExtendsTheWindowUntilTheFirstFeedback() {
    recorder.onPacket(20, START + 20 * MS);
    recorder.onPacket(18, START + 21 * MS);
    Feedback f = writeAndDecode(START + 100 * MS);
    assertThat(f.base()).isEqualTo(18);
    assertThat(f.statuses()).extracting(Status::received).containsExactly(true, false, true);
  }

  @Test
  void timeGoingBackwardsIsANegativeDelta() {
    recorder.onPacket(1, START + 50 * MS);
    recorder.onPacket(2, START + 10 * MS);
    recorder.onPacket(3, START + 10 * MS + 300_000);
    Feedback f = writeAndDecode(START + 100 * MS);
    assertArrival(f.statuses().get(0), START + 50 * MS);
    assertArrival(f.statuses().get(1), START + 10 * MS);
    assertArrival(f.statuses().get(2), START + 10 * MS + 300_000);
  }

  @Test
  void aDeltaBeyond16BitsStartsANewFeedback() {
    recorder.onPacket(1, START);
    recorder.onPacket(2, START + 20 * MS);
    recorder.onPacket(4, START + 20 * MS + 8_192 * MS); // 32768 units: one past the signed range
    recorder.onPacket(5, START + 20 * MS + 8_212 * MS);
    Feedback first = writeAndDecode(START + 9_000 * MS);
    assertThat(first.statuses()).extracting(Status::sequence).containsExactly(1, 2, 3);
    assertThat(first.statuses()).extracting(Status::received).containsExactly(true, true, false);
    Feedback second = writeAndDecode(START + 9_000 * MS);
    assertThat(second.base()).isEqualTo(4);
    assertArrival(second.statuses().get(0), START + 20 * MS + 8_192 * MS);
    assertArrival(second.statuses().get(1), START + 20 * MS + 8_212 * MS);
    assertThat(second.feedbackCount()).isEqualTo(1);
  }

  @Test
  void theLargestNegativeDeltaStillFits() {
    recorder.onPacket(1, START + 8_192 * MS);
    recorder.onPacket(2, START + 64 * MS); // at most -8192 ms + 64 ms from the first
    Feedback f = writeAndDecode(START + 9_000 * MS);
    assertThat(f.count()).isEqualTo(2);
    assertArrival(f.statuses().get(1), START + 64 * MS);
  }

  @Test
  void aLongSpanIsSplitAtTheCapAndIsDueEarly() {
    int cap = TransportCcFeedback.MAX_STATUSES_PER_FEEDBACK;
    recorder.onPacket(0, START);
    for (int i = 1; i < cap - 1; i++) {
      recorder.onPacket(i, START + i * 100_000L);
    }
    assertThat(recorder.isDue(START + MS)).isFalse();
    recorder.onPacket(cap + 99, START + 60 * MS);
    assertThat(recorder.isDue(START + MS)).as("span reached the cap").isTrue();
    Feedback first = writeAndDecode(START + MS);
    assertThat(first.count()).isEqualTo(cap);
    assertThat(first.statuses().get(cap - 2).received()).isTrue();
    assertThat(first.statuses().get(cap - 1).received()).isFalse();
    Feedback rest = writeAndDecode(START + 2 * MS);
    assertThat(rest.base()).isEqualTo(cap);
    assertThat(rest.count()).isEqualTo(100);
    assertArrival(rest.statuses().get(99), START + 60 * MS);
  }

  @Test
  void isDueAfterTheIntervalOrWhenTheClockGoesBack() {
    recorder.onPacket(1, START);
    long interval = TransportCcFeedback.FEEDBACK_INTERVAL_NANOS;
    assertThat(recorder.isDue(START + interval - 1)).isFalse();
    assertThat(recorder.isDue(START + interval)).isTrue();
    writeAndDecode(START + interval);
    recorder.onPacket(2, START + interval + MS);
    assertThat(recorder.isDue(START + 2 * interval - 1)).isFalse();
    assertThat(recorder.isDue(START + 2 * interval)).isTrue();
    assertThat(recorder.isDue(START)).as("clock went back").isTrue();
  }

  @Test
  void aTooSmallBufferWritesNothingAndKeepsTheStatuses() {
    recorder.onPacket(1, START);
    recorder.onPacket(2, START + MS);
    assertThat(recorder.write(new byte[20], 0, SENDER, MEDIA, START)).isEqualTo(RtcpWriter.NO_ROOM);
    assertThat(recorder.write(buf, buf.length - 4, SENDER, MEDIA, START))
        .isEqualTo(RtcpWriter.NO_ROOM);
    Feedback f = writeAndDecode(START);
    assertThat(f.count()).isEqualTo(2);
    assertThat(f.feedbackCount()).isZero();
  }

  @Test
  void mixedLargeAndSmallDeltasStayWithinMaxFeedbackBytes() {
    // Six large deltas (±300 ms) then a small one: 2-bit vectors throughout, ~1.9 bytes a status.
    int cap = TransportCcFeedback.MAX_STATUSES_PER_FEEDBACK;
    long[] arrivals = new long[cap];
    for (int i = 0; i < cap; i++) {
      arrivals[i] = i % 7 == 6 ? arrivals[i - 1] + MS : START + (i % 2) * 300 * MS;
      recorder.onPacket(i, arrivals[i]);
    }
    Feedback f = writeAndDecode(START + 400 * MS);
    assertThat(f.count()).isEqualTo(cap);
    assertThat(f.length()).isGreaterThan(900).isLessThanOrEqualTo(1164);
    assertThat(TransportCcFeedback.MAX_FEEDBACK_BYTES).isEqualTo(1164);
    for (int i = 0; i < cap; i++) {
      assertArrival(f.statuses().get(i), arrivals[i]);
    }
  }

  @Test
  void longRunsUseRunLengthChunks() {
    recorder.onPacket(0, START);
    recorder.onPacket(400, START + MS);
    Feedback f = writeAndDecode(START + 100 * MS);
    assertThat(f.count()).isEqualTo(401);
    // Header 20 + chunks (vector, run of 399 lost, vector... at most 3) + 2 deltas, padded.
    assertThat(f.length()).isLessThanOrEqualTo(32);
  }

  @Test
  void aJumpPastTheWindowDropsTheOlderStatuses() {
    recorder.onPacket(1, START);
    recorder.onPacket(5000, START + MS);
    Feedback f = writeAndDecode(START + 100 * MS);
    assertThat(f.base()).isEqualTo(5000);
    assertThat(f.count()).isEqualTo(1);
  }

  @Test
  void feedbackCountWrapsAt8Bits() {
    for (int i = 0; i < 300; i++) {
      recorder.onPacket(i, START + i * MS);
      assertThat(writeAndDecode(START + i * MS).feedbackCount()).isEqualTo(i & 0xFF);
    }
  }

  @Test
  void randomTrafficRoundTrips() {
    Random random = new Random(0x7CC_FEEDL);
    for (int trial = 0; trial < 200; trial++) {
      randomTrial(random, trial);
    }
  }

  /**
   * A sender's sequence numbers (from a random start, so many trials wrap) delivered with loss,
   * reordering, duplicates, jitter, backward steps and rare multi-second stalls; feedback written
   * at random times. Every decoded status must say "received" exactly when the packet arrived
   * before the feedback covering it, with its first arrival time.
   */
  private void randomTrial(Random random, int trial) {
    TransportCcFeedback rec = new TransportCcFeedback();
    int first = random.nextInt(65536);
    int packets = 200 + random.nextInt(2000);
    double loss = random.nextDouble() * 0.3;
    long now = START;
    // Delivery order: index into the sender's sequence, possibly swapped with a neighbour.
    int[] order = new int[packets];
    for (int i = 0; i < packets; i++) {
      order[i] = i;
    }
    for (int i = 0; i + 3 < packets; i++) {
      if (random.nextInt(10) == 0) {
        int j = i + 1 + random.nextInt(3);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    Map<Integer, Long> firstArrival = new HashMap<>(); // by sender index
    List<Status> decoded = new ArrayList<>();
    int expectedCount = 0;
    for (int k = 0; k < packets; k++) {
      int index = order[k];
      now += random.nextInt(25) * MS + random.nextInt(1000) * 1000L;
      if (random.nextInt(100) == 0) {
        now -= random.nextInt(200) * MS; // the receive clock steps back
      }
      if (random.nextInt(300) == 0) {
        now += 8_000 * MS + random.nextInt(2_000) * MS; // a stall: deltas beyond 16 bits
      }
      if (random.nextDouble() >= loss) {
        int copies = random.nextInt(20) == 0 ? 2 : 1;
        for (int c = 0; c < copies; c++) {
          rec.onPacket((first + index) & 0xFFFF, now + c * MS);
          firstArrival.putIfAbsent(index, now);
        }
      }
      if (random.nextInt(8) == 0 || rec.isDue(now)) {
        expectedCount =
            drain(
                rec, now, random.nextBoolean(), decoded, first, firstArrival, expectedCount, trial);
      }
    }
    drain(rec, now, true, decoded, first, firstArrival, expectedCount, trial);
    // Every packet delivered is covered by exactly one status; sequence numbers are contiguous.
    for (int i = 1; i < decoded.size(); i++) {
      assertThat(decoded.get(i).sequence())
          .as("trial %d contiguous", trial)
          .isEqualTo((decoded.get(i - 1).sequence() + 1) & 0xFFFF);
    }
    long receivedStatuses = decoded.stream().filter(Status::received).count();
    assertThat(receivedStatuses).as("trial %d", trial).isPositive();
  }

  /** Writes feedback (one, or until nothing is pending) and checks each decoded status. */
  private int drain(
      TransportCcFeedback rec,
      long now,
      boolean all,
      List<Status> decoded,
      int first,
      Map<Integer, Long> firstArrival,
      int expectedCount,
      int trial) {
    do {
      int n = rec.write(buf, OFF, SENDER, MEDIA, now);
      if (n == 0) {
        return expectedCount;
      }
      assertThat(n).isLessThanOrEqualTo(TransportCcFeedback.MAX_FEEDBACK_BYTES);
      assertThat(view.wrap(buf, OFF, n)).isTrue();
      assertThat(view.feedbackPacketCount()).isEqualTo(expectedCount & 0xFF);
      assertThat(view.packetStatusCount())
          .isBetween(1, TransportCcFeedback.MAX_STATUSES_PER_FEEDBACK);
      expectedCount++;
      assertThat(cursor.wrap(view)).as("trial %d: %s", trial, cursor.problem()).isTrue();
      while (cursor.next()) {
        int index = (cursor.sequenceNumber() - first) & 0xFFFF;
        Long arrival = firstArrival.get(index);
        assertThat(cursor.received())
            .as("trial %d seq %d", trial, cursor.sequenceNumber())
            .isEqualTo(arrival != null);
        if (arrival != null) {
          assertThat(arrival / 1000 - cursor.arrivalMicros())
              .as("trial %d seq %d arrival", trial, cursor.sequenceNumber())
              .isBetween(0L, 249L);
        }
        decoded.add(new Status(cursor.sequenceNumber(), cursor.received(), cursor.arrivalMicros()));
      }
    } while (all);
    return expectedCount;
  }
}
