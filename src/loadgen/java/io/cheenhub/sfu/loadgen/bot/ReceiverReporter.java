package io.cheenhub.sfu.loadgen.bot;

import io.cheenhub.sfu.loadgen.peer.MediaLoop;
import io.cheenhub.sfu.loadgen.peer.Peer;
import io.cheenhub.sfu.media.ReceiverReports;
import java.util.concurrent.ThreadLocalRandom;

/**
 * RFC 3550 receiver reports from a bot's subscribe PeerConnection, so that the server learns each
 * stream's loss as it would from a browser's (which reports audio about every 5 s). The A.3
 * bookkeeping is the server's own {@link ReceiverReports}, used here in the receiver role: one per
 * received SSRC (it holds a publisher's few SSRCs, a bot hears many), each sent as its own compound
 * RR + SDES CNAME under the bot's one reporting SSRC. Loop thread only; nothing allocated per
 * packet.
 */
final class ReceiverReporter implements MediaLoop.Ticker {

  /** SSRCs reported at most; a room's further streams are received but not reported. */
  static final int MAX_SOURCES = 64;

  private final Peer peer;
  private final long intervalNanos;
  private final int reporterSsrc = ThreadLocalRandom.current().nextInt() | 1;
  private final int[] ssrcs = new int[MAX_SOURCES];
  private final ReceiverReports[] sources = new ReceiverReports[MAX_SOURCES];
  private int count;
  private long nextReportNanos;

  /** Reports what {@code peer} receives every {@code intervalNanos} (> 0). */
  ReceiverReporter(Peer peer, long intervalNanos) {
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException("report interval must be positive: " + intervalNanos);
    }
    this.peer = peer;
    this.intervalNanos = intervalNanos;
  }

  /** Counts one decrypted RTP packet in {@code buf[0..length)} (RFC 3550 §5.1 fixed header). */
  void onRtp(byte[] buf, int length, long arrivedNanos) {
    if (length < 12) {
      return;
    }
    int ssrc = Stamp.getInt(buf, 8);
    ReceiverReports source = null;
    for (int i = 0; i < count; i++) {
      if (ssrcs[i] == ssrc) {
        source = sources[i];
        break;
      }
    }
    if (source == null) {
      if (count == MAX_SOURCES) {
        return;
      }
      ssrcs[count] = ssrc;
      source = new ReceiverReports(reporterSsrc);
      sources[count++] = source;
    }
    int sequence = ((buf[2] & 0xFF) << 8) | (buf[3] & 0xFF);
    long timestamp = Stamp.getInt(buf, 4) & 0xFFFF_FFFFL;
    source.onRtp(ssrc, sequence, timestamp, arrivedNanos);
  }

  @Override
  public void tick(long now) {
    if (nextReportNanos == 0) {
      // RFC 3550 §6.3.5 randomises report times; a random first phase keeps bots apart.
      nextReportNanos = now + ThreadLocalRandom.current().nextLong(intervalNanos) + 1;
      return;
    }
    if (now < nextReportNanos) {
      return;
    }
    nextReportNanos += intervalNanos;
    if (now - nextReportNanos > intervalNanos) {
      nextReportNanos = now + intervalNanos; // the loop stalled: no burst of reports
    }
    byte[] buf = peer.rtcpBuffer();
    for (int i = 0; i < count; i++) {
      // Sources silent for 5 s are left out (RFC 3550 §6.3.5); 0 means nothing to report.
      int length = sources[i].write(buf, 0, now);
      if (length > 0) {
        peer.sendRtcp(length);
      }
    }
  }
}
