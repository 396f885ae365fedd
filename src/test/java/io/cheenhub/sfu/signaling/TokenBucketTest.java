package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void burstIsAllowedThenRefusedUntilRefilled() {
    var bucket = new TokenBucket(100, 100, 0);

    int taken = 0;
    while (bucket.tryTake(0)) {
      taken++;
    }

    assertThat(taken).isEqualTo(100);
    assertThat(bucket.tryTake(SECOND / 200)).isFalse(); // half a token refilled
    assertThat(bucket.tryTake(SECOND / 100)).isTrue(); // one token refilled
    assertThat(bucket.tryTake(SECOND / 100)).isFalse();
  }

  @Test
  void sustainedRateAtTheLimitIsNeverRefused() {
    var bucket = new TokenBucket(100, 100, 0);
    for (int i = 0; i < 10_000; i++) {
      assertThat(bucket.tryTake(i * (SECOND / 100))).as("message %d", i).isTrue();
    }
  }

  @Test
  void idleTimeDoesNotAccumulateBeyondCapacity() {
    var bucket = new TokenBucket(100, 10, 0);
    int taken = 0;
    while (bucket.tryTake(3_600 * SECOND)) {
      taken++;
    }
    assertThat(taken).isEqualTo(10);
  }
}
