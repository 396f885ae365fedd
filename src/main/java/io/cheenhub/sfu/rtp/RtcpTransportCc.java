package io.cheenhub.sfu.rtp;

/**
 * View of the header of transport-wide congestion control feedback
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1, RTPFB FMT 15); the packet status chunks
 * and receive deltas start at {@link #chunksOffset()} and {@link TransportCcCursor} decodes them.
 */
public final class RtcpTransportCc extends RtcpFeedback {

  /** Transport-wide congestion control feedback message type. */
  public static final int FORMAT = 15;

  // §3.1: base sequence number (16), packet status count (16), reference time (24), fb count (8).
  static final int FIXED_FCI_BYTES = 8;

  /** §3.1: the reference time is a signed count of 64 ms units. */
  public static final int REFERENCE_TIME_UNIT_MS = 64;

  public RtcpTransportCc() {
    super(TYPE_RTPFB, FORMAT);
  }

  @Override
  boolean parseFci(byte[] b, int at, int length) {
    return length >= FIXED_FCI_BYTES;
  }

  public int baseSequenceNumber() {
    return BigEndian.u16(buf, fciOffset());
  }

  public int packetStatusCount() {
    return BigEndian.u16(buf, fciOffset() + 2);
  }

  /** Reference time in multiples of 64 ms, sign-extended from 24 bits. */
  public int referenceTime() {
    return BigEndian.s24(buf, fciOffset() + 4);
  }

  public long referenceTimeMillis() {
    return (long) referenceTime() * REFERENCE_TIME_UNIT_MS;
  }

  /** Feedback packet count, 8 bits, to detect lost feedback. */
  public int feedbackPacketCount() {
    return BigEndian.u8(buf, fciOffset() + 7);
  }

  /** Absolute index of the first packet status chunk in {@link #buffer()}. */
  public int chunksOffset() {
    return fciOffset() + FIXED_FCI_BYTES;
  }

  /** Bytes of chunks and receive deltas (and any zero padding inside the FCI). */
  public int chunksLength() {
    return Math.max(0, fciLength() - FIXED_FCI_BYTES);
  }
}
