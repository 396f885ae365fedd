package io.cheenhub.sfu.media;

import io.cheenhub.sfu.rtp.ReportBlock;
import io.cheenhub.sfu.rtp.RtcpWriter;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The once-a-second pass over one room's {@link ForwardingTable} that turns RTCP statistics into
 * decisions (issue 7):
 *
 * <ol>
 *   <li>Each subscriber gets a compound of sender reports, one per stream it receives (RFC 3550
 *       §6.4.1), queued behind its RTP so that one thread encrypts for its transport. Echoed in the
 *       subscriber's receiver reports (LSR/DLSR), they give the downlink round-trip time.
 *   <li>A listener's loss is the transport-wide feedback of the last second where its browser sends
 *       it (every ~100 ms, the server → listener path alone, late arrivals not counted; it also
 *       drives the smoothed {@link DownlinkEstimate}), else its newest receiver report about the
 *       stream, which stands until the next one is due ({@link #LISTENER_LOSS_HOLD_NANOS}).
 *   <li>Each publisher's {@link QualityController} is fed the worse of its uplink loss (measured by
 *       the server in the receiver report it just sent) and the highest loss its listeners
 *       currently report. The policy, documented in docs/quality.md: one publisher sends one
 *       bitrate to everyone (no transcoding), so its level follows the worst path its audio takes;
 *       at 16 kbps Opus speech is still intelligible, while a lossy path without the step down
 *       loses words.
 *   <li>Each stream's {@link RedPolicy} decides whether that subscriber gets RED kept (the path is
 *       lossy: uplink loss of its publisher or its own downlink loss) or stripped to the primary.
 * </ol>
 *
 * <p>Runs on one scheduler thread; the controllers and policies it feeds are confined to it. It
 * allocates a little per room per second (table snapshots are lists), nothing per packet.
 */
public final class QualityTick {

  /** Receives level changes; called on the tick's thread, must not block. */
  @FunctionalInterface
  public interface Listener {
    void onLevelChanged(Publisher publisher, QualityLevel previous, QualityLevel level);
  }

  /**
   * How long a listener's reported loss counts: libwebrtc's audio report interval is 5 s,
   * randomised to 2.5–7.5 s (RFC 3550 §6.3.1), so a report holds until the next one is due.
   */
  static final long LISTENER_LOSS_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(7_500);

  /** Sender reports per compound; 28 bytes each keeps the compound well under a 1200-byte MTU. */
  static final int MAX_SENDER_REPORTS_PER_PACKET = 32;

  private static final ReportBlock[] NO_BLOCKS = new ReportBlock[0];

  private final PacketPool pool;
  private volatile boolean redEnabled = true;

  /** Sender reports come from {@code pool}'s buffers (they travel through the send queues). */
  public QualityTick(PacketPool pool) {
    this.pool = Objects.requireNonNull(pool);
  }

  /** With false, no stream gets RED kept (plain Opus everywhere). */
  void setRedEnabled(boolean enabled) {
    redEnabled = enabled;
  }

  /** One pass over {@code table} at {@code nowNanos}. */
  public void run(ForwardingTable table, long nowNanos, Listener listener) {
    ForwardingTable.Snapshot snapshot = table.snapshot();
    long nowMillis = TimeUnit.NANOSECONDS.toMillis(nowNanos);
    for (Subscriber subscriber : snapshot.subscribers()) {
      sendSenderReports(subscriber, snapshot.streamsTo(subscriber), nowNanos);
      subscriber.tickLoss = subscriber.downlink().tick(nowNanos);
    }
    for (Publisher publisher : snapshot.publishers()) {
      List<OutgoingStream> streams = snapshot.streamsFrom(publisher);
      ReceiverReports uplink = publisher.receiverReports();
      long expected = uplink.lastIntervalExpected();
      long lost = uplink.lastIntervalLost();
      double uplinkLoss = expected > 0 ? (double) lost / expected : Double.NaN;
      publisher.setUplinkLoss(uplinkLoss);
      double worstListener = Double.NaN;
      for (OutgoingStream stream : streams) {
        stream.takeReportedLoss();
        double reported = listenerLoss(stream, nowNanos);
        if (!Double.isNaN(reported) && !(reported <= worstListener)) {
          worstListener = reported;
        }
        if (redEnabled) {
          decideRed(stream, uplinkLoss, reported, publisher.level(), nowMillis);
        } else {
          stream.setRedKept(false);
        }
      }
      QualityLevel changed;
      if (!Double.isNaN(worstListener) && !(worstListener <= uplinkLoss)) {
        changed = publisher.quality.onTick(worstListener, nowMillis);
      } else {
        changed = publisher.quality.onTick(expected, lost, nowMillis);
      }
      if (changed != null) {
        QualityLevel previous = publisher.level();
        publisher.setLevel(changed);
        listener.onLevelChanged(publisher, previous, changed);
      }
    }
  }

