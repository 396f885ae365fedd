package io.cheenhub.sfu.rtp;

/**
 * Reusable iterator over the RTCP packets of one datagram (RFC 3550 §6.1), checking each packet's
 * version and length as it goes.
 *
 * <p>Reduced-size (non-compound) RTCP (RFC 5506 §3), such as a lone PLI or transport-cc packet, is
 * accepted: the first packet need not be SR or RR. Each {@link #next} advances by at least one
 * 32-bit word or stops, so iteration always terminates.
 *
 * <pre>{@code
 * compound.wrap(buf, off, len);
 * while (compound.next()) {
 *   switch (compound.packetType()) { case RtcpPacket.TYPE_SR -> sr.wrap(compound); ... }
 * }
 * if (compound.problem() != RtcpCompound.Problem.NONE) { count the drop }
 * }</pre>
 */
public final class RtcpCompound {

  /** Why iteration stopped early. */
  public enum Problem {
    NONE,
    /** Offset or length outside the array (a caller bug, reported instead of thrown). */
    OUT_OF_BOUNDS,
    /** Fewer than 4 bytes left where a packet header should start (includes an empty datagram). */
    TRUNCATED_HEADER,
    /** Version field is not 2. */
    BAD_VERSION,
    /** A length field points past the end of the datagram. */
    LENGTH_OVERRUN,
    /** Padding on a packet that is not the last, or a padding count that does not fit. */
    BAD_PADDING
  }

  private static final byte[] NO_DATAGRAM = new byte[0];

  private byte[] buf = NO_DATAGRAM;
  private int end;
  private int cursor;
  private int packetOffset;
  private int packetLength;
  private Problem problem = Problem.NONE;

  /** Starts iterating {@code buf[off, off + len)}; returns false if it cannot hold any packet. */
  public boolean wrap(byte[] buf, int off, int len) {
    packetOffset = 0;
    packetLength = 0;
    if (!BigEndian.inBounds(buf, off, len)) {
      this.buf = NO_DATAGRAM;
      cursor = 0;
      end = 0;
      problem = Problem.OUT_OF_BOUNDS;
      return false;
    }
    this.buf = buf;
    cursor = off;
    end = off + len;
    problem = len < RtcpPacket.HEADER_BYTES ? Problem.TRUNCATED_HEADER : Problem.NONE;
    return problem == Problem.NONE;
  }

  /** Moves to the next packet; false at the end of the datagram or on a malformed packet. */
  public boolean next() {
    if (problem != Problem.NONE || cursor >= end) {
      packetLength = 0;
      return false;
    }
    problem = check(cursor);
    if (problem != Problem.NONE) {
      packetLength = 0;
      cursor = end;
      return false;
    }
    packetOffset = cursor;
    packetLength = (BigEndian.u16(buf, cursor + 2) + 1) * RtcpPacket.WORD_BYTES;
    cursor += packetLength;
    return true;
  }

  private Problem check(int at) {
    int left = end - at;
    if (left < RtcpPacket.HEADER_BYTES) {
      return Problem.TRUNCATED_HEADER;
    }
    int first = buf[at] & 0xFF;
    if (first >>> 6 != RtcpPacket.RTCP_VERSION) {
      return Problem.BAD_VERSION;
    }
    // RFC 3550 §6.4.1: length in 32-bit words minus one.
    int length = (BigEndian.u16(buf, at + 2) + 1) * RtcpPacket.WORD_BYTES;
    if (length > left) {
      return Problem.LENGTH_OVERRUN;
    }
    if ((first & 0x20) != 0) {
      // RFC 3550 §6.4.1 / A.2: only the last packet of a compound may be padded.
      int padding = buf[at + length - 1] & 0xFF;
      if (length != left || padding == 0 || padding > length - RtcpPacket.HEADER_BYTES) {
        return Problem.BAD_PADDING;
      }
    }
    return Problem.NONE;
  }

  /** NONE unless iteration stopped on a malformed packet (or the datagram was unusable). */
  public Problem problem() {
    return problem;
  }

  public byte[] buffer() {
    return buf;
  }

  /** Absolute index of the current packet in {@link #buffer()}. */
  public int packetOffset() {
    return packetOffset;
  }

  /** Length of the current packet in bytes, padding included; 0 when not positioned on one. */
  public int packetLength() {
    return packetLength;
  }

  /** Packet type of the current packet, or 0 when not positioned on one. */
  public int packetType() {
    return packetLength == 0 ? 0 : buf[packetOffset + 1] & 0xFF;
  }

  /** The 5-bit count/format field of the current packet, or 0 when not positioned on one. */
  public int count() {
    return packetLength == 0 ? 0 : buf[packetOffset] & 0x1F;
  }
}
