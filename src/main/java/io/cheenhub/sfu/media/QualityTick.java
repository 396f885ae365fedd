package io.cheenhub.sfu.media;

import io.cheenhub.sfu.rtp.ReportBlock;
import io.cheenhub.sfu.rtp.RtcpWriter;
import java.nio.charset.StandardCharsets;
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

    /**
     * A layered publisher is to send other layers now ({@code layersUpdate}); bit i of {@code
     * activeMask} set: send layer i.
     */
    default void onLayersChanged(Publisher publisher, int activeMask) {}

    /**
     * What {@code subscriber} receives from its layered publishers changed ({@code receiveLayers}):
     * {@code streams} are all its streams from layered publishers.
     */
    default void onReceivedLayersChanged(Subscriber subscriber, List<OutgoingStream> streams) {}
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
      List<OutgoingStream> received = snapshot.streamsTo(subscriber);
      sendSenderReports(subscriber, received, nowNanos);
      subscriber.tickLoss = subscriber.downlink().tick(nowNanos);
      subscriber.lossyTicks = lossyTicks(subscriber.lossyTicks, subscriber.tickLoss);
      subscriber.tickBudgetBps = budgetPerStream(subscriber, received);
      reportReceivedLayers(subscriber, received, listener);
    }
    for (Publisher publisher : snapshot.publishers()) {
      List<OutgoingStream> streams = snapshot.streamsCarrying(publisher);
      ReceiverReports uplink = publisher.receiverReports();
      long expected = uplink.lastIntervalExpected();
      long lost = uplink.lastIntervalLost();
      double uplinkLoss = expected > 0 ? (double) lost / expected : Double.NaN;
      publisher.setUplinkLoss(uplinkLoss);
      double worstListener = Double.NaN;
      for (OutgoingStream stream : streams) {
        stream.newReportLoss = stream.takeReportedLoss();
        double reported = listenerLoss(stream, nowNanos);
        if (!Double.isNaN(reported) && !(reported <= worstListener)) {
          worstListener = reported;
        }
        if (redEnabled) {
          decideRed(stream, uplinkLoss, reported, primaryBps(publisher, stream), nowMillis);
        } else {
          stream.setRedKept(false);
        }
      }
      LayerMap layers = publisher.layers();
      if (layers.isLayered()) {
        selectLayers(publisher, layers, streams, nowNanos, listener);
      }
      QualityLevel changed;
      // With layers each listener's loss selects its own layer; only the uplink lowers them all.
      if (!layers.isLayered() && !Double.isNaN(worstListener) && !(worstListener <= uplinkLoss)) {
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
   * The Opus bitrate this stream carries: the layer its listener gets from a layered publisher,
   * else the publisher's quality level.
   */
  private static long primaryBps(Publisher publisher, OutgoingStream stream) {
    LayerMap layers = publisher.layers();
    if (!layers.isLayered()) {
      return publisher.level().maxBitrateKbps() * 1_000L;
    }
    return layers.bitrateBps(Math.max(0, Math.min(stream.targetLayer(), layers.count() - 1)));
  }

  /**
   * Each listener's selector picks its target layer from its own downlink; the publisher is then
   * asked for the layers someone needs (see {@link LayerPauses}). A listener still on a layer that
   * is about to go (its target has not started yet) keeps that one needed.
   */
  private static void selectLayers(
      Publisher publisher,
      LayerMap layers,
      List<OutgoingStream> streams,
      long nowNanos,
      Listener listener) {
    int needed = 0;
    for (OutgoingStream stream : streams) {
      Subscriber subscriber = stream.subscriber();
      int cap = Math.min(subscriber.layerCap(publisher.participantId()), layers.count() - 1);
      LayerSelector selector = stream.selector;
      if (selector == null || selector.layers() != layers.count()) {
        selector = new LayerSelector(layers.bitrates(), cap);
        stream.selector = selector;
      }
      int target = selector.onTick(nowNanos, selectorLoss(stream), subscriber.tickBudgetBps, cap);
      stream.setTargetLayer(target);
      needed |= 1 << target;
      int received = stream.receivedLayer();
      if (received >= 0 && received < layers.count() && !publisher.isLive(target, nowNanos)) {
        needed |= 1 << received;
      }
    }
    if (publisher.pauses.update(needed, layers.count(), nowNanos)) {
      listener.onLayersChanged(publisher, publisher.pauses.activeMask());
    }
  }

  /**
   * The subscriber's downlink estimate shared over the streams that carried packets in the last
   * tick (a silent speaker costs nothing), when sustained or heavy loss has just lowered it (see
   * {@link #budgetTrusted}); else NaN (unknown). Audio cannot probe for more, so an estimate on a
   * clean link only says what was delivered (at most 1.5 times it): read as a budget it would keep
   * a listener on a low layer forever, and its first value (one second of delivery) could move a
   * clean listener down. Under congestion it is what the link carries, and the selector can go
   * straight to the layer that fits.
   */
  private static double budgetPerStream(Subscriber subscriber, List<OutgoingStream> streams) {
    int carrying = 0;
    for (OutgoingStream stream : streams) {
      long sent = stream.packetsSent();
      if (sent != stream.packetsSentAtTick) {
        carrying++;
        stream.packetsSentAtTick = sent;
      }
    }
    long estimate = subscriber.downlink().estimateBps();
    if (estimate <= 0 || !budgetTrusted(subscriber.tickLoss, subscriber.lossyTicks)) {
      return Double.NaN;
    }
    return (double) estimate / Math.max(1, carrying);
  }

  /**
   * Ticks in a row whose transport-wide loss was above {@link DownlinkEstimate#DECREASE_LOSS},
   * given the previous count and this tick's loss (NaN, no feedback: the count holds).
   */
  static int lossyTicks(int previous, double loss) {
    if (Double.isNaN(loss)) {
      return previous;
    }
    return loss > DownlinkEstimate.DECREASE_LOSS ? previous + 1 : 0;
  }

  /**
   * Whether this tick's loss says congestion, so that the loss-lowered estimate may be read as what
   * the link carries: the same evidence {@link LayerSelector} wants before a step down for loss
   * ({@link LayerSelector#LOSSY_TICKS_TO_STEP_DOWN} ticks in a row above 10 %, or one above {@link
   * LayerSelector#HEAVY_LOSS}). One noisy second is not enough: at 5 % random loss a second of 50
   * packets reads above 10 % with probability 3.8 %, and under random loss the estimate only ever
   * shrinks (GCC §6 holds it between 2 and 10 %), so trusting that second moved listeners on a 5 %
   * link from h straight to l (browser E2E, impaired.mjs loss5: a step down in each of 3 runs of 20
   * s, where two lossy seconds in a row come about once in 12 minutes).
   */
  static boolean budgetTrusted(double loss, int lossyTicks) {
    return loss > LayerSelector.HEAVY_LOSS
        || (loss > DownlinkEstimate.DECREASE_LOSS
            && lossyTicks >= LayerSelector.LOSSY_TICKS_TO_STEP_DOWN);
  }

  /** Tells the listener when a layered publisher's forwarded layer changed since the last tick. */
  private static void reportReceivedLayers(
      Subscriber subscriber, List<OutgoingStream> streams, Listener listener) {
    boolean changed = false;
    for (OutgoingStream stream : streams) {
      int received = stream.receivedLayer();
      Publisher publisher = stream.publisher();
      if (publisher != null && publisher.layers().isLayered() && received != stream.reportedLayer) {
        stream.reportedLayer = received;
        changed = true;
      }
    }
    if (changed) {
      listener.onReceivedLayersChanged(
          subscriber,
          streams.stream()
              .filter(s -> s.publisher() != null && s.publisher().layers().isLayered())
              .toList());
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

  /**
   * The loss evidence this tick brings the stream's {@link LayerSelector}: the transport-wide
   * feedback of the last second where the browser sends it, else a receiver report that arrived
   * since the last tick; NaN when neither is new. Unlike {@link #listenerLoss}, a report is not
   * held: the selector credits each piece of evidence with the time since the previous one, and the
   * same report fed on every tick for its 7.5 s would count as several lossy intervals (one report
   * of 30 % loss took a listener from h to m, and 3 s later, on no news, to l).
   */
  private static double selectorLoss(OutgoingStream stream) {
    double feedback = stream.subscriber().tickLoss;
    return Double.isNaN(feedback) ? stream.newReportLoss : feedback;
  }

  private static void decideRed(
      OutgoingStream stream,
      double uplinkLoss,
      double downlinkLoss,
      long primaryBps,
      long nowMillis) {
    double loss = Double.isNaN(uplinkLoss) ? downlinkLoss : uplinkLoss;
    if (!Double.isNaN(downlinkLoss) && downlinkLoss > loss) {
      loss = downlinkLoss;
    }
    if (Double.isNaN(loss)) {
      return; // no information this second: keep the decision
    }
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

  /**
   * The CNAME the subscriber's offer announced for {@code stream}: its publisher's id, or the slot.
   */
  private static byte[] cname(OutgoingStream stream) {
    Publisher publisher = stream.publisher();
    return stream.isSlot() || publisher == null
        ? stream.trackOwner().getBytes(StandardCharsets.UTF_8)
        : publisher.cname();
  }

  // RFC 3550 §6.1: a compound carries an SDES CNAME; the offer announced the publisher's id.
  private static void finish(
      Subscriber subscriber, OutgoingPacket packet, int length, OutgoingStream first) {
    length +=
        RtcpWriter.sdesCname(
            packet.buffer, OutgoingPacket.OFFSET + length, first.ssrc(), cname(first));
    packet.setRtcp(length);
    subscriber.enqueueRtcp(packet);
  }
}
