package io.cheenhub.sfu.rtp;

import java.util.Objects;

/** View of a full intra request (RFC 5104 §4.3.1, PSFB FMT 4): SSRC + sequence number entries. */
public final class RtcpFir extends RtcpFeedback {

  /** RFC 5104 §4.3.1: FIR feedback message type. */
  public static final int FORMAT = 4;

  // RFC 5104 §4.3.1.1: SSRC (32), command sequence number (8), reserved (24).
  static final int ENTRY_BYTES = 8;

  private int entryCount;

  public RtcpFir() {
    super(TYPE_PSFB, FORMAT);
  }

  @Override
  boolean parseFci(byte[] b, int at, int length) {
    entryCount = length / ENTRY_BYTES;
    return entryCount > 0;
  }

  public int entryCount() {
    return entryCount;
  }

  /** SSRC of the media sender asked for a decoder refresh in entry {@code index}. */
  public int entrySsrc(int index) {
    Objects.checkIndex(index, entryCount);
    return BigEndian.i32(buf, fciOffset() + ENTRY_BYTES * index);
  }

  /** Command sequence number of entry {@code index}. */
  public int entrySequenceNumber(int index) {
    Objects.checkIndex(index, entryCount);
    return BigEndian.u8(buf, fciOffset() + ENTRY_BYTES * index + SSRC_BYTES);
  }
}
