package io.cheenhub.sfu.rtp;

import java.util.Objects;

/**
 * Reusable zero-copy view of one RTP packet (RFC 3550 §5.1) with in-place rewrites for forwarding.
 *
 * <p>{@link #wrap} validates the lengths once; getters then read the caller's bytes on demand. A
 * view whose last wrap failed reads as an all-zero, zero-length packet and refuses rewrites, so no
 * call on it can throw. Not thread-safe: one view per pipeline thread.
 */
public final class RtpPacket {

  /** Why a wrap failed. */
  public enum Problem {
    NONE,
    /** Offset or length outside the array (a caller bug, reported instead of thrown). */
    OUT_OF_BOUNDS,
    /** Shorter than the 12-byte fixed header. */
    TOO_SHORT,
    /** Version field is not 2. */
    BAD_VERSION,
    /** The CSRC list runs past the end. */
    CSRC_OVERRUN,
    /** The header extension runs past the end. */
    EXTENSION_OVERRUN,
    /** Padding count is zero or larger than what follows the header. */
    BAD_PADDING
  }

  /** Returned by {@link #findExtension} when the element is absent. */
  public static final int NOT_FOUND = -1;

  /** RFC 3550 §5.1: fixed header size in bytes. */
  public static final int FIXED_HEADER_BYTES = 12;

  /** RFC 8285 §4.2: "defined by profile" value of the one-byte header form. */
  public static final int ONE_BYTE_PROFILE = 0xBEDE;

  /** RFC 8285 §4.3: the two-byte form is 0x100 followed by 4 application bits. */
  public static final int TWO_BYTE_PROFILE = 0x1000;

  private static final int TWO_BYTE_PROFILE_MASK = 0xFFF0;
  private static final int RTP_VERSION = 2;
  private static final int CSRC_BYTES = 4;
  // RFC 3550 §5.3.1: 16-bit profile, 16-bit length in 32-bit words.
  private static final int EXTENSION_HEADER_BYTES = 4;
  private static final int EXTENSION_WORD_BYTES = 4;
  // RFC 8285 §4.2: ids 1..14; 15 is reserved and ends parsing; a zero byte is padding.
  private static final int ONE_BYTE_MAX_ID = 14;
  private static final int TWO_BYTE_MAX_ID = 255;
  private static final int PADDING_BYTE = 0;

  private static final byte[] NO_PACKET = new byte[FIXED_HEADER_BYTES];

  private byte[] buf = NO_PACKET;
  private int off;
  private int len;
  private int headerLength;
  private int paddingLength;
  private int extensionProfile;
  private int extensionDataOffset;
  private int extensionDataLength;
  private int foundExtensionLength;
  private Problem problem = Problem.TOO_SHORT;

  /**
   * Points the view at {@code buf[off, off + len)}; returns false (see {@link #problem}) if
   * invalid.
   */
  public boolean wrap(byte[] buf, int off, int len) {
    problem = check(buf, off, len);
    if (problem != Problem.NONE) {
      this.buf = NO_PACKET;
      this.off = 0;
      this.len = 0;
      headerLength = 0;
      paddingLength = 0;
      extensionProfile = 0;
      extensionDataOffset = 0;
      extensionDataLength = 0;
      foundExtensionLength = 0;
      return false;
    }
    this.buf = buf;
    this.off = off;
    this.len = len;
    return true;
  }

  private Problem check(byte[] b, int o, int n) {
    if (!BigEndian.inBounds(b, o, n)) {
      return Problem.OUT_OF_BOUNDS;
    }
    if (n < FIXED_HEADER_BYTES) {
      return Problem.TOO_SHORT;
    }
    int first = b[o] & 0xFF;
    if (first >>> 6 != RTP_VERSION) {
      return Problem.BAD_VERSION;
    }
    int header = FIXED_HEADER_BYTES + CSRC_BYTES * (first & 0x0F);
    if (header > n) {
      return Problem.CSRC_OVERRUN;
    }
    int profile = 0;
    int extData = 0;
    int extLength = 0;
    if ((first & 0x10) != 0) {
      if (header + EXTENSION_HEADER_BYTES > n) {
        return Problem.EXTENSION_OVERRUN;
      }
      profile = BigEndian.u16(b, o + header);
      extLength = EXTENSION_WORD_BYTES * BigEndian.u16(b, o + header + 2);
      extData = o + header + EXTENSION_HEADER_BYTES;
      header += EXTENSION_HEADER_BYTES + extLength;
      if (header > n) {
        return Problem.EXTENSION_OVERRUN;
      }
    }
    int padding = 0;
    if ((first & 0x20) != 0) {
      // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
      padding = b[o + n - 1] & 0xFF;
      if (padding == 0 || padding > n - header) {
        return Problem.BAD_PADDING;
      }
    }
    headerLength = header;
    paddingLength = padding;
    extensionProfile = profile;
    extensionDataOffset = extData;
    extensionDataLength = extLength;
    foundExtensionLength = 0;
    return Problem.NONE;
  }

  public boolean isValid() {
    return problem == Problem.NONE;
  }

  public Problem problem() {
    return problem;
  }

  public byte[] buffer() {
    return buf;
  }

  public int offset() {
    return off;
  }

  public int length() {
    return len;
  }

  public int version() {
    return (buf[off] & 0xFF) >>> 6;
  }

  public boolean hasPadding() {
    return (buf[off] & 0x20) != 0;
  }

