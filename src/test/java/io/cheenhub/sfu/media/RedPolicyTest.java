package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedPolicyTest {

  private static final long TICK_MILLIS = 1_000;
  private static final long UNKNOWN = -1;
  private static final long PRIMARY_BPS = 50_000; // 32 kbit/s Opus + headers at 50 packets/s
  private static final long ENOUGH_BPS = 1_000_000;

  private final RedPolicy policy = new RedPolicy();
  private long now;

  private boolean tick(double loss) {
    return tick(loss, UNKNOWN);
  }

  private boolean tick(double loss, long estimateBps) {
    now += TICK_MILLIS;
    return policy.onTick(loss, estimateBps, PRIMARY_BPS, now);
  }

  @Test
  void startsStripped() {
    assertThat(policy.isKept()).isFalse();
    assertThat(policy.changes()).isZero();
    assertThat(tick(0)).isFalse();
  }

  @Test
  void keepsRedAsSoonAsTickLossExceedsOnePercent() {
    assertThat(tick(0.01)).as("exactly 1 %").isFalse();
    assertThat(tick(0.0101)).isTrue();
    assertThat(policy.isKept()).isTrue();
    assertThat(policy.changes()).isOne();
  }

  @Test
  void lossBetweenTheThresholdsLeavesAStrippedSubscriberStripped() {
    for (int i = 0; i < 30; i++) {
      assertThat(tick(0.008)).isFalse();
    }
    assertThat(policy.changes()).isZero();
  }

  @Test
  void stripsAgainAfterTenSecondsAtOrBelowHalfAPercent() {
    tick(0.05);
    for (int i = 0; i < 9; i++) {
      assertThat(tick(0.005)).as("clean second %d", i + 1).isTrue();
    }
    assertThat(tick(0.005)).isFalse();
    assertThat(policy.changes()).isEqualTo(2);
  }

  @Test
  void lossAboveHalfAPercentRestartsTheCleanTime() {
    tick(0.05);
    for (int i = 0; i < 8; i++) {
      tick(0);
    }
    assertThat(tick(0.0051)).as("below 1 %: stays kept").isTrue();
    for (int i = 0; i < 9; i++) {
      assertThat(tick(0)).isTrue();
    }
    assertThat(tick(0)).isFalse();
  }

  @Test
  void aLowEstimateStripsEvenOnLoss() {
    long justBelow = (long) (RedPolicy.RED_BANDWIDTH_FACTOR * PRIMARY_BPS) - 1;
    assertThat(tick(0.20, justBelow)).isFalse();
    assertThat(policy.changes()).isZero();
    assertThat(tick(0.20, 90_000)).as("exactly 1.8 times is enough").isTrue();
    assertThat(tick(0.20, justBelow)).as("congestion strips at once").isFalse();
    assertThat(tick(0.20, ENOUGH_BPS)).as("and loss keeps again once there is room").isTrue();
    assertThat(policy.changes()).isEqualTo(3);
  }

  @Test
  void theBandwidthRuleNeedsBothRates() {
    assertThat(policy.onTick(0.20, UNKNOWN, PRIMARY_BPS, 1_000)).isTrue();
    assertThat(policy.onTick(0.20, 10_000, 0, 2_000)).as("primary rate unknown").isTrue();
    assertThat(policy.onTick(0.20, 10_000, PRIMARY_BPS, 3_000)).isFalse();
  }

  @Test
  void congestionAppliesOnTicksWithoutLossInformation() {
    tick(0.05);
    assertThat(tick(Double.NaN, 10_000)).isFalse();
  }

  @Test
  void ticksWithoutLossInformationHoldAndDoNotCountAsCleanTime() {
    tick(0.05);
    for (int i = 0; i < 5; i++) {
      tick(0, ENOUGH_BPS);
    }
    for (int i = 0; i < 20; i++) {
      assertThat(tick(Double.NaN)).isTrue();
      assertThat(tick(-1)).isTrue();
    }
    for (int i = 0; i < 4; i++) {
      assertThat(tick(0)).isTrue();
    }
    assertThat(tick(0)).isFalse();
    assertThat(policy.changes()).isEqualTo(2);
  }

  @Test
  void aLossySubscriberKeepsRedForGood() {
    for (int i = 0; i < 120; i++) {
      assertThat(tick(i % 3 == 0 ? 0.03 : 0.007, ENOUGH_BPS)).isTrue();
    }
    assertThat(policy.changes()).isOne();
  }
}
