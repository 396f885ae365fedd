package io.cheenhub.sfu.rtp;

import java.util.Objects;

/**
 * Reusable zero-copy view of an RFC 2198 redundant audio (RED) payload, plus in-place stripping to
 * the primary encoding and an encoder.
 *
 * <p>RFC 2198 §3: a run of 4-byte headers with the F bit set (one per redundant block: F, 7-bit
 * block PT, 14-bit timestamp offset, 10-bit block length), then one 1-byte header with F clear for
 * the primary encoding; the block data follow in header order, and the primary block takes the rest
 * of the payload. libwebrtc sends the Opus frames of the previous packet(s) oldest first, all with
 * the Opus payload type, then the current frame as primary.
 *
 * <p>{@link #wrap} never throws on hostile input: it returns false and sets {@link #problem}; a
 * view whose last wrap failed reports zero blocks. Not thread-safe: one view per pipeline thread.
 */
public final class RedPayload {

  /** Why a wrap failed. */
  public enum Problem {
    NONE,
    /** Offset or length outside the array (a caller bug, reported instead of thrown). */
    OUT_OF_BOUNDS,
    /** Empty payload: not even the primary's 1-byte header. */
    NO_BLOCKS,
    /** The payload ends inside a header, or before a header with the F bit clear. */
    TRUNCATED_HEADER,
    /** More than {@link #MAX_BLOCKS} blocks. */
    TOO_MANY_BLOCKS,
    /** The redundant blocks' lengths run past the end of the payload. */
    BLOCK_OVERRUN
  }

  /**
   * Blocks accepted per payload, primary included. libwebrtc sends at most 1 + 2 redundant blocks
   * (WebRTC-Audio-Red-For-Opus distance); 8 leaves room for other senders and bounds the walk.
   */
  public static final int MAX_BLOCKS = 8;

  /** RFC 2198 §3: header of a redundant block (F=1), in bytes. */
  public static final int REDUNDANT_HEADER_BYTES = 4;

  /** RFC 2198 §3: header of the primary block (F=0), in bytes. */
  public static final int PRIMARY_HEADER_BYTES = 1;

  /** RFC 2198 §3: the block length field has 10 bits. */
  public static final int MAX_BLOCK_LENGTH = (1 << 10) - 1;

  /** RFC 2198 §3: the timestamp offset field has 14 bits (in RTP clock ticks). */
  public static final int MAX_TIMESTAMP_OFFSET = (1 << 14) - 1;

  /** {@link #stripToPrimary} result: malformed RED or an invalid packet (count a drop). */
  public static final int MALFORMED = -1;

  /** {@link #stripToPrimary} result: valid RED carrying only redundancy, packet left unchanged. */
  public static final int EMPTY_PRIMARY = 0;

  /** {@link #encode} result: the blocks do not fit the fields or the destination. */
  public static final int DOES_NOT_FIT = -1;

  private static final int F_BIT = 0x80;
  private static final int PAYLOAD_TYPE_MASK = 0x7F;
  private static final int TIMESTAMP_OFFSET_SHIFT = 2;
  private static final int BLOCK_LENGTH_MASK = 0x3FF;
  private static final int RTP_PADDING_BIT = 0x20;
  private static final Problem[] PROBLEMS = Problem.values();

  private final int[] payloadTypes = new int[MAX_BLOCKS];
  private final int[] timestampOffsets = new int[MAX_BLOCKS];
  private final int[] offsets = new int[MAX_BLOCKS];
  private final int[] lengths = new int[MAX_BLOCKS];
  private int blockCount;
  private Problem problem = Problem.NO_BLOCKS;

  /** Parses the RED payload in {@code buf[off, off + len)}; false (see {@link #problem}) if bad. */
  public boolean wrap(byte[] buf, int off, int len) {
    blockCount = 0;
    if (!BigEndian.inBounds(buf, off, len)) {
      problem = Problem.OUT_OF_BOUNDS;
      return false;
    }
    int primaryHeader = primaryHeaderIndex(buf, off, len);
    if (primaryHeader < 0) {
      problem = PROBLEMS[-primaryHeader];
      return false;
    }
    int data = primaryHeader + PRIMARY_HEADER_BYTES;
    int redundant = primaryHeader / REDUNDANT_HEADER_BYTES;
    for (int i = 0; i < redundant; i++) {
      int header = off + i * REDUNDANT_HEADER_BYTES;
      payloadTypes[i] = buf[header] & PAYLOAD_TYPE_MASK;
      timestampOffsets[i] = BigEndian.u16(buf, header + 1) >>> TIMESTAMP_OFFSET_SHIFT;
      offsets[i] = off + data;
      lengths[i] = BigEndian.u16(buf, header + 2) & BLOCK_LENGTH_MASK;
      data += lengths[i];
    }
    if (data > len) {
      problem = Problem.BLOCK_OVERRUN;
      return false;
    }
    payloadTypes[redundant] = buf[off + primaryHeader] & PAYLOAD_TYPE_MASK;
    timestampOffsets[redundant] = 0;
    offsets[redundant] = off + data;
    lengths[redundant] = len - data;
    blockCount = redundant + 1;
    problem = Problem.NONE;
    return true;
  }

