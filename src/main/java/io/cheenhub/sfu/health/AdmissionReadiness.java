package io.cheenhub.sfu.health;

import io.cheenhub.sfu.admission.AdmissionControl;
import io.cheenhub.sfu.admission.LoadSample;
import io.cheenhub.sfu.admission.Overload;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Locale;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while admission control refuses joins (heap, CPU or packet rate over its threshold), so
 * a load balancer sends new people elsewhere; the reason is in the check's data.
 */
@Readiness
@ApplicationScoped
public class AdmissionReadiness implements HealthCheck {

  @Inject AdmissionControl admission;

  @Override
  public HealthCheckResponse call() {
    Overload overload = admission.overload();
    LoadSample sample = admission.lastSample();
    var response =
        HealthCheckResponse.named("admission")
            .status(overload == null)
            .withData("heapRatio", String.format(Locale.ROOT, "%.4f", sample.heapRatio()))
            .withData("cpuLoad", String.format(Locale.ROOT, "%.3f", sample.cpuLoad()))
            .withData("packetRate", Math.round(sample.packetRate()));
    if (overload != null) {
      response.withData("reason", overload.reason()).withData("message", overload.message());
    }
    return response.build();
  }
}
