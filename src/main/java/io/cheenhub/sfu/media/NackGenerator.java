package io.cheenhub.sfu.media;

import io.cheenhub.sfu.rtp.RtcpWriter;
import java.util.concurrent.TimeUnit;

/**
 * Asks a publisher to resend RTP packets that did not arrive (RFC 4585 §6.2.1 generic NACK), where
 * the publish answer agreed {@code a=rtcp-fb:<opus> nack}: libwebrtc keeps its sent audio for 5 s
 * and resends it with the same sequence number. Together with the browser's RED this repairs the
 * uplink before the server's own RED protects the downlink ({@link RecentFrames}).
 *
 * <p>A gap is asked for at once, then again every {@link #RETRY_NANOS} up to {@link #MAX_ATTEMPTS}
 * times, and forgotten after {@link #GIVE_UP_NANOS} (later than that the receivers' jitter buffers
 * have played past it). Confined to the publish transport's receive worker; fixed arrays, no
 * allocation.
 */
final class NackGenerator {

  /** Sequence numbers tracked at once; a longer gap is an outage, not loss worth asking for. */
  static final int MAX_MISSING = 64;

  /** The longest gap asked for. */
  static final int MAX_GAP = 16;

  /** Between two NACKs for one packet: a LAN/VPN round trip plus the browser's pacing. */
  static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(30);

  /**
   * At 20 % loss each way a NACK and its answer both arrive 64 % of the time: 3 attempts leave 4.7
   * % of the gaps, 5 leave 0.6 %. libwebrtc also drops a whole NACK when its retransmission budget
   * is spent, which more attempts ride out.
   */
  static final int MAX_ATTEMPTS = 5;

  /** After this a resent packet would come too late to be played. */
  static final long GIVE_UP_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

  /** NACK entries (one packet each) per RTCP packet. */
  static final int MAX_ENTRIES = 16;

  /** Bytes {@link #write} needs: the feedback header and {@link #MAX_ENTRIES} entries. */
  static final int MAX_PACKET_BYTES = 12 + 4 * MAX_ENTRIES;

  private static final int SEQUENCE_MASK = 0xFFFF;
  private static final int HALF_SEQUENCE_SPACE = 0x8000;

  private final int[] missing = new int[MAX_MISSING];
  private final long[] firstNanos = new long[MAX_MISSING];
  private final long[] nextNanos = new long[MAX_MISSING];
  private final int[] attempts = new int[MAX_MISSING];
  private int count;
  private boolean started;
  private int ssrc;
  private int highest;
  private long requested;
  private long recovered;

  private final int[] ids = new int[MAX_ENTRIES];
  private final int[] masks = new int[MAX_ENTRIES];

  /** A packet of {@code packetSsrc} with {@code sequence} arrived at {@code nowNanos}. */
  void onPacket(int packetSsrc, int sequence, long nowNanos) {
    if (!started || packetSsrc != ssrc) {
      started = true;
      ssrc = packetSsrc;
      highest = sequence;
      count = 0;
      return;
    }
    int ahead = (sequence - highest) & SEQUENCE_MASK;
    if (ahead == 0) {
      return;
    }
    if (ahead < HALF_SEQUENCE_SPACE) {
      if (ahead - 1 <= MAX_GAP) {
        for (int s = 1; s < ahead; s++) {
          add((highest + s) & SEQUENCE_MASK, nowNanos);
        }
      }
      highest = sequence;
    } else if (remove(sequence)) {
      recovered++;
    }
  }

  /** Whether a NACK should go out now. */
  boolean isDue(long nowNanos) {
    for (int i = 0; i < count; i++) {
      if (nextNanos[i] - nowNanos <= 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Writes one NACK for every packet due now (dropping those that ran out of attempts or time);
   * returns its length, or 0 if none is due. {@code buf} needs {@link #MAX_PACKET_BYTES}.
   */
  int write(byte[] buf, int off, int senderSsrc, long nowNanos) {
    int entries = 0;
    for (int i = count - 1; i >= 0; i--) {
      if (nowNanos - firstNanos[i] > GIVE_UP_NANOS || attempts[i] >= MAX_ATTEMPTS) {
        removeAt(i);
      } else if (nextNanos[i] - nowNanos <= 0 && entries < MAX_ENTRIES) {
        ids[entries] = missing[i];
        masks[entries] = 0;
        entries++;
        attempts[i]++;
        nextNanos[i] = nowNanos + RETRY_NANOS;
      }
    }
    if (entries == 0) {
      return 0;
    }
    requested += entries;
    return RtcpWriter.nack(buf, off, senderSsrc, ssrc, ids, masks, entries);
  }

  /** Packets asked for (each attempt counts). */
  long requested() {
    return requested;
  }

  /** Asked-for packets that arrived late. */
  long recovered() {
    return recovered;
  }

  private void add(int sequence, long nowNanos) {
    if (count == MAX_MISSING) {
      removeAt(0); // the oldest
    }
    missing[count] = sequence;
    firstNanos[count] = nowNanos;
    nextNanos[count] = nowNanos;
    attempts[count] = 0;
    count++;
  }

  private boolean remove(int sequence) {
    for (int i = 0; i < count; i++) {
      if (missing[i] == sequence) {
        removeAt(i);
        return true;
      }
    }
    return false;
  }

  private void removeAt(int index) {
    int tail = count - index - 1;
    System.arraycopy(missing, index + 1, missing, index, tail);
    System.arraycopy(firstNanos, index + 1, firstNanos, index, tail);
    System.arraycopy(nextNanos, index + 1, nextNanos, index, tail);
    System.arraycopy(attempts, index + 1, attempts, index, tail);
    count--;
  }
}
