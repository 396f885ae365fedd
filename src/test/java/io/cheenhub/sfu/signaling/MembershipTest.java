package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.config.TurnSettings;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MembershipTest {

  private final Membership membership =
      new Membership(
          null, null, "j1", new ReconnectTokens(), new TurnCredentials(TurnSettings.NONE));

  @Test
  void theGraceRunsOutAtItsDeadlineNotAfterIt() {
    long deadline = 1_000_000_000L;
    membership.suspend(deadline);
    assertThat(membership.graceExpired(deadline - 1)).isFalse();
    assertThat(membership.graceExpired(deadline)).isTrue();
    assertThat(membership.graceExpired(deadline + 1)).isTrue();
  }

  @Test
  void anExpiryScheduledForTheGraceFindsItExpiredOnTime() throws Exception {
    // What SignalingService.suspend does: the deadline, then one task delayed by the grace.
    var scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      long grace = Duration.ofMillis(200).toNanos();
      long start = System.nanoTime();
      membership.suspend(start + grace);
      var fired = new CompletableFuture<Long>();
      membership.expireWith(
          scheduler.schedule(
              () -> {
                long now = System.nanoTime();
                fired.complete(membership.graceExpired(now) ? now - start : -1);
              },
              grace,
              TimeUnit.NANOSECONDS));
      long elapsed = fired.get(5, TimeUnit.SECONDS);
      assertThat(elapsed).isBetween(grace, grace + Duration.ofSeconds(1).toNanos());
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void leavingCancelsThePendingExpiry() {
    membership.suspend(System.nanoTime());
    var expiry = new CompletableFuture<Void>();
    membership.expireWith(expiry);
    membership.markLeft();
    assertThat(expiry).isCancelled();
  }

  @Test
  void aLaterSuspensionReplacesTheEarlierExpiry() {
    membership.suspend(System.nanoTime());
    var first = new CompletableFuture<Void>();
    membership.expireWith(first);
    var second = new CompletableFuture<Void>();
    membership.expireWith(second);
    assertThat(first).isCancelled();
    assertThat(second).isNotCancelled();
  }

  @Test
  void anExpiryArrivingAfterTheLeaveIsCancelledAtOnce() {
    membership.suspend(System.nanoTime());
    membership.markLeft();
    var late = new CompletableFuture<Void>();
    membership.expireWith(late);
    assertThat(late).isCancelled();
  }
}
