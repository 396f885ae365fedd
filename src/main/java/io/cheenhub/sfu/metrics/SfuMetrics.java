package io.cheenhub.sfu.metrics;

import io.cheenhub.sfu.config.MetricsSettings;
import io.cheenhub.sfu.media.ForwardingService;
import io.cheenhub.sfu.media.LatencyHistogram;
import io.cheenhub.sfu.media.LayerMap;
import io.cheenhub.sfu.media.Publisher;
import io.cheenhub.sfu.media.QualityLevel;
import io.cheenhub.sfu.media.Subscriber;
import io.cheenhub.sfu.room.LeaveReason;
import io.cheenhub.sfu.room.Room;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricID;
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

  /** Which side of a call an SDP negotiation time is for (label {@code direction}). */
  public enum Negotiation {
    /** Client's publishOffer received → publishAnswer sent (server-side work only). */
    PUBLISH("publish"),
    /** Server's consumeOffer sent → the client's consumeAnswer received (a round trip). */
    SUBSCRIBE("subscribe");

    private final String wireValue;

    Negotiation(String wireValue) {
      this.wireValue = wireValue;
    }

    /** The metric label value. */
    public String wireValue() {
      return wireValue;
    }
  }

  /** Name (before {@code _total}) of the queue-drop counter that several beans feed. */
  static final String QUEUE_DROPS = "sfu_queue_drops";

  private static final String ROOM_PARTICIPANTS = "sfu_room_participants";

  @Inject MetricRegistry metrics;
  @Inject RoomRegistry rooms;
  @Inject MetricsSettings settings;
  @Inject io.cheenhub.sfu.logging.LogPump logPump;

  private final Map<String, Counter> messagesByType = new HashMap<>();
  private final Map<ErrorCode, Counter> errorsByCode = new EnumMap<>(ErrorCode.class);
  private final Map<LeaveReason, Counter> leavesByReason = new EnumMap<>(LeaveReason.class);
  private final Map<String, Counter> qualityChanges = new HashMap<>();
  private final Map<Negotiation, LatencyHistogram> negotiations = new EnumMap<>(Negotiation.class);
  private Counter joins;
  private Counter redirects;
  private Counter redirectsFollowed;
  // Written by the once-a-second sample(), read by gauges at scrape time.
  private final Map<String, AtomicInteger> roomParticipants = new HashMap<>();
  private final AtomicInteger otherRoomsParticipants = new AtomicInteger();
  private ForwardingService forwarding;
  private CounterFeed forwarded;
  private final Map<Subscriber.Drop, CounterFeed> sendQueueDrops =
      new EnumMap<>(Subscriber.Drop.class);
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
    redirects =
        metrics.counter(
            metadata(
                "sfu_cluster_redirects",
                "Joins sent to the cluster instance that holds the room (redirect)"));
    redirectsFollowed =
        metrics.counter(
            metadata(
                "sfu_cluster_redirects_followed",
                "Joins that came here with a valid redirect ticket from another instance"));
    var refused =
        metadata("sfu_joins_refused", "Joins refused by admission control, by overload reason");
    for (String reason : io.cheenhub.sfu.admission.Overload.REASONS) {
      joinsRefused.put(reason, metrics.counter(refused, new Tag("reason", reason)));
    }

    metrics.gauge(
        metadata(
            "sfu_log_records_dropped",
            "Event log records dropped because the log pump's queue was full (since start)"),
        logPump,
        io.cheenhub.sfu.logging.LogPump::dropped);
    gauge("sfu_rooms_active", "Rooms with at least one participant", rooms::roomCount);
    gauge("sfu_participants_active", "Participants in all rooms", rooms::participantCount);
    metrics.gauge(
        roomParticipants(),
        otherRoomsParticipants,
        AtomicInteger::get,
        new Tag("room", TopRooms.OTHER));

    for (Negotiation side : Negotiation.values()) {
      var histogram = new LatencyHistogram();
      negotiations.put(side, histogram);
      new HistogramGauges(histogram::snapshot, HistogramGauges.SETUP_BOUNDS_MS, System::nanoTime)
          .register(
              metrics,
              "sfu_sdp_negotiation_ms",
              "SDP offer/answer time",
              new Tag("direction", side.wireValue()));
    }
  }

  /**
   * Forwarding gauges, read from the per-subscriber counters at scrape time (the packet path never
   * touches a shared counter). Cumulative values are gauges because they are sums over live and
   * retired subscribers, not MP counters.
   */
  public void registerForwarding(ForwardingService forwarding) {
    this.forwarding = forwarding;
    // The roadmap's name: a gauge despite the _total (MP counters get the suffix, gauges do not).
    gauge(
        "sfu_active_publishers_total", "Participants publishing audio", forwarding::publisherCount);
    gauge("sfu_active_subscribers", "Participants receiving audio", forwarding::subscriberCount);
    forwarded =
        new CounterFeed(
            metrics.counter(
                metadata(
                    "sfu_rtp_packets_forwarded",
                    "RTP packets forwarded to subscribers (published once a second)")));
    for (Subscriber.Drop reason : List.of(Subscriber.Drop.QUEUE_FULL, Subscriber.Drop.POOL_EMPTY)) {
      sendQueueDrops.put(
          reason,
          new CounterFeed(
              metrics.counter(
                  queueDrops(), new Tag("queue", "send"), new Tag("reason", reason.wireValue()))));
    }
    new HistogramGauges(forwarding::latency, HistogramGauges.FORWARDING_BOUNDS_MS, System::nanoTime)
        .register(
            metrics,
            "sfu_rtp_forwarding_latency_ms",
            "Forwarding latency, decrypted packet taken by its publisher to subscriber packet out");
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
    var byLayer =
        metadata(
            "sfu_streams_by_layer",
            "Forwarded streams of publishers with audio layers, by the layer the listener gets");
    var sending =
        metadata(
            "sfu_publisher_layers_sending",
            "Publishers with audio layers asked to send each layer (the rest are paused)");
    for (int layer = 0; layer < LayerMap.MAX_LAYERS; layer++) {
      int index = layer;
      Tag tag = new Tag("layer", LayerMap.name(layer));
      metrics.gauge(byLayer, forwarding, f -> f.streamsReceiving(index), tag);
      metrics.gauge(sending, forwarding, f -> f.publishersSending(index), tag);
    }
    metrics.gauge(
        metadata(
            "sfu_layer_switches",
            "Times a listener was switched to another audio layer of a speaker (cumulative)"),
        forwarding,
        ForwardingService::layerSwitches);
    var changes = metadata("sfu_quality_changes", "Quality level changes, by direction");
    for (String direction : List.of("down", "up")) {
      qualityChanges.put(direction, metrics.counter(changes, new Tag("direction", direction)));
    }
  }

  /** Counts one quality level change of a publisher to {@code level} from {@code previous}. */
  public void qualityChanged(QualityLevel previous, QualityLevel level) {
    qualityChanges.get(level.maxBitrateKbps() < previous.maxBitrateKbps() ? "down" : "up").inc();
  }

  /**
   * Publishes what the packet path counts per subscriber as counters, and the per-room gauges;
   * called once a second from one scheduler thread.
   */
  public synchronized void sample() {
    if (forwarding != null) {
      forwarded.feed(forwarding.packetsForwarded());
      sendQueueDrops.forEach((reason, counter) -> counter.feed(forwarding.dropped(reason)));
    }
    var sizes = new HashMap<String, Integer>();
    for (Room room : rooms.rooms()) {
      sizes.put(room.id(), room.participants().size());
    }
    TopRooms top = TopRooms.of(sizes, settings.maxRoomLabels());
    for (var labelled = roomParticipants.entrySet().iterator(); labelled.hasNext(); ) {
      String room = labelled.next().getKey();
      if (!top.largest().containsKey(room)) {
        metrics.remove(new MetricID(ROOM_PARTICIPANTS, new Tag("room", room)));
        labelled.remove();
      }
    }
    top.largest()
        .forEach(
            (room, participants) ->
                roomParticipants
                    .computeIfAbsent(
                        room,
                        r -> {
                          var value = new AtomicInteger();
                          metrics.gauge(
                              roomParticipants(), value, AtomicInteger::get, new Tag("room", r));
                          return value;
                        })
                    .set(participants));
    otherRoomsParticipants.set(top.other());
  }

  /** Counts one SDP negotiation of {@code side} that took {@code nanos}. */
  public void sdpNegotiated(Negotiation side, long nanos) {
    negotiations.get(side).recordMicros(TimeUnit.NANOSECONDS.toMicros(nanos));
  }

  private static Metadata roomParticipants() {
    return metadata(
        ROOM_PARTICIPANTS,
        "Participants per room: the largest rooms by id (sfu.metrics.max-room-labels), the rest"
            + " as room=\"other\"");
  }

  /** Packets dropped because a queue was full or no buffer was free, by queue and reason. */
  static Metadata queueDrops() {
    return metadata(QUEUE_DROPS, "Packets dropped at a full queue or empty pool, by queue");
  }

  /**
   * The cascade relay's counters (cumulative gauges read at scrape time, 0 without cascade):
   * packets sent to and taken from other instances, and relay packets dropped by reason.
   */
  public void registerRelay(io.cheenhub.sfu.cluster.Cascade cascade) {
    var packets =
        metadata(
            "sfu_relay_packets_total",
            "Cascade relay packets since start: sent to other instances, received from them");
    metrics.gauge(packets, cascade, c -> c.relayPackets(true), new Tag("direction", "sent"));
    metrics.gauge(packets, cascade, c -> c.relayPackets(false), new Tag("direction", "received"));
    var drops = metadata("sfu_relay_dropped", "Cascade relay packets dropped, by reason");
    for (var reason : io.cheenhub.sfu.transport.relay.RelayPort.Drop.values()) {
      metrics.gauge(
          drops, cascade, c -> c.relayDropped(reason), new Tag("reason", reason.wireValue()));
    }
  }

  /** Registers a gauge read from {@code value} at scrape time. */
  public void gauge(String name, String description, IntSupplier value) {
    metrics.gauge(metadata(name, description), value, IntSupplier::getAsInt);
  }

  /** Registers a gauge of a byte count read from {@code value} at scrape time. */
  public void bytesGauge(String name, String description, java.util.function.LongSupplier value) {
    metrics.gauge(metadata(name, description), value, java.util.function.LongSupplier::getAsLong);
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

  /** Counts one join sent to another instance of the cluster. */
  public void joinRedirected() {
    redirects.inc();
  }

  /** Counts one join that came with a valid redirect ticket. */
  public void redirectFollowed() {
    redirectsFollowed.inc();
  }

  /** Counts one join refused by admission control for {@code reason} (an Overload reason). */
  public void joinRefused(String reason) {
    joinsRefused.get(reason).inc();
  }

  /** Counts one participant leaving for {@code reason}. */
  public void participantLeft(LeaveReason reason) {
    leavesByReason.get(reason).inc();
  }

  /** An MP counter fed from a cumulative count kept elsewhere; one caller at a time. */
  static final class CounterFeed {
    private final Counter counter;
    private long published;

    CounterFeed(Counter counter) {
      this.counter = counter;
    }

    /** Adds the growth of {@code cumulative} since the last call (never goes backwards). */
    void feed(long cumulative) {
      if (cumulative > published) {
        counter.inc(cumulative - published);
        published = cumulative;
      }
    }
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
