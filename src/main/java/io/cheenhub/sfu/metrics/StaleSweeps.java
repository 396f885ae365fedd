package io.cheenhub.sfu.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * {@code sfu_stale_swept_total{kind}}: things the periodic sweeps (and reconnect grace expiries)
 * removed because their peer was gone. Kinds: {@code connect-timeout}, {@code consent-expired} and
 * {@code orphaned} (transports), {@code connection} (a WebSocket that missed its pings) and {@code
 * suspended} (a participant whose client did not come back within the reconnect grace). A steady
 * rate is normal churn (closed laptops); a jump points at a network or client problem
 * (docs/runbook.md).
 */
@ApplicationScoped
public class StaleSweeps {

  /** Every kind, registered at zero so a dashboard sees the series before the first sweep. */
  public static final String[] KINDS = {
    "connect-timeout", "consent-expired", "orphaned", "connection", "suspended"
  };

  @Inject MetricRegistry metrics;

  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  /** Counts one swept item of {@code kind}. */
  public void swept(String kind) {
    counter(kind).inc();
  }

  /** Registers the series of every kind (at start, so they exist at zero). */
  public void register() {
    for (String kind : KINDS) {
      counter(kind);
    }
  }

  private Counter counter(String kind) {
    return counters.computeIfAbsent(
        kind,
        k ->
            metrics.counter(
                SfuMetrics.metadata(
                    "sfu_stale_swept", "Stale transports, connections and participants swept"),
                new Tag("kind", k)));
  }
}
