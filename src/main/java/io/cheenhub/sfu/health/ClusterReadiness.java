package io.cheenhub.sfu.health;

import io.cheenhub.sfu.cluster.Cascade;
import io.cheenhub.sfu.cluster.ClusterService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * In a cluster, ready once this instance is a Data Grid member with its load published (until then
 * the others cannot place rooms here, and a join here could not find its room's instance). A single
 * instance is always ready by this check.
 */
@Readiness
@ApplicationScoped
public class ClusterReadiness implements HealthCheck {

  @Inject ClusterService cluster;
  @Inject Cascade cascade;

  @Override
  public HealthCheckResponse call() {
    String cascadeProblem = cascade.problem();
    var response =
        HealthCheckResponse.named("cluster")
            .status(cluster.isReady() && cascadeProblem == null)
            .withData("enabled", cluster.enabled())
            .withData("members", cluster.members());
    if (cluster.enabled()) {
      response.withData("instance", cluster.instance());
    }
    String problem = cascadeProblem != null ? cascadeProblem : cluster.problem();
    if (problem != null) {
      response.withData("problem", problem);
    }
    return response.build();
  }
}
