package io.cheenhub.sfu.loadgen.stats;

/**
 * What one subscribe PeerConnection received per SSRC, from the clear RTP header of each SRTP
 * packet (decrypted or not): packets, bytes and sequence-number gaps. A listener that does not
 * decrypt everything ({@code --listen count} or {@code sample:N}) measures its loss here: a gap in
 * an SSRC's sequence numbers is a packet the server sent that never arrived (in a speaker-slot room
 * the server splices speakers into one continuous sequence, so a speaker change is no gap). A late
 * packet fills its gap again. Written by one media loop thread only; allocates only for a new SSRC.
 */
public final class SsrcCounts {

  private int[] ssrcs = new int[4];
  private long[] packets = new long[4];
  private int[] highest = new int[4];
  private int size;
  private long totalPackets;
  private long totalBytes;
  private long lost;
  private long markedPackets;
  private long markedBytes;
  private long markedLost;

  /**
   * Records one packet; returns how many packets its SSRC has had, this one included (1 for the
   * first), which a sampling listener uses to pick the packets it decrypts.
   */
  public long record(int ssrc, int sequence, int bytes) {
    int i = indexOf(ssrc);
    totalPackets++;
    totalBytes += bytes;
    if (i < 0) {
      i = add(ssrc);
      highest[i] = sequence & 0xFFFF;
      return packets[i] = 1;
    }
    int delta = (short) ((sequence & 0xFFFF) - highest[i]); // RFC 3550 16-bit wrap
    if (delta > 0) {
      lost += delta - 1;
      highest[i] = sequence & 0xFFFF;
    } else if (delta < 0 && lost > 0) {
      lost--; // a late packet: its gap was counted
    }
    return ++packets[i];
  }

  private int indexOf(int ssrc) {
    for (int i = 0; i < size; i++) {
      if (ssrcs[i] == ssrc) {
        return i;
      }
    }
    return -1;
  }

  private int add(int ssrc) {
    if (size == ssrcs.length) {
      ssrcs = java.util.Arrays.copyOf(ssrcs, size * 2);
      packets = java.util.Arrays.copyOf(packets, size * 2);
      highest = java.util.Arrays.copyOf(highest, size * 2);
    }
    ssrcs[size] = ssrc;
    packets[size] = 0;
    return size++;
  }

  /** Starts the measured window. */
  public void mark() {
    markedPackets = totalPackets;
    markedBytes = totalBytes;
    markedLost = lost;
  }

  /** Packets, bytes (SRTP, header included) and gaps since {@link #mark()}. */
  public record Window(long packets, long bytes, long lost, int ssrcs) {

    public Window plus(Window other) {
      return new Window(
          packets + other.packets, bytes + other.bytes, lost + other.lost, ssrcs + other.ssrcs);
    }
  }

  public Window sinceMark() {
    return new Window(
        totalPackets - markedPackets, totalBytes - markedBytes, lost - markedLost, size);
  }
}
