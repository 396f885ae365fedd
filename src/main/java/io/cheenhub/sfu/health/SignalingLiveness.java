package io.cheenhub.sfu.health;

import io.cheenhub.sfu.config.SignalingLimits;
import io.cheenhub.sfu.room.RoomRegistry;
import io.cheenhub.sfu.signaling.SignalingService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive while the room registry answers and the ping sweep keeps running. A sweep that stopped
 * (dead scheduler, stuck thread) means dead connections would never be cleaned up: restart. With no
 * connection there is nothing to sweep and the sweep is not scheduled (an idle server runs no
 * timer): alive.
 */
@Liveness
@ApplicationScoped
public class SignalingLiveness implements HealthCheck {

  /** Sweeps that may be missed before the process counts as stuck. */
  private static final int MISSED_SWEEPS_TOLERATED = 3;

  @Inject RoomRegistry rooms;
  @Inject SignalingService signaling;
  @Inject SignalingLimits limits;

  @Override
  public HealthCheckResponse call() {
    int roomCount = rooms.rooms().size();
    int participants = rooms.participantCount();
    boolean scheduled = signaling.isSweeping();
    Duration sinceSweep = Duration.ofNanos(System.nanoTime() - signaling.lastSweepNanos());
    boolean sweeping =
        !scheduled
            || sinceSweep.compareTo(limits.pingInterval().multipliedBy(MISSED_SWEEPS_TOLERATED))
                < 0;
    return HealthCheckResponse.named("room-registry")
        .status(sweeping)
        .withData("rooms", roomCount)
        .withData("participants", participants)
        .withData("connections", signaling.connectionCount())
        .withData("pingSweep", scheduled ? "running" : "idle")
        .withData("msSinceLastPingSweep", sinceSweep.toMillis())
        .build();
  }
}
