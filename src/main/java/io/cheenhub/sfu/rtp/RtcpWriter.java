package io.cheenhub.sfu.rtp;

/**
 * Writes the RTCP packets the SFU originates into a caller's array; each method returns the number
 * of bytes written, or {@link #NO_ROOM} (writing nothing) when they do not fit.
 */
public final class RtcpWriter {

  /** Returned when the destination is too small. */
  public static final int NO_ROOM = -1;

  // RFC 3550 §6.4: the count fields are 5 bits; larger reports must be split.
  private static final int MAX_COUNT = 31;
  // RFC 3550 §6.5: an SDES item carries at most 255 octets of text.
  private static final int MAX_SDES_TEXT_BYTES = 255;
  // The RTCP length field counts 32-bit words minus one in 16 bits.
  private static final int MAX_PACKET_BYTES = 65536 * RtcpPacket.WORD_BYTES;
  // draft-alvestrand-rmcat-remb-03 §2.2: "Num SSRC" is 8 bits.
  private static final int MAX_REMB_SSRCS = 255;
  private static final int WORD = RtcpPacket.WORD_BYTES;
  private static final int RR_FIXED_BYTES = RtcpPacket.HEADER_BYTES + RtcpPacket.SSRC_BYTES;

  private RtcpWriter() {}

  /** Receiver report (RFC 3550 §6.4.2) with {@code blocks[0, blockCount)}, 0..31 blocks. */
  public static int receiverReport(
      byte[] dst, int off, int senderSsrc, ReportBlock[] blocks, int blockCount) {
    checkCount(blockCount, blocks.length);
    int length = RR_FIXED_BYTES + ReportBlock.BYTES * blockCount;
    if (!fits(dst, off, length)) {
      return NO_ROOM;
    }
    header(dst, off, blockCount, RtcpPacket.TYPE_RR, length);
    BigEndian.put32(dst, off + RtcpPacket.HEADER_BYTES, senderSsrc);
    for (int i = 0; i < blockCount; i++) {
      blocks[i].writeTo(dst, off + RR_FIXED_BYTES + ReportBlock.BYTES * i);
    }
    return length;
  }

  /**
   * Sender report (RFC 3550 §6.4.1): {@code ntpTimestamp} is the 64-bit 32.32 NTP time; the RTP
   * timestamp and counters are written modulo 2^32.
   */
  public static int senderReport(
      byte[] dst,
      int off,
      int senderSsrc,
      long ntpTimestamp,
      long rtpTimestamp,
      long packetCount,
      long octetCount,
      ReportBlock[] blocks,
      int blockCount) {
    checkCount(blockCount, blocks.length);
    int fixed = RtcpSenderReport.FIXED_BYTES;
    int length = fixed + ReportBlock.BYTES * blockCount;
    if (!fits(dst, off, length)) {
      return NO_ROOM;
    }
    header(dst, off, blockCount, RtcpPacket.TYPE_SR, length);
    int at = off + RtcpPacket.HEADER_BYTES;
    BigEndian.put32(dst, at, senderSsrc);
    BigEndian.put64(dst, at + 4, ntpTimestamp);
    BigEndian.put32(dst, at + 12, (int) rtpTimestamp);
    BigEndian.put32(dst, at + 16, (int) packetCount);
    BigEndian.put32(dst, at + 20, (int) octetCount);
    for (int i = 0; i < blockCount; i++) {
      blocks[i].writeTo(dst, off + fixed + ReportBlock.BYTES * i);
    }
    return length;
  }

  /** SDES (RFC 3550 §6.5) with one chunk holding one CNAME item; {@code cname} is UTF-8. */
  public static int sdesCname(byte[] dst, int off, int ssrc, byte[] cname) {
    checkCname(cname);
    int items = RtcpSdes.ITEM_HEADER_BYTES + cname.length;
    int length = sdesCnameLength(cname.length);
    if (!fits(dst, off, length)) {
      return NO_ROOM;
    }
    header(dst, off, 1, RtcpPacket.TYPE_SDES, length);
    int at = off + RtcpPacket.HEADER_BYTES;
    BigEndian.put32(dst, at, ssrc);
    at += RtcpPacket.SSRC_BYTES;
    dst[at] = RtcpSdes.ITEM_CNAME;
    dst[at + 1] = (byte) cname.length;
    System.arraycopy(cname, 0, dst, at + RtcpSdes.ITEM_HEADER_BYTES, cname.length);
    for (int i = at + items; i < off + length; i++) {
      dst[i] = RtcpSdes.ITEM_END;
    }
    return length;
  }

