package io.cheenhub.sfu.media;

import io.cheenhub.sfu.rtp.ReportBlock;
import io.cheenhub.sfu.rtp.RtcpCompound;
import io.cheenhub.sfu.rtp.RtcpFir;
import io.cheenhub.sfu.rtp.RtcpNack;
import io.cheenhub.sfu.rtp.RtcpPacket;
import io.cheenhub.sfu.rtp.RtcpPli;
import io.cheenhub.sfu.rtp.RtcpReceiverReport;
import io.cheenhub.sfu.rtp.RtcpSenderReport;
import io.cheenhub.sfu.rtp.RtcpTransportCc;
import io.cheenhub.sfu.rtp.TransportCcCursor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Terminates a subscriber's RTCP (design §1): reads the report blocks of its RRs and SRs into the
 * {@link ReceptionReport} of the {@link OutgoingStream} each one is about, and counts every RTCP
 * packet type for diagnostics. Nothing is forwarded.
 *
 * <p>Runs on the subscribe transport's worker, one datagram at a time (the views are confined to
 * it); the counters may be read from any thread. Malformed RTCP is counted, never thrown. Allocates
 * only when the subscriber reports on more streams than ever before (the stream cache grows).
 */
public final class SubscriberReports implements RtcpHandler {

  /** RTCP packet kinds counted. Wire values are metric labels. */
  public enum Type {
    SR("sr"),
    RR("rr"),
    SDES("sdes"),
    BYE("bye"),
    NACK("nack"),
    PLI("pli"),
    FIR("fir"),
    TRANSPORT_CC("transport-cc"),
    REMB("remb"),
    OTHER("other");

    private final String wireValue;

    Type(String wireValue) {
      this.wireValue = wireValue;
    }

    /** The metric label value. */
    public String wireValue() {
      return wireValue;
    }
  }

  /** Why (part of) a datagram was not used. Wire values are metric labels. */
  public enum Drop {
    /** The compound or one of its SR/RR packets is malformed (the rest of it is still read). */
    MALFORMED("malformed"),
    /** A report block about an SSRC that is not (or no longer) one of this subscriber's streams. */
    UNKNOWN_SSRC("unknown-ssrc");

    private final String wireValue;

    Drop(String wireValue) {
      this.wireValue = wireValue;
    }

    /** The metric label value. */
    public String wireValue() {
      return wireValue;
    }
  }

  // RFC 4585 §6.4: payload-specific FMT 15 is application layer feedback, which REMB uses.
  private static final int FORMAT_APPLICATION_LAYER = 15;
  // A round trip longer than this is a bogus LSR/DLSR, not a network (RFC 3550 §6.4.1 caveat).
  private static final long MAX_RTT_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final int INITIAL_STREAMS = 8;
  // RFC 4585 §6.2.1: the bitmask covers the 16 packets after the packet id.
  private static final int NACK_BITMASK_BITS = 16;
  private static final int MAX_NACKED_PER_PACKET = 128;

  private final Subscriber subscriber;
  private final ForwardingTable table;
  private final RtcpCompound compound = new RtcpCompound();
  private final RtcpReceiverReport receiverReport = new RtcpReceiverReport();
  private final RtcpSenderReport senderReport = new RtcpSenderReport();
  private final ReportBlock block = new ReportBlock();
  private final RtcpTransportCc transportCc = new RtcpTransportCc();
  private final TransportCcCursor cursor = new TransportCcCursor();
  private final RtcpNack nack = new RtcpNack();
  private final int[] nackSequences = new int[MAX_NACKED_PER_PACKET];
  private final PacketPool pool;
  private final AtomicLongArray types = new AtomicLongArray(Type.values().length);
  private final AtomicLongArray drops = new AtomicLongArray(Drop.values().length);
  // This subscriber's streams seen in reports so far; confined to the worker.
  private OutgoingStream[] streams = new OutgoingStream[INITIAL_STREAMS];
  private int streamCount;

  /** Reads {@code subscriber}'s reports about the streams {@code table} sends it. */
  public SubscriberReports(Subscriber subscriber, ForwardingTable table) {
    this(subscriber, table, null);
  }

  /** As above; NACKs become resend requests with buffers from {@code pool} (null: ignored). */
  public SubscriberReports(Subscriber subscriber, ForwardingTable table, PacketPool pool) {
    this.subscriber = Objects.requireNonNull(subscriber);
    this.table = Objects.requireNonNull(table);
    this.pool = pool;
  }

  @Override
  public void onRtcp(byte[] buffer, int offset, int length) {
    onRtcp(buffer, offset, length, System.nanoTime());
  }

  /** As {@link #onRtcp(byte[], int, int)}, received at {@code nowNanos}. */
  public void onRtcp(byte[] buffer, int offset, int length, long nowNanos) {
    compound.wrap(buffer, offset, length);
    while (compound.next()) {
      switch (compound.packetType()) {
        case RtcpPacket.TYPE_SR -> {
          count(Type.SR);
          if (senderReport.wrap(compound)) {
            for (int i = 0; i < senderReport.reportCount(); i++) {
              onReportBlock(senderReport.readReportBlock(i, block), nowNanos);
            }
          } else {
            drop(Drop.MALFORMED);
          }
        }
        case RtcpPacket.TYPE_RR -> {
          count(Type.RR);
          if (receiverReport.wrap(compound)) {
            for (int i = 0; i < receiverReport.reportCount(); i++) {
              onReportBlock(receiverReport.readReportBlock(i, block), nowNanos);
            }
          } else {
            drop(Drop.MALFORMED);
          }
        }
        case RtcpPacket.TYPE_SDES -> count(Type.SDES);
        case RtcpPacket.TYPE_BYE -> count(Type.BYE);
        case RtcpPacket.TYPE_RTPFB -> {
          Type type = transportFeedback(compound.count());
          count(type);
          if (type == Type.TRANSPORT_CC) {
            onTransportCc();
          } else if (type == Type.NACK) {
            onNack();
          }
        }
        case RtcpPacket.TYPE_PSFB -> count(payloadFeedback(compound.count()));
        default -> count(Type.OTHER);
      }
    }
    if (compound.problem() != RtcpCompound.Problem.NONE) {
      drop(Drop.MALFORMED);
    }
  }

