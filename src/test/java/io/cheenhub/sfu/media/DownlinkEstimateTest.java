package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cheenhub.sfu.rtp.RtcpTransportCc;
import io.cheenhub.sfu.rtp.TransportCcCursor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What was sent, what the browser's transport-wide feedback says arrived, and the estimate. */
class DownlinkEstimateTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final long PACKET_INTERVAL = TimeUnit.MILLISECONDS.toNanos(20);
  private static final int BYTES = 125; // 50 packets/s × 125 B = 50 kbit/s

  private final SendHistory history = new SendHistory();
  private final DownlinkEstimate estimate = new DownlinkEstimate();
  private final byte[] buf = new byte[TransportCcFeedback.MAX_FEEDBACK_BYTES];
  private final RtcpTransportCc view = new RtcpTransportCc();
  private final TransportCcCursor cursor = new TransportCcCursor();
  private long clock = SECOND;

  /**
   * One second of 50 packets sent and the browser's feedback about them (written by the same
   * recorder that answers publishers), every {@code lossEvery}-th missing (0: none).
   */
  private void second(int lossEvery) {
    var browser = new TransportCcFeedback();
    for (int i = 0; i < 50; i++) {
      int sequence = history.nextSequence();
      history.record(sequence, BYTES, clock);
      if (lossEvery == 0 || i % lossEvery != 0) {
        browser.onPacket(sequence, clock + 5_000_000);
      }
      clock += PACKET_INTERVAL;
    }
    int length = browser.write(buf, 0, 1, 2, clock);
    assertThat(view.wrap(buf, 0, length)).isTrue();
    assertThat(cursor.wrap(view)).isTrue();
    estimate.onFeedback(cursor, history);
  }

  @Test
  void feedbackGivesTheLossOfTheSecondAndTheDeliveredRateStartsTheEstimate() {
    second(5); // 10 of 50 missing (the first one of each five)
    double loss = estimate.tick(clock);
    assertThat(loss).isCloseTo(0.2, within(0.03));
    assertThat(estimate.estimateBps()).isCloseTo(40 * BYTES * 8, within(2_000L));
    assertThat(estimate.feedbacks()).isEqualTo(1);
  }

  @Test
  void lossAboveTenPercentShrinksTheEstimateByHalfTheLossAndCleanSecondsGrowItBoundedly() {
    second(0);
    estimate.tick(clock);
    long start = estimate.estimateBps();
    assertThat(start).isCloseTo(50 * BYTES * 8, within(1_000L));

    second(5); // 20 % lost: GCC §6, × (1 − 0.5 × 0.2)
    estimate.tick(clock);
    assertThat(estimate.estimateBps()).isCloseTo((long) (start * 0.9), within(1_000L));

    for (int i = 0; i < 30; i++) {
      second(0);
      estimate.tick(clock);
    }
    // +5 % a clean second, never above 1.5 × what was delivered.
    assertThat(estimate.estimateBps()).isCloseTo((long) (1.5 * 50 * BYTES * 8), within(2_000L));
  }

  @Test
  void aSecondWithoutFeedbackIsNoInformation() {
    second(0);
    estimate.tick(clock);
    long before = estimate.estimateBps();
    assertThat(estimate.tick(clock + SECOND)).isNaN();
    assertThat(estimate.estimateBps()).isEqualTo(before);
  }

  @Test
  void numbersTheHistoryNoLongerHoldsAreCountedNotGuessed() {
    var browser = new TransportCcFeedback();
    browser.onPacket(40_000, clock); // never sent from this history
    int length = browser.write(buf, 0, 1, 2, clock);
    assertThat(view.wrap(buf, 0, length)).isTrue();
    assertThat(cursor.wrap(view)).isTrue();
    estimate.onFeedback(cursor, history);
    assertThat(estimate.unknown()).isEqualTo(1);
    assertThat(estimate.tick(clock)).isNaN();
  }

  @Test
  void aPacketReportedMissingThatArrivesLaterIsNotLoss() {
    var first = new TransportCcFeedback();
    for (int i = 0; i < 10; i++) {
      int sequence = history.nextSequence();
      history.record(sequence, BYTES, clock);
      if (sequence != 5) {
        first.onPacket(sequence, clock);
      }
      clock += PACKET_INTERVAL;
    }
    feed(first);
    var late = new TransportCcFeedback(); // the browser's next feedback: 5 came after all
    late.onPacket(5, clock);
    feed(late);
    assertThat(estimate.tick(clock)).isZero();
  }

  private void feed(TransportCcFeedback browser) {
    int length = browser.write(buf, 0, 1, 2, clock);
    assertThat(view.wrap(buf, 0, length)).isTrue();
    assertThat(cursor.wrap(view)).isTrue();
    estimate.onFeedback(cursor, history);
  }
}
