package io.cheenhub.sfu.api;

import io.cheenhub.sfu.media.DownlinkEstimate;
import io.cheenhub.sfu.media.ForwardingTable;
import io.cheenhub.sfu.media.LayerMap;
import io.cheenhub.sfu.media.OutgoingStream;
import io.cheenhub.sfu.media.Publisher;
import io.cheenhub.sfu.media.ReceiveStatistics;
import io.cheenhub.sfu.media.ReceptionReport;
import io.cheenhub.sfu.media.Subscriber;
import io.cheenhub.sfu.room.Participant;
import io.cheenhub.sfu.room.Room;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code GET /api/rooms/{roomId}/stats} (docs/api-reference.md): per participant its
 * quality level, what the server measured on its uplink, and what its subscribe side reported about
 * the downlink. Unknown values are null, never NaN.
 */
public record RoomStats(String roomId, Instant at, List<ParticipantStats> participants) {

  /**
   * One participant; {@code uplink} is null until it publishes, {@code downlink} until it listens.
   */
  public record ParticipantStats(
      String participantId,
      String displayName,
      Quality quality,
      Layers layers,
      Uplink uplink,
      Downlink downlink) {}

  /**
   * A publisher's audio layers ({@code h}, {@code m}, {@code l}; docs/quality.md, "Audio layers"):
   * those it negotiated and those it is asked to send now. Null for a publisher without layers.
   */
  public record Layers(List<String> negotiated, List<String> sending) {}

  /** The publisher's audio quality level (64/32/16 kbps) and how often it changed. */
  public record Quality(String level, int maxBitrateKbps, long changes) {}

  /**
   * What the server received from the participant's microphone (RFC 3550 A.3 statistics of its
   * newest SSRC); {@code lossPercent} covers the last one-second receiver-report interval. {@code
   * nacksSent} counts packets the server asked the browser to resend (where NACK was agreed),
   * {@code nacksRecovered} those that then arrived.
   */
  public record Uplink(
      long ssrc,
      long packetsReceived,
      long packetsLost,
      Double lossPercent,
      double jitterMs,
      long rtcpReceived,
      long nacksSent,
      long nacksRecovered,
      long transportCcFeedbacksSent) {}

  /**
   * What the participant reported about the streams it receives (RTCP receiver reports, about every
   * 5 s from a browser) and its transport-wide feedback (every ~100 ms): {@code rttMs} is the mean
   * over its streams' round trips (one path), {@code lossPercent} the worst of the last feedback
   * second and the streams' last reports, {@code estimateKbps} the {@link DownlinkEstimate}.
   */
  public record Downlink(
      Double rttMs,
      Double lossPercent,
      Long estimateKbps,
      long transportCcFeedbacks,
      List<StreamStats> streams) {}

  /**
   * One forwarded stream as this subscriber receives it: {@code track} is its {@code a=msid} stream
   * id, the publisher's id or, in a large room, {@code slot-<k>} (then {@code publisherId} is
   * whoever speaks in it now, null while nobody does).
   */
  public record StreamStats(
      String publisherId,
      String track,
      long ssrc,
      long packetsSent,
      long redPacketsSent,
      boolean red,
      Double lossPercent,
      long packetsLost,
      double jitterMs,
      Double rttMs,
      long reports,
      String layer,
      String targetLayer,
      long layerSwitches) {}

  // RFC 7587 §4.1: Opus timestamps tick at 48 kHz.
  private static final double RTP_TICKS_PER_MS = 48.0;
  private static final double NANOS_PER_MS = 1_000_000.0;
  private static final long BITS_PER_KILOBIT = 1_000;