  // RFC 4585 §6.2 and the transport-cc draft: the FMT of transport layer feedback.
  private static Type transportFeedback(int format) {
    return switch (format) {
      case RtcpNack.FORMAT -> Type.NACK;
      case RtcpTransportCc.FORMAT -> Type.TRANSPORT_CC;
      default -> Type.OTHER;
    };
  }

  // RFC 4585 §6.3, RFC 5104 §4.3.1 and draft-alvestrand-rmcat-remb: payload-specific FMTs.
  private static Type payloadFeedback(int format) {
    return switch (format) {
      case RtcpPli.FORMAT -> Type.PLI;
      case RtcpFir.FORMAT -> Type.FIR;
      case FORMAT_APPLICATION_LAYER -> Type.REMB;
      default -> Type.OTHER;
    };
  }

  // The transport-wide feedback about the numbers the send path wrote (draft-holmer-...-01 §3.1).
  private void onTransportCc() {
    if (transportCc.wrap(compound) && cursor.wrap(transportCc)) {
      subscriber.downlink().onFeedback(cursor, subscriber.sendHistory());
    } else {
      drop(Drop.MALFORMED);
    }
  }

  // RFC 4585 §6.2.1: each entry names a packet id and a bitmask of the 16 that follow it.
  private void onNack() {
    if (pool == null) {
      return;
    }
    if (!nack.wrap(compound)) {
      drop(Drop.MALFORMED);
      return;
    }
    int count = 0;
    for (int i = 0; i < nack.entryCount() && count < nackSequences.length; i++) {
      int id = nack.packetId(i);
      nackSequences[count++] = id;
      int mask = nack.lostBitmask(i);
      for (int bit = 0; bit < NACK_BITMASK_BITS && count < nackSequences.length; bit++) {
        if ((mask & (1 << bit)) != 0) {
          nackSequences[count++] = (id + bit + 1) & 0xFFFF;
        }
      }
    }
    subscriber.requestResend(pool, nack.mediaSsrc(), nackSequences, count);
  }

  private void onReportBlock(ReportBlock report, long nowNanos) {
    OutgoingStream stream = stream(report.ssrc());
    if (stream == null) {
      drop(Drop.UNKNOWN_SSRC);
      return;
    }
    stream.receptionReport().update(report, roundTripNanos(report, nowNanos), nowNanos);
  }

  /**
   * RFC 3550 §6.4.1: RTT = A - LSR - DLSR in the 16.16 NTP short format, A being the arrival time;
   * unknown if the subscriber never received a sender report (LSR 0) or the result is implausible.
   */
  static long roundTripNanos(ReportBlock report, long nowNanos) {
    long lsr = report.lastSenderReport();
    if (lsr == 0) {
      return ReceptionReport.RTT_UNKNOWN;
    }
    long arrival = NtpTime.middle32(NtpTime.ntp(nowNanos));
    int units = (int) (arrival - lsr - report.delaySinceLastSenderReport());
    long nanos = NtpTime.fromShortUnits(units);
    return units < 0 || nanos > MAX_RTT_NANOS ? ReceptionReport.RTT_UNKNOWN : nanos;
  }

  /** The open stream with {@code ssrc} to this subscriber, or null. */
  private OutgoingStream stream(int ssrc) {
    for (int i = 0; i < streamCount; i++) {
      OutgoingStream known = streams[i];
      if (known.ssrc() == ssrc) {
        if (!known.isClosed()) {
          return known;
        }
        forget(i);
        break;
      }
    }
    // A subscriber's SSRCs are never reused (RFC 3550 §8), so one match is the stream.
    List<OutgoingStream> all = table.snapshot().streams();
    for (int i = 0; i < all.size(); i++) {
      OutgoingStream candidate = all.get(i);
      if (candidate.subscriber() == subscriber
          && candidate.ssrc() == ssrc
          && !candidate.isClosed()) {
        remember(candidate);
        return candidate;
      }
    }
    return null;
  }

  private void remember(OutgoingStream stream) {
    for (int i = streamCount - 1; i >= 0; i--) {
      if (streams[i].isClosed()) {
        forget(i);
      }
    }
    if (streamCount == streams.length) {
      streams = Arrays.copyOf(streams, streamCount * 2);
    }
    streams[streamCount++] = stream;
  }

  private void forget(int index) {
    streams[index] = streams[--streamCount];
    streams[streamCount] = null;
  }

  private void count(Type type) {
    types.incrementAndGet(type.ordinal());
  }

  private void drop(Drop reason) {
    drops.incrementAndGet(reason.ordinal());
  }

  /** RTCP packets of {@code type} received. */
  public long received(Type type) {
    return types.get(type.ordinal());
  }

  /** Datagrams, packets or report blocks not used for {@code reason}. */
  public long dropped(Drop reason) {
    return drops.get(reason.ordinal());
  }

  /** The subscriber whose reports these are. */
  public Subscriber subscriber() {
    return subscriber;
  }
}
