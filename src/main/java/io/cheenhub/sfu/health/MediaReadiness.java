package io.cheenhub.sfu.health;

import io.cheenhub.sfu.transport.TransportService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while browsers can connect media: the shared UDP port is bound and the packet workers run.
 * A server whose port is taken by another process serves signaling but no audio; a load balancer
 * must not send people to it.
 */
@Readiness
@ApplicationScoped
public class MediaReadiness implements HealthCheck {

  @Inject TransportService transports;

  @Override
  public HealthCheckResponse call() {
    String unavailable = transports.unavailableReason();
    boolean workers = transports.workersRunning();
    var response =
        HealthCheckResponse.named("media")
            .status(unavailable == null && workers)
            .withData("udp", String.join(",", transports.boundAddresses()))
            .withData("transports", transports.transports().size())
            .withData("packetWorkers", workers);
    if (unavailable != null) {
      response.withData("reason", unavailable);
    }
    return response.build();
  }
}
