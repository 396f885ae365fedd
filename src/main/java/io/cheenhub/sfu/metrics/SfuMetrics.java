package io.cheenhub.sfu.metrics;

import io.cheenhub.sfu.media.ForwardingService;
import io.cheenhub.sfu.media.Publisher;
import io.cheenhub.sfu.media.QualityLevel;
import io.cheenhub.sfu.media.Subscriber;
import io.cheenhub.sfu.room.LeaveReason;
import io.cheenhub.sfu.room.RoomRegistry;
import io.cheenhub.sfu.signaling.ErrorCode;
import io.cheenhub.sfu.signaling.MessageCodec;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The application's MicroProfile metrics, served as Prometheus text at {@code /metrics}.
 *
 * <p>Names follow the roadmap ({@code sfu_*}); counters get the {@code _total} suffix from the
 * exporter. Label values come from closed sets (message types, error codes, leave reasons), so
 * cardinality stays bounded whatever clients send. Every series is registered at start with 0, so
 * dashboards and alerts see it before the first event.
 */
@ApplicationScoped
public class SfuMetrics {

  /** Label value for frames that could not be decoded into any message type. */
  public static final String INVALID_TYPE = "invalid";

  @Inject MetricRegistry metrics;
  @Inject RoomRegistry rooms;

  private final Map<String, Counter> messagesByType = new HashMap<>();
  private final Map<ErrorCode, Counter> errorsByCode = new EnumMap<>(ErrorCode.class);
  private final Map<LeaveReason, Counter> leavesByReason = new EnumMap<>(LeaveReason.class);
  private final Map<String, Counter> qualityChanges = new HashMap<>();
  private Counter joins;
  private final Map<String, Counter> joinsRefused = new HashMap<>();

  @PostConstruct
  void register() {
    var messages =
        metadata("sfu_signaling_messages", "Signaling messages received, by message type");
    for (String type : MessageCodec.clientTypes()) {
      messagesByType.put(type, metrics.counter(messages, new Tag("type", type)));
    }
    messagesByType.put(INVALID_TYPE, metrics.counter(messages, new Tag("type", INVALID_TYPE)));

    var errors =
        metadata("sfu_signaling_errors", "Signaling errors sent to clients, by error code");
    for (ErrorCode code : ErrorCode.values()) {
      errorsByCode.put(code, metrics.counter(errors, new Tag("code", code.wireValue())));
    }

    var leaves = metadata("sfu_participants_left", "Participants that left a room, by reason");
    for (LeaveReason reason : LeaveReason.values()) {
      leavesByReason.put(reason, metrics.counter(leaves, new Tag("reason", reason.wireValue())));
    }
    joins = metrics.counter(metadata("sfu_participants_joined", "Successful room joins"));
    var refused =
        metadata("sfu_joins_refused", "Joins refused by admission control, by overload reason");
    for (String reason : io.cheenhub.sfu.admission.Overload.REASONS) {
      joinsRefused.put(reason, metrics.counter(refused, new Tag("reason", reason)));
    }

    gauge("sfu_rooms_active", "Rooms with at least one participant", rooms::roomCount);
    gauge("sfu_participants_active", "Participants in all rooms", rooms::participantCount);
  }

  /** Registers a gauge read from {@code value} at scrape time. */
  /**
   * Forwarding gauges, read from the per-subscriber counters at scrape time (the packet path never
   * touches a shared counter). Cumulative values are gauges because they are sums over live and
   * retired subscribers, not MP counters.
   */
  public void registerForwarding(ForwardingService forwarding) {
    gauge("sfu_active_publishers", "Participants publishing audio", forwarding::publisherCount);
    gauge("sfu_active_subscribers", "Participants receiving audio", forwarding::subscriberCount);
    metrics.gauge(
        metadata(
            "sfu_rtp_packets_forwarded",
            "RTP packets forwarded to subscribers since start (cumulative)"),
        forwarding,
        ForwardingService::packetsForwarded);
    var drops =
        metadata(
            "sfu_forwarding_dropped",
            "Packet copies not forwarded since start, by reason (cumulative)");
    for (Subscriber.Drop reason : Subscriber.Drop.values()) {
      metrics.gauge(
          drops, forwarding, f -> f.dropped(reason), new Tag("reason", reason.wireValue()));
    }
    for (Publisher.Drop reason : Publisher.Drop.values()) {
      metrics.gauge(
          drops, forwarding, f -> f.dropped(reason), new Tag("reason", reason.wireValue()));
    }
    registerQuality(forwarding);
  }

  /**
   * Quality gauges (issue 7), read at scrape time from the per-publisher and per-stream state the
   * once-a-second quality tick keeps; alert rules watch the maxima.
   */
  private void registerQuality(ForwardingService forwarding) {
    var levels = metadata("sfu_publishers_by_quality", "Publishers by audio quality level");
    for (QualityLevel level : QualityLevel.values()) {
      metrics.gauge(
          levels, forwarding, f -> f.publishersAt(level), new Tag("level", level.wireValue()));
    }
    metrics.gauge(
        metadata(
            "sfu_uplink_loss_ratio_max",
            "Highest packet loss (0..1) on any publisher's uplink in the last second"),
        forwarding,
        ForwardingService::maxUplinkLoss);
    metrics.gauge(
        metadata(
            "sfu_downlink_loss_ratio_max",
            "Highest packet loss (0..1) any subscriber reported in its last receiver report"),
        forwarding,
        ForwardingService::maxDownlinkLoss);
    gauge(
        "sfu_red_streams_active",
        "Forwarded streams whose subscriber gets RED redundancy kept",
        forwarding::redStreams);
    var changes = metadata("sfu_quality_changes", "Quality level changes, by direction");
    for (String direction : List.of("down", "up")) {
      qualityChanges.put(direction, metrics.counter(changes, new Tag("direction", direction)));
    }
  }

  /** Counts one quality level change of a publisher to {@code level} from {@code previous}. */
  public void qualityChanged(QualityLevel previous, QualityLevel level) {
    qualityChanges.get(level.maxBitrateKbps() < previous.maxBitrateKbps() ? "down" : "up").inc();
  }

  public void gauge(String name, String description, IntSupplier value) {
    metrics.gauge(metadata(name, description), value, IntSupplier::getAsInt);
  }

  /** Counts one received frame of {@code type} (or {@link #INVALID_TYPE}). */
  public void messageReceived(String type) {
    Counter counter = messagesByType.get(type);
    (counter != null ? counter : messagesByType.get(INVALID_TYPE)).inc();
  }

  /** Counts one error sent with {@code code}. */
  public void errorSent(ErrorCode code) {
    errorsByCode.get(code).inc();
  }

  /** Counts one successful join. */
  public void participantJoined() {
    joins.inc();
  }

  /** Counts one join refused by admission control for {@code reason} (an Overload reason). */
  public void joinRefused(String reason) {
    joinsRefused.get(reason).inc();
  }

  /** Counts one participant leaving for {@code reason}. */
  public void participantLeft(LeaveReason reason) {
    leavesByReason.get(reason).inc();
  }

  /** Metadata of a unitless series; shared by the metric beans of this package. */
  static Metadata metadata(String name, String description) {
    return Metadata.builder()
        .withName(name)
        .withDescription(description)
        .withUnit(MetricUnits.NONE)
        .build();
  }
}