  /** Receiver report followed by an SDES CNAME: the minimal compound packet (RFC 3550 §6.1). */
  public static int receiverReportWithCname(
      byte[] dst, int off, int senderSsrc, ReportBlock[] blocks, int blockCount, byte[] cname) {
    checkCount(blockCount, blocks.length);
    int rrLength = RR_FIXED_BYTES + ReportBlock.BYTES * blockCount;
    checkCname(cname);
    if (!fits(dst, off, rrLength + sdesCnameLength(cname.length))) {
      return NO_ROOM;
    }
    int rr = receiverReport(dst, off, senderSsrc, blocks, blockCount);
    return rr + sdesCname(dst, off + rr, senderSsrc, cname);
  }

  // Header, SSRC, CNAME item, then 1..4 null octets up to the next 32-bit boundary (RFC 3550 §6.5).
  private static int sdesCnameLength(int cnameBytes) {
    int items = RtcpSdes.ITEM_HEADER_BYTES + cnameBytes;
    return RtcpPacket.HEADER_BYTES + RtcpPacket.SSRC_BYTES + (items / WORD + 1) * WORD;
  }

  /**
   * Generic NACK (RFC 4585 §6.2.1) with {@code count >= 1} pairs: packet id and bitmask of the
   * following 16 lost packets.
   */
  public static int nack(
      byte[] dst,
      int off,
      int senderSsrc,
      int mediaSsrc,
      int[] packetIds,
      int[] lostBitmasks,
      int count) {
    if (count < 1
        || count > packetIds.length
        || count > lostBitmasks.length
        || count > (MAX_PACKET_BYTES - RtcpFeedback.FCI_AT) / RtcpNack.ENTRY_BYTES) {
      throw new IllegalArgumentException("bad NACK entry count " + count);
    }
    int length = RtcpFeedback.FCI_AT + RtcpNack.ENTRY_BYTES * count;
    if (!fits(dst, off, length)) {
      return NO_ROOM;
    }
    feedbackHeader(dst, off, RtcpNack.FORMAT, RtcpPacket.TYPE_RTPFB, length, senderSsrc, mediaSsrc);
    for (int i = 0; i < count; i++) {
      int at = off + RtcpFeedback.FCI_AT + RtcpNack.ENTRY_BYTES * i;
      BigEndian.put16(dst, at, packetIds[i]);
      BigEndian.put16(dst, at + 2, lostBitmasks[i]);
    }
    return length;
  }

  /** Picture loss indication (RFC 4585 §6.3.1). */
  public static int pli(byte[] dst, int off, int senderSsrc, int mediaSsrc) {
    int length = RtcpFeedback.FCI_AT;
    if (!fits(dst, off, length)) {
      return NO_ROOM;
    }
    feedbackHeader(dst, off, RtcpPli.FORMAT, RtcpPacket.TYPE_PSFB, length, senderSsrc, mediaSsrc);
    return length;
  }

  /**
   * REMB (draft-alvestrand-rmcat-remb-03 §2.2) for {@code ssrcs[0, ssrcCount)}; the bitrate is
   * rounded down to an 18-bit mantissa times a power of two.
   */
  public static int remb(
      byte[] dst, int off, int senderSsrc, long bitrateBps, int[] ssrcs, int ssrcCount) {
    if (bitrateBps < 0) {
      throw new IllegalArgumentException("negative bitrate " + bitrateBps);
    }
    if (ssrcCount < 0 || ssrcCount > MAX_REMB_SSRCS || ssrcCount > ssrcs.length) {
      throw new IllegalArgumentException("bad REMB SSRC count " + ssrcCount);
    }
    int length = RtcpFeedback.FCI_AT + RtcpRemb.FIXED_FCI_BYTES + RtcpPacket.SSRC_BYTES * ssrcCount;
    if (!fits(dst, off, length)) {
      return NO_ROOM;
    }
    int exponent = 0;
    while ((bitrateBps >>> exponent) > RtcpRemb.MAX_MANTISSA) {
      exponent++;
    }
    // The draft: media source SSRC is always 0; the SSRCs follow the bitrate.
    feedbackHeader(dst, off, RtcpRemb.FORMAT, RtcpPacket.TYPE_PSFB, length, senderSsrc, 0);
    int at = off + RtcpFeedback.FCI_AT;
    BigEndian.put32(dst, at, RtcpRemb.IDENTIFIER);
    BigEndian.put8(dst, at + 4, ssrcCount);
    BigEndian.put24(
        dst, at + 5, exponent << RtcpRemb.MANTISSA_BITS | (int) (bitrateBps >>> exponent));
    for (int i = 0; i < ssrcCount; i++) {
      BigEndian.put32(dst, at + RtcpRemb.FIXED_FCI_BYTES + RtcpPacket.SSRC_BYTES * i, ssrcs[i]);
    }
    return length;
  }