  /** The statistics of {@code room} now. */
  static RoomStats of(Room room) {
    ForwardingTable.Snapshot table = room.forwarding().snapshot();
    var participants = new ArrayList<ParticipantStats>();
    for (Participant participant : room.participants()) {
      Publisher publisher = find(table.publishers(), participant.id());
      Subscriber subscriber =
          table.subscribers().stream()
              .filter(s -> s.participantId().equals(participant.id()))
              .findFirst()
              .orElse(null);
      participants.add(
          new ParticipantStats(
              participant.id(),
              participant.displayName(),
              publisher == null
                  ? null
                  : new Quality(
                      publisher.level().wireValue(),
                      publisher.level().maxBitrateKbps(),
                      publisher.levelChanges()),
              publisher == null ? null : layers(publisher),
              publisher == null ? null : uplink(publisher),
              subscriber == null ? null : downlink(subscriber, table.streamsTo(subscriber))));
    }
    return new RoomStats(room.id(), Instant.now(), participants);
  }

  private static Publisher find(List<Publisher> publishers, String participantId) {
    for (Publisher publisher : publishers) {
      if (publisher.participantId().equals(participantId)) {
        return publisher;
      }
    }
    return null;
  }

  private static Layers layers(Publisher publisher) {
    LayerMap map = publisher.layers();
    if (!map.isLayered()) {
      return null;
    }
    var negotiated = new ArrayList<String>();
    var sending = new ArrayList<String>();
    int active = publisher.activeLayers();
    for (int i = 0; i < map.count(); i++) {
      negotiated.add(LayerMap.name(i));
      if ((active & (1 << i)) != 0) {
        sending.add(LayerMap.name(i));
      }
    }
    return new Layers(negotiated, sending);
  }

  private static Uplink uplink(Publisher publisher) {
    ReceiveStatistics newest = null;
    for (ReceiveStatistics source : publisher.receiverReports().statistics()) {
      if (source.isValid()
          && (newest == null || source.lastArrivalNanos() - newest.lastArrivalNanos() > 0)) {
        newest = source;
      }
    }
    if (newest == null) {
      return null;
    }
    return new Uplink(
        Integer.toUnsignedLong(newest.ssrc()),
        newest.received(),
        newest.cumulativeLost(),
        percent(publisher.uplinkLoss()),
        newest.jitter() / RTP_TICKS_PER_MS,
        publisher.rtcpReceived(),
        publisher.nacksSent(),
        publisher.nacksRecovered(),
        publisher.feedbackSent());
  }

  private static Downlink downlink(Subscriber subscriber, List<OutgoingStream> streams) {
    var views = new ArrayList<StreamStats>(streams.size());
    double rttSum = 0;
    int rttCount = 0;
    DownlinkEstimate estimate = subscriber.downlink();
    double worstLoss = estimate.loss();
    for (OutgoingStream stream : streams) {
      ReceptionReport report = stream.receptionReport();
      long rtt = report.rttNanos();
      Double rttMs = rtt == ReceptionReport.RTT_UNKNOWN ? null : rtt / NANOS_PER_MS;
      if (rttMs != null) {
        rttSum += rttMs;
        rttCount++;
      }
      double loss = stream.downlinkLoss();
      if (!Double.isNaN(loss) && !(loss <= worstLoss)) {
        worstLoss = loss;
      }
      Publisher source = stream.publisher(); // a speaker slot's current speaker, or null
      boolean layered = source != null && source.layers().isLayered();
      views.add(
          new StreamStats(
              source == null ? null : source.participantId(),
              stream.trackOwner(),
              Integer.toUnsignedLong(stream.ssrc()),
              stream.packetsSent(),
              stream.redPacketsSent(),
              stream.isRedKept(),
              percent(loss),
              report.cumulativeLost(),
              report.jitter() / RTP_TICKS_PER_MS,
              rttMs,
              report.reports(),
              layered && stream.receivedLayer() >= 0 ? LayerMap.name(stream.receivedLayer()) : null,
              layered ? LayerMap.name(stream.targetLayer()) : null,
              stream.layerSwitches()));
    }
    long bps = estimate.estimateBps();
    return new Downlink(
        rttCount == 0 ? null : rttSum / rttCount,
        percent(worstLoss),
        bps == DownlinkEstimate.UNKNOWN ? null : bps / BITS_PER_KILOBIT,
        estimate.feedbacks(),
        views);
  }

  private static Double percent(double fraction) {
    return Double.isNaN(fraction) ? null : fraction * 100;
  }
}
