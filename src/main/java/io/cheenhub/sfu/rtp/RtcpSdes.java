package io.cheenhub.sfu.rtp;

import java.nio.charset.StandardCharsets;

/**
 * View of an RTCP source description (RFC 3550 §6.5, PT 202) that walks its chunks and finds each
 * chunk's CNAME.
 */
public final class RtcpSdes extends RtcpPacket {

  /** Returned by {@link #cnameOffset()} when the current chunk has no CNAME. */
  public static final int NOT_FOUND = -1;

  // RFC 3550 §6.5: item type 0 ends a chunk's item list; CNAME is type 1 (§6.5.1).
  static final int ITEM_END = 0;
  static final int ITEM_CNAME = 1;
  // RFC 3550 §6.5: type octet, length octet, then up to 255 octets of UTF-8 text.
  static final int ITEM_HEADER_BYTES = 2;

  private int cursor;
  private int chunksLeft;
  private int chunkSsrc;
  private int cnameOffset = NOT_FOUND;
  private int cnameLength;

  @Override
  boolean parse(byte[] b, int o, int n) {
    cursor = o + HEADER_BYTES;
    chunksLeft = 0;
    chunkSsrc = 0;
    cnameOffset = NOT_FOUND;
    cnameLength = 0;
    if (n < HEADER_BYTES || BigEndian.u8(b, o + 1) != TYPE_SDES) {
      return false;
    }
    int sourceCount = b[o] & 0x1F;
    int end = o + n;
    int at = cursor;
    for (int chunk = 0; chunk < sourceCount; chunk++) {
      at = chunkEnd(b, o, at, end);
      if (at < 0) {
        return false;
      }
    }
    chunksLeft = sourceCount;
    return true;
  }

  /** Index after the chunk starting at {@code at}, or -1 if it does not fit before {@code end}. */
  private static int chunkEnd(byte[] b, int packetStart, int at, int end) {
    if (end - at < SSRC_BYTES) {
      return -1;
    }
    int i = at + SSRC_BYTES;
    while (i < end) {
      if (b[i] == ITEM_END) {
        // RFC 3550 §6.5: null octets pad the chunk to the next 32-bit boundary.
        int aligned = i + 1 + Math.floorMod(-(i + 1 - packetStart), WORD_BYTES);
        return aligned <= end ? aligned : -1;
      }
      if (end - i < ITEM_HEADER_BYTES) {
        return -1;
      }
      int itemEnd = i + ITEM_HEADER_BYTES + (b[i + 1] & 0xFF);
      if (itemEnd > end) {
        return -1;
      }
      i = itemEnd;
    }
    return -1;
  }

  /** Number of chunks (SSRC/CSRC sources) in the packet. */
  public int sourceCount() {
    return count();
  }

  /**
   * Moves to the next chunk; returns false when all chunks were visited. The chunk accessors below
   * describe the current chunk.
   */
  public boolean nextChunk() {
    if (chunksLeft == 0) {
      return false;
    }
    chunksLeft--;
    int end = off + len;
    chunkSsrc = BigEndian.i32(buf, cursor);
    cnameOffset = NOT_FOUND;
    cnameLength = 0;
    int i = cursor + SSRC_BYTES;
    while (buf[i] != ITEM_END) {
      int length = buf[i + 1] & 0xFF;
      if (buf[i] == ITEM_CNAME && cnameOffset == NOT_FOUND) {
        cnameOffset = i + ITEM_HEADER_BYTES;
        cnameLength = length;
      }
      i += ITEM_HEADER_BYTES + length;
    }
    cursor = chunkEnd(buf, off, cursor, end);
    return true;
  }

  public int chunkSsrc() {
    return chunkSsrc;
  }

  /**
   * Absolute index of the current chunk's CNAME text in {@link #buffer()}, or {@link #NOT_FOUND}.
   */
  public int cnameOffset() {
    return cnameOffset;
  }

  public int cnameLength() {
    return cnameLength;
  }

  /** The current chunk's CNAME decoded as UTF-8, or null; allocates. */
  public String cname() {
    return cnameOffset == NOT_FOUND
        ? null
        : new String(buf, cnameOffset, cnameLength, StandardCharsets.UTF_8);
  }
}
