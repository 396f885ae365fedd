package io.cheenhub.sfu.health;

import io.cheenhub.sfu.signaling.SignalingService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while signaling accepts new connections: started, not shutting down and not draining (a
 * load balancer then sends new clients elsewhere).
 */
@Readiness
@ApplicationScoped
public class SignalingReadiness implements HealthCheck {

  @Inject SignalingService signaling;

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("signaling")
        .status(signaling.isAccepting())
        .withData("accepting", signaling.isAccepting())
        .withData("draining", signaling.isDraining())
        .build();
  }
}