  /** Parses the payload of a valid {@code packet} (padding excluded). */
  public boolean wrap(RtpPacket packet) {
    return wrap(packet.buffer(), packet.payloadOffset(), packet.payloadLength());
  }

  /** Whether the last wrap succeeded. */
  public boolean isValid() {
    return problem == Problem.NONE;
  }

  /** Why the last wrap failed, or {@link Problem#NONE}. */
  public Problem problem() {
    return problem;
  }

  /**
   * Blocks in the payload, redundant ones first (oldest first as libwebrtc sends them), primary
   * last; 0 if invalid.
   */
  public int blockCount() {
    return blockCount;
  }

  /** The 7-bit payload type of block {@code index}. */
  public int blockPayloadType(int index) {
    return payloadTypes[Objects.checkIndex(index, blockCount)];
  }

  /**
   * How many RTP clock ticks block {@code index} precedes the packet's timestamp (0 for the
   * primary).
   */
  public int blockTimestampOffset(int index) {
    return timestampOffsets[Objects.checkIndex(index, blockCount)];
  }

  /** Absolute index of block {@code index}'s data in the wrapped array. */
  public int blockOffset(int index) {
    return offsets[Objects.checkIndex(index, blockCount)];
  }

  /** Length in bytes of block {@code index}'s data. */
  public int blockLength(int index) {
    return lengths[Objects.checkIndex(index, blockCount)];
  }

  /** The primary block's payload type, or -1 if invalid. */
  public int primaryPayloadType() {
    return blockCount == 0 ? -1 : payloadTypes[blockCount - 1];
  }

  /** Absolute index of the primary block's data, or -1 if invalid. */
  public int primaryOffset() {
    return blockCount == 0 ? -1 : offsets[blockCount - 1];
  }

  /** Length in bytes of the primary block's data (0 when only redundancy is carried or invalid). */
  public int primaryLength() {
    return blockCount == 0 ? 0 : lengths[blockCount - 1];
  }

  /**
   * Rewrites a RED {@code packet} in place into a plain packet of its primary encoding: the primary
   * bytes move to the payload start, the payload type becomes the primary's, RTP padding is dropped
   * (it padded the RED packet, not the primary) and the view is re-wrapped to the new length.
   * Header fields, CSRCs and header extensions stay.
   *
   * @return the new packet length; the unchanged length when the packet's PT is not {@code
   *     redPayloadType}; {@link #EMPTY_PRIMARY} (packet unchanged) when the primary block is empty;
   *     {@link #MALFORMED} (packet unchanged) for an invalid packet or RED payload
   */
  public static int stripToPrimary(RtpPacket packet, int redPayloadType) {
    if (!packet.isValid()) {
      return MALFORMED;
    }
    if (packet.payloadType() != redPayloadType) {
      return packet.length();
    }
    byte[] buf = packet.buffer();
    int payload = packet.payloadOffset();
    int payloadLength = packet.payloadLength();
    int primaryHeader = primaryHeaderIndex(buf, payload, payloadLength);
    if (primaryHeader < 0) {
      return MALFORMED;
    }
    int data = primaryHeader + PRIMARY_HEADER_BYTES;
    for (int header = 0; header < primaryHeader; header += REDUNDANT_HEADER_BYTES) {
      data += BigEndian.u16(buf, payload + header + 2) & BLOCK_LENGTH_MASK;
    }
    if (data > payloadLength) {
      return MALFORMED;
    }
    int primaryLength = payloadLength - data;
    if (primaryLength == 0) {
      return EMPTY_PRIMARY;
    }
    int primaryPayloadType = buf[payload + primaryHeader] & PAYLOAD_TYPE_MASK;
    System.arraycopy(buf, payload + data, buf, payload, primaryLength);
    int start = packet.offset();
    buf[start] = (byte) (buf[start] & ~RTP_PADDING_BIT);
    packet.setPayloadType(primaryPayloadType);
    int newLength = packet.headerLength() + primaryLength;
    packet.wrap(buf, start, newLength);
    return newLength;
  }