  /**
   * Extended report (RFC 3611 §2) with one receiver reference time block (§4.4) carrying the 64-bit
   * 32.32 NTP time {@code ntp}.
   */
  public static int receiverReferenceTime(byte[] dst, int off, int senderSsrc, long ntp) {
    int length = RtcpXr.FIXED_BYTES + RtcpXr.BLOCK_HEADER_BYTES + RtcpXr.RRT_WORDS * WORD;
    if (!fits(dst, off, length)) {
      return NO_ROOM;
    }
    int at = xrHeader(dst, off, length, senderSsrc);
    xrBlockHeader(dst, at, RtcpXr.RECEIVER_REFERENCE_TIME, RtcpXr.RRT_WORDS);
    BigEndian.put64(dst, at + RtcpXr.BLOCK_HEADER_BYTES, ntp);
    return length;
  }

  /**
   * Extended report (RFC 3611 §2) with one DLRR block (§4.5) for receiver {@code ssrc}: the middle
   * 32 bits of its last receiver reference time and the delay since, in 1/65536 s, both mod 2^32.
   */
  public static int dlrr(
      byte[] dst, int off, int senderSsrc, int ssrc, long lastRr32, long delaySinceLastRr32) {
    int length = RtcpXr.FIXED_BYTES + RtcpXr.BLOCK_HEADER_BYTES + RtcpXr.DLRR_SUB_BLOCK_BYTES;
    if (!fits(dst, off, length)) {
      return NO_ROOM;
    }
    int at = xrHeader(dst, off, length, senderSsrc);
    xrBlockHeader(dst, at, RtcpXr.DLRR, RtcpXr.DLRR_SUB_BLOCK_WORDS);
    at += RtcpXr.BLOCK_HEADER_BYTES;
    BigEndian.put32(dst, at, ssrc);
    BigEndian.put32(dst, at + 4, (int) lastRr32);
    BigEndian.put32(dst, at + 8, (int) delaySinceLastRr32);
    return length;
  }

  // RFC 3611 §2: the 5 bits after the padding bit are reserved (0); returns the first block index.
  private static int xrHeader(byte[] dst, int off, int length, int senderSsrc) {
    header(dst, off, 0, RtcpPacket.TYPE_XR, length);
    BigEndian.put32(dst, off + RtcpPacket.HEADER_BYTES, senderSsrc);
    return off + RtcpXr.FIXED_BYTES;
  }

  // RFC 3611 §3: block type, type-specific byte (reserved, 0 here), length in words minus one.
  private static void xrBlockHeader(byte[] dst, int at, int blockType, int contentWords) {
    dst[at] = (byte) blockType;
    dst[at + 1] = 0;
    BigEndian.put16(dst, at + 2, contentWords);
  }

  private static void checkCount(int count, int available) {
    if (count < 0 || count > MAX_COUNT || count > available) {
      throw new IllegalArgumentException("bad report block count " + count);
    }
  }

  private static void checkCname(byte[] cname) {
    if (cname.length > MAX_SDES_TEXT_BYTES) {
      throw new IllegalArgumentException("CNAME longer than 255 bytes: " + cname.length);
    }
  }

  private static boolean fits(byte[] dst, int off, int length) {
    return BigEndian.inBounds(dst, off, length);
  }

  // RFC 3550 §6.4.1: V=2, P=0, 5-bit count, PT, length in words minus one.
  private static void header(byte[] dst, int off, int count, int packetType, int lengthBytes) {
    dst[off] = (byte) (RtcpPacket.RTCP_VERSION << 6 | count);
    dst[off + 1] = (byte) packetType;
    BigEndian.put16(dst, off + 2, lengthBytes / WORD - 1);
  }

  private static void feedbackHeader(
      byte[] dst,
      int off,
      int format,
      int packetType,
      int lengthBytes,
      int senderSsrc,
      int mediaSsrc) {
    header(dst, off, format, packetType, lengthBytes);
    BigEndian.put32(dst, off + RtcpPacket.HEADER_BYTES, senderSsrc);
    BigEndian.put32(dst, off + RtcpPacket.HEADER_BYTES + RtcpPacket.SSRC_BYTES, mediaSsrc);
  }
}
