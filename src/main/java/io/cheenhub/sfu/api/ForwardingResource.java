package io.cheenhub.sfu.api;

import io.cheenhub.sfu.media.ForwardingService;
import io.cheenhub.sfu.media.LatencyHistogram;
import io.cheenhub.sfu.media.Publisher;
import io.cheenhub.sfu.media.Subscriber;
import io.cheenhub.sfu.signaling.SignalingService;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /api/forwarding}: the server-wide forwarding view since start: publishers and
 * subscribers, packets forwarded, drops by reason, and the forwarding latency (packet in → packet
 * out) percentiles. Benchmarks and E2E runs read it before and after a run.
 */
@Path("forwarding")
@RequestScoped
public class ForwardingResource {

  /**
   * Forwarding latency in microseconds over {@code count} packets; {@code buckets} are the
   * histogram's non-empty buckets (largest value in the bucket, µs → packets), so a client can
   * subtract two readings and get the percentiles of one run.
   */
  public record Latency(
      long count,
      long p50Micros,
      long p95Micros,
      long p99Micros,
      long maxMicros,
      Map<String, Long> buckets) {}

  /** The answer. */
  public record ForwardingView(
      int publishers,
      int subscribers,
      long packetsForwarded,
      Map<String, Long> drops,
      Latency latency,
      int poolInUse) {}

  @Inject SignalingService signaling;

  private static Map<String, Long> buckets(LatencyHistogram.Snapshot latency) {
    var buckets = new java.util.LinkedHashMap<String, Long>();
    latency.buckets().forEach((top, count) -> buckets.put(Long.toString(top), count));
    return buckets;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public ForwardingView forwarding() {
    ForwardingService forwarding = signaling.forwardingService();
    var drops = new TreeMap<String, Long>();
    for (Subscriber.Drop reason : Subscriber.Drop.values()) {
      drops.put(reason.wireValue(), forwarding.dropped(reason));
    }
    for (Publisher.Drop reason : Publisher.Drop.values()) {
      drops.put(reason.wireValue(), forwarding.dropped(reason));
    }
    LatencyHistogram.Snapshot latency = forwarding.latency();
    return new ForwardingView(
        forwarding.publisherCount(),
        forwarding.subscriberCount(),
        forwarding.packetsForwarded(),
        drops,
        new Latency(
            latency.count(),
            latency.percentileMicros(50),
            latency.percentileMicros(95),
            latency.percentileMicros(99),
            latency.maxMicros(),
            buckets(latency)),
        forwarding.pool().inUse());
  }
}