  public boolean hasExtension() {
    return (buf[off] & 0x10) != 0;
  }

  public int csrcCount() {
    return buf[off] & 0x0F;
  }

  /** CSRC number {@code index}, {@code 0 <= index < csrcCount()}. */
  public int csrc(int index) {
    Objects.checkIndex(index, csrcCount());
    return BigEndian.i32(buf, off + FIXED_HEADER_BYTES + CSRC_BYTES * index);
  }

  public boolean marker() {
    return (buf[off + 1] & 0x80) != 0;
  }

  public int payloadType() {
    return buf[off + 1] & 0x7F;
  }

  public int sequenceNumber() {
    return BigEndian.u16(buf, off + 2);
  }

  /** The 32-bit timestamp, unsigned. */
  public long timestamp() {
    return BigEndian.u32(buf, off + 4);
  }

  public int ssrc() {
    return BigEndian.i32(buf, off + 8);
  }

  /** Fixed header + CSRCs + header extension, in bytes. */
  public int headerLength() {
    return headerLength;
  }

  /** Absolute index of the payload in {@link #buffer()}. */
  public int payloadOffset() {
    return off + headerLength;
  }

  /** Payload bytes, padding excluded. */
  public int payloadLength() {
    return len - headerLength - paddingLength;
  }

  public int paddingLength() {
    return paddingLength;
  }

  /** The extension's "defined by profile" field, or 0 without an extension. */
  public int extensionProfile() {
    return extensionProfile;
  }

  public boolean setMarker(boolean marker) {
    if (!isValid()) {
      return false;
    }
    buf[off + 1] = (byte) (marker ? buf[off + 1] | 0x80 : buf[off + 1] & 0x7F);
    return true;
  }

  /** Rewrites the 7-bit payload type, keeping the marker bit. */
  public boolean setPayloadType(int payloadType) {
    if (!isValid()) {
      return false;
    }
    buf[off + 1] = (byte) (buf[off + 1] & 0x80 | payloadType & 0x7F);
    return true;
  }

  /** Rewrites the sequence number (low 16 bits of the argument). */
  public boolean setSequenceNumber(int sequenceNumber) {
    if (!isValid()) {
      return false;
    }
    BigEndian.put16(buf, off + 2, sequenceNumber);
    return true;
  }

  /** Rewrites the timestamp (low 32 bits of the argument). */
  public boolean setTimestamp(long timestamp) {
    if (!isValid()) {
      return false;
    }
    BigEndian.put32(buf, off + 4, (int) timestamp);
    return true;
  }

  public boolean setSsrc(int ssrc) {
    if (!isValid()) {
      return false;
    }
    BigEndian.put32(buf, off + 8, ssrc);
    return true;
  }

  /**
   * Finds header extension element {@code id} (RFC 8285 one- or two-byte form) and returns the
   * absolute index of its data in {@link #buffer()}, or {@link #NOT_FOUND}; the data length is then
   * {@link #extensionLength()}. Elements after a malformed one are not considered.
   */
  public int findExtension(int id) {
    foundExtensionLength = 0;
    if (extensionProfile == ONE_BYTE_PROFILE) {
      return id >= 1 && id <= ONE_BYTE_MAX_ID ? findOneByte(id) : NOT_FOUND;
    }
    if ((extensionProfile & TWO_BYTE_PROFILE_MASK) == TWO_BYTE_PROFILE) {
      return id >= 1 && id <= TWO_BYTE_MAX_ID ? findTwoByte(id) : NOT_FOUND;
    }
    return NOT_FOUND;
  }

  /** Data length in bytes of the element the last successful {@link #findExtension} found. */
  public int extensionLength() {
    return foundExtensionLength;
  }

  // RFC 8285 §4.2: 4-bit id, 4-bit (length - 1), then data.
  private int findOneByte(int id) {
    int end = extensionDataOffset + extensionDataLength;
    int i = extensionDataOffset;
    while (i < end) {
      int b = buf[i] & 0xFF;
      if (b == PADDING_BYTE) {
        i++;
        continue;
      }
      int elementId = b >>> 4;
      // Id 15 ends processing (RFC 8285 §4.2); id 0 with a length is malformed (as libwebrtc).
      if (elementId == 0 || elementId > ONE_BYTE_MAX_ID) {
        return NOT_FOUND;
      }
      int data = i + 1;
      int dataLength = (b & 0x0F) + 1;
      if (dataLength > end - data) {
        return NOT_FOUND;
      }
      if (elementId == id) {
        foundExtensionLength = dataLength;
        return data;
      }
      i = data + dataLength;
    }
    return NOT_FOUND;
  }

  // RFC 8285 §4.3: 8-bit id, 8-bit length (0..255), then data.
  private int findTwoByte(int id) {
    int end = extensionDataOffset + extensionDataLength;
    int i = extensionDataOffset;
    while (i < end) {
      int elementId = buf[i] & 0xFF;
      if (elementId == PADDING_BYTE) {
        i++;
        continue;
      }
      if (end - i < 2) {
        return NOT_FOUND;
      }
      int data = i + 2;
      int dataLength = buf[i + 1] & 0xFF;
      if (dataLength > end - data) {
        return NOT_FOUND;
      }
      if (elementId == id) {
        foundExtensionLength = dataLength;
        return data;
      }
      i = data + dataLength;
    }
    return NOT_FOUND;
  }
}