  /**
   * What this stream's listener loses: the transport-wide feedback of the last second where the
   * browser sends it (about the server → listener path alone, every ~100 ms), else its newest
   * receiver report (end to end, every ~5 s, held until the next is due).
   */
  private static double listenerLoss(OutgoingStream stream, long nowNanos) {
    double feedback = stream.subscriber().tickLoss;
    return Double.isNaN(feedback) ? stream.heldDownlinkLoss(nowNanos) : feedback;
  }

  private static void decideRed(
      OutgoingStream stream,
      double uplinkLoss,
      double downlinkLoss,
      QualityLevel level,
      long nowMillis) {
    double loss = Double.isNaN(uplinkLoss) ? downlinkLoss : uplinkLoss;
    if (!Double.isNaN(downlinkLoss) && downlinkLoss > loss) {
      loss = downlinkLoss;
    }
    if (Double.isNaN(loss)) {
      return; // no information this second: keep the decision
    }
    long primaryBps = level.maxBitrateKbps() * 1_000L;
    stream.setRedKept(stream.redPolicy.onTick(loss, -1, primaryBps, nowMillis));
  }

  /** One compound SR (+ SDES CNAME) per {@link #MAX_SENDER_REPORTS_PER_PACKET} streams. */
  private void sendSenderReports(
      Subscriber subscriber, List<OutgoingStream> streams, long nowNanos) {
    long ntp = NtpTime.ntp(nowNanos);
    OutgoingPacket packet = null;
    int length = 0;
    int reports = 0;
    OutgoingStream first = null;
    for (OutgoingStream stream : streams) {
      long rtpTimestamp = stream.rtpTimestampAt(nowNanos);
      if (!stream.isActive() || stream.isClosed() || rtpTimestamp < 0) {
        continue; // RFC 3550 §6.4: only a sender sends SRs
      }
      if (packet == null) {
        packet = pool.take();
        if (packet == null) {
          return; // the pool is dry: media first, reports next second
        }
        length = 0;
        reports = 0;
        first = stream;
      }
      length +=
          RtcpWriter.senderReport(
              packet.buffer,
              OutgoingPacket.OFFSET + length,
              stream.ssrc(),
              ntp,
              rtpTimestamp,
              stream.packetsSent(),
              stream.payloadBytesSent(),
              NO_BLOCKS,
              0);
      if (++reports == MAX_SENDER_REPORTS_PER_PACKET) {
        finish(subscriber, packet, length, first);
        packet = null;
      }
    }
    if (packet != null) {
      finish(subscriber, packet, length, first);
    }
  }

  // RFC 3550 §6.1: a compound carries an SDES CNAME; the offer announced the publisher's id.
  private static void finish(
      Subscriber subscriber, OutgoingPacket packet, int length, OutgoingStream first) {
    length +=
        RtcpWriter.sdesCname(
            packet.buffer, OutgoingPacket.OFFSET + length, first.ssrc(), first.publisher().cname());
    packet.setRtcp(length);
    subscriber.enqueueRtcp(packet);
  }
}