  /**
   * Writes a RED payload with one redundant block, as libwebrtc sends Opus by default: the previous
   * frame {@code timestampOffset} ticks earlier, then the current frame as primary; both blocks get
   * {@code payloadType}. A {@code redundantLength} of 0 writes the primary alone, as libwebrtc's
   * first packet ({@code redundant} may then be null).
   *
   * @return bytes written at {@code dst[off]}, or {@link #DOES_NOT_FIT}
   */
  public static int encode(
      byte[] dst,
      int off,
      int payloadType,
      byte[] primary,
      int primaryOff,
      int primaryLength,
      byte[] redundant,
      int redundantOff,
      int redundantLength,
      int timestampOffset) {
    int blocks = redundantLength == 0 ? 0 : 1;
    int size =
        blocks * (REDUNDANT_HEADER_BYTES + redundantLength) + PRIMARY_HEADER_BYTES + primaryLength;
    if (!fits(dst, off, size, payloadType)
        || !BigEndian.inBounds(primary, primaryOff, primaryLength)
        || (blocks == 1
            && (!BigEndian.inBounds(redundant, redundantOff, redundantLength)
                || !fitsHeader(redundantLength, timestampOffset)))) {
      return DOES_NOT_FIT;
    }
    int at = off;
    if (blocks == 1) {
      at = writeRedundantHeader(dst, at, payloadType, timestampOffset, redundantLength);
    }
    dst[at++] = (byte) (payloadType & PAYLOAD_TYPE_MASK);
    if (blocks == 1) {
      System.arraycopy(redundant, redundantOff, dst, at, redundantLength);
      at += redundantLength;
    }
    System.arraycopy(primary, primaryOff, dst, at, primaryLength);
    return at + primaryLength - off;
  }

  /**
   * Writes a RED payload with {@code count} redundant blocks ({@code redundant[i][0,
   * redundantLengths[i])}, oldest first, {@code timestampOffsets[i]} ticks before the primary) and
   * the primary; all blocks get {@code payloadType}.
   *
   * @return bytes written at {@code dst[off]}, or {@link #DOES_NOT_FIT}
   */
  public static int encode(
      byte[] dst,
      int off,
      int payloadType,
      byte[][] redundant,
      int[] redundantLengths,
      int[] timestampOffsets,
      int count,
      byte[] primary,
      int primaryOff,
      int primaryLength) {
    if (count < 0
        || count >= MAX_BLOCKS
        || count > redundant.length
        || count > redundantLengths.length
        || count > timestampOffsets.length
        || !BigEndian.inBounds(primary, primaryOff, primaryLength)) {
      return DOES_NOT_FIT;
    }
    long size = PRIMARY_HEADER_BYTES + (long) primaryLength;
    for (int i = 0; i < count; i++) {
      if (!fitsHeader(redundantLengths[i], timestampOffsets[i])
          || !BigEndian.inBounds(redundant[i], 0, redundantLengths[i])) {
        return DOES_NOT_FIT;
      }
      size += REDUNDANT_HEADER_BYTES + redundantLengths[i];
    }
    if (size > Integer.MAX_VALUE || !fits(dst, off, (int) size, payloadType)) {
      return DOES_NOT_FIT;
    }
    int at = off;
    for (int i = 0; i < count; i++) {
      at = writeRedundantHeader(dst, at, payloadType, timestampOffsets[i], redundantLengths[i]);
    }
    dst[at++] = (byte) (payloadType & PAYLOAD_TYPE_MASK);
    for (int i = 0; i < count; i++) {
      System.arraycopy(redundant[i], 0, dst, at, redundantLengths[i]);
      at += redundantLengths[i];
    }
    System.arraycopy(primary, primaryOff, dst, at, primaryLength);
    return at + primaryLength - off;
  }

  /**
   * Index (relative to {@code off}) of the primary's 1-byte header, or minus the ordinal of the
   * {@link Problem}. Every header before it is a 4-byte redundant header.
   */
  private static int primaryHeaderIndex(byte[] buf, int off, int len) {
    if (len == 0) {
      return -Problem.NO_BLOCKS.ordinal();
    }
    int at = 0;
    for (int redundant = 0; ; redundant++) {
      if (at >= len) {
        return -Problem.TRUNCATED_HEADER.ordinal();
      }
      if ((buf[off + at] & F_BIT) == 0) {
        return at;
      }
      if (redundant == MAX_BLOCKS - 1) {
        return -Problem.TOO_MANY_BLOCKS.ordinal();
      }
      if (len - at < REDUNDANT_HEADER_BYTES) {
        return -Problem.TRUNCATED_HEADER.ordinal();
      }
      at += REDUNDANT_HEADER_BYTES;
    }
  }

  private static boolean fits(byte[] dst, int off, int size, int payloadType) {
    return payloadType >= 0
        && payloadType <= PAYLOAD_TYPE_MASK
        && BigEndian.inBounds(dst, off, size);
  }

  private static boolean fitsHeader(int length, int timestampOffset) {
    return length >= 0
        && length <= MAX_BLOCK_LENGTH
        && timestampOffset >= 0
        && timestampOffset <= MAX_TIMESTAMP_OFFSET;
  }

  // RFC 2198 §3: F=1 | block PT (7) | timestamp offset (14) | block length (10).
  private static int writeRedundantHeader(
      byte[] dst, int at, int payloadType, int timestampOffset, int length) {
    dst[at] = (byte) (F_BIT | payloadType & PAYLOAD_TYPE_MASK);
    BigEndian.put24(dst, at + 1, timestampOffset << 10 | length);
    return at + REDUNDANT_HEADER_BYTES;
  }
}
