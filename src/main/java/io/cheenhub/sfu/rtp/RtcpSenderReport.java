package io.cheenhub.sfu.rtp;

import java.util.Objects;

/** View of an RTCP sender report (RFC 3550 §6.4.1, PT 200). */
public final class RtcpSenderReport extends RtcpPacket {

  // RFC 3550 §6.4.1: header, SSRC, 20 bytes of sender info, then RC report blocks.
  private static final int NTP_AT = HEADER_BYTES + SSRC_BYTES;
  private static final int RTP_TIMESTAMP_AT = NTP_AT + 8;
  private static final int PACKET_COUNT_AT = RTP_TIMESTAMP_AT + 4;
  private static final int OCTET_COUNT_AT = PACKET_COUNT_AT + 4;
  static final int FIXED_BYTES = OCTET_COUNT_AT + 4;

  @Override
  boolean parse(byte[] b, int o, int n) {
    return n >= FIXED_BYTES
        && BigEndian.u8(b, o + 1) == TYPE_SR
        && n >= FIXED_BYTES + ReportBlock.BYTES * (b[o] & 0x1F);
  }

  public int senderSsrc() {
    return BigEndian.i32(buf, off + HEADER_BYTES);
  }

  /** The 64-bit NTP timestamp (32.32 fixed-point seconds since 1900). */
  public long ntpTimestamp() {
    return BigEndian.i64(buf, off + NTP_AT);
  }

  /** Middle 32 bits of the NTP timestamp: the LSR value a receiver echoes (RFC 3550 §6.4.1). */
  public long ntpMiddle32() {
    return BigEndian.u32(buf, off + NTP_AT + 2);
  }

  public long rtpTimestamp() {
    return BigEndian.u32(buf, off + RTP_TIMESTAMP_AT);
  }

  public long packetCount() {
    return BigEndian.u32(buf, off + PACKET_COUNT_AT);
  }

  public long octetCount() {
    return BigEndian.u32(buf, off + OCTET_COUNT_AT);
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
