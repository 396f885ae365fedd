package io.cheenhub.sfu.rtp;

import java.util.Objects;

/**
 * View of an RTCP extended report (RFC 3611, PT 207) that walks its report blocks and reads the two
 * used for receiver-side round-trip time ({@code rcvr-rtt}, RFC 3611 §4.4 and §4.5); other block
 * types are skipped.
 *
 * <pre>{@code
 * if (xr.wrap(compound)) {
 *   while (xr.nextBlock()) {
 *     if (xr.blockType() == RtcpXr.RECEIVER_REFERENCE_TIME) { xr.ntpTimestamp() }
 *     else for (int i = 0; i < xr.dlrrCount(); i++) { xr.dlrrSsrc(i), xr.lastRr(i), ... }
 *   }
 * }
 * }</pre>
 */
public final class RtcpXr extends RtcpPacket {

  /** RFC 3611 §4.4: receiver reference time report block. */
  public static final int RECEIVER_REFERENCE_TIME = 4;

  /** RFC 3611 §4.5: DLRR report block. */
  public static final int DLRR = 5;

  // RFC 3611 §3: block type (8), type-specific (8), block length (16): the block's length in
  // 32-bit words minus one, header included, so the contents take exactly that many words.
  static final int BLOCK_HEADER_BYTES = 4;
  // RFC 3611 §4.4: the NTP timestamp takes 2 words after the block header.
  static final int RRT_WORDS = 2;
  // RFC 3611 §4.5: each sub-block is SSRC, last RR (LRR) and delay since last RR (DLRR).
  static final int DLRR_SUB_BLOCK_WORDS = 3;
  static final int DLRR_SUB_BLOCK_BYTES = DLRR_SUB_BLOCK_WORDS * WORD_BYTES;
  static final int FIXED_BYTES = HEADER_BYTES + SSRC_BYTES;

  private int cursor;
  private int end;
  private int blockAt;
  private int blockType;
  private int dlrrCount;

  @Override
  boolean parse(byte[] b, int o, int n) {
    cursor = o + FIXED_BYTES;
    end = o + n;
    blockAt = 0;
    blockType = 0;
    dlrrCount = 0;
    if (n < FIXED_BYTES || BigEndian.u8(b, o + 1) != TYPE_XR) {
      end = cursor;
      return false;
    }
    int at = cursor;
    while (at < end) {
      if (end - at < BLOCK_HEADER_BYTES) {
        return false;
      }
      int type = BigEndian.u8(b, at);
      int words = BigEndian.u16(b, at + 2);
      if (words > (end - at - BLOCK_HEADER_BYTES) / WORD_BYTES
          || (type == RECEIVER_REFERENCE_TIME && words != RRT_WORDS)
          || (type == DLRR && words % DLRR_SUB_BLOCK_WORDS != 0)) {
        return false;
      }
      at += BLOCK_HEADER_BYTES + words * WORD_BYTES;
    }
    return true;
  }

  public int senderSsrc() {
    return BigEndian.i32(buf, off + HEADER_BYTES);
  }

  /** Moves to the next receiver reference time or DLRR block; false after the last one. */
  public boolean nextBlock() {
    while (cursor < end) {
      int at = cursor;
      int type = BigEndian.u8(buf, at);
      int words = BigEndian.u16(buf, at + 2);
      cursor = at + BLOCK_HEADER_BYTES + words * WORD_BYTES;
      if (type == RECEIVER_REFERENCE_TIME || type == DLRR) {
        blockAt = at;
        blockType = type;
        dlrrCount = type == DLRR ? words / DLRR_SUB_BLOCK_WORDS : 0;
        return true;
      }
    }
    blockType = 0;
    dlrrCount = 0;
    return false;
  }

  /** {@link #RECEIVER_REFERENCE_TIME} or {@link #DLRR}; 0 when not positioned on a block. */
  public int blockType() {
    return blockType;
  }

  /** RFC 3611 §4.4: the 64-bit NTP timestamp of a receiver reference time block, else 0. */
  public long ntpTimestamp() {
    return blockType == RECEIVER_REFERENCE_TIME ? BigEndian.i64(buf, blockAt + 4) : 0;
  }

  /** Number of sub-blocks in the current DLRR block (0 for other blocks). */
  public int dlrrCount() {
    return dlrrCount;
  }

  /** SSRC of receiver {@code index} in the current DLRR block. */
  public int dlrrSsrc(int index) {
    return BigEndian.i32(buf, subBlock(index));
  }

  /** RFC 3611 §4.5: middle 32 bits of the receiver's reference time (LRR), unsigned. */
  public long lastRr(int index) {
    return BigEndian.u32(buf, subBlock(index) + 4);
  }

  /** RFC 3611 §4.5: delay since last RR (DLRR) in units of 1/65536 s, unsigned. */
  public long delaySinceLastRr(int index) {
    return BigEndian.u32(buf, subBlock(index) + 8);
  }

  private int subBlock(int index) {
    Objects.checkIndex(index, dlrrCount);
    return blockAt + BLOCK_HEADER_BYTES + DLRR_SUB_BLOCK_BYTES * index;
  }
}
