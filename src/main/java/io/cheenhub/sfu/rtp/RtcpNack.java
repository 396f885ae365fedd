package io.cheenhub.sfu.rtp;

import java.util.Objects;

/** View of a generic NACK (RFC 4585 §6.2.1, RTPFB FMT 1): pairs of packet id + lost bitmask. */
public final class RtcpNack extends RtcpFeedback {

  /** RFC 4585 §6.2.1: generic NACK feedback message type. */
  public static final int FORMAT = 1;

  // RFC 4585 §6.2.1: PID (16 bits) + BLP (16 bits); at least one per message.
  static final int ENTRY_BYTES = 4;

  private int entryCount;

  public RtcpNack() {
    super(TYPE_RTPFB, FORMAT);
  }

  @Override
  boolean parseFci(byte[] b, int at, int length) {
    entryCount = length / ENTRY_BYTES;
    return entryCount > 0;
  }

  /** Number of PID/BLP pairs. */
  public int entryCount() {
    return entryCount;
  }

  /** Sequence number of the first lost packet of pair {@code index}. */
  public int packetId(int index) {
    Objects.checkIndex(index, entryCount);
    return BigEndian.u16(buf, fciOffset() + ENTRY_BYTES * index);
  }

  /** Bit i set means packet {@code packetId + i + 1} is also lost (RFC 4585 §6.2.1). */
  public int lostBitmask(int index) {
    Objects.checkIndex(index, entryCount);
    return BigEndian.u16(buf, fciOffset() + ENTRY_BYTES * index + 2);
  }
}
