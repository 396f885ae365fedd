package io.cheenhub.sfu.rtp;

import java.util.Objects;

/** View of an RTCP receiver report (RFC 3550 §6.4.2, PT 201). */
public final class RtcpReceiverReport extends RtcpPacket {

  // RFC 3550 §6.4.2: header + reporter SSRC, then RC report blocks.
  private static final int FIXED_BYTES = HEADER_BYTES + SSRC_BYTES;

  @Override
  boolean parse(byte[] b, int o, int n) {
    return n >= FIXED_BYTES
        && BigEndian.u8(b, o + 1) == TYPE_RR
        && n >= FIXED_BYTES + ReportBlock.BYTES * (b[o] & 0x1F);
  }

  public int senderSsrc() {
    return BigEndian.i32(buf, off + HEADER_BYTES);
  }

  public int reportCount() {
    return count();
  }

  /** Copies report block {@code index} ({@code 0 <= index < reportCount()}) into {@code into}. */
  public ReportBlock readReportBlock(int index, ReportBlock into) {
    Objects.checkIndex(index, reportCount());
    into.readFrom(buf, off + FIXED_BYTES + ReportBlock.BYTES * index);
    return into;
  }
}
