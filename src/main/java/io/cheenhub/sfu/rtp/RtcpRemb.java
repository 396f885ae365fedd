package io.cheenhub.sfu.rtp;

import java.util.Objects;

/**
 * View of a receiver estimated maximum bitrate message (draft-alvestrand-rmcat-remb-03 §2.2, PSFB
 * FMT 15 with the "REMB" identifier).
 */
public final class RtcpRemb extends RtcpFeedback {

  /** RFC 4585 §6.4: application layer feedback message type, which REMB uses. */
  public static final int FORMAT = 15;

  /** The unique identifier 'R' 'E' 'M' 'B' as a big-endian 32-bit value. */
  static final int IDENTIFIER = 0x52454D42;

  // FCI: identifier (32), num SSRC (8), BR exp (6), BR mantissa (18), then num SSRC SSRCs.
  static final int FIXED_FCI_BYTES = 8;
  static final int MANTISSA_BITS = 18;
  static final int MAX_MANTISSA = (1 << MANTISSA_BITS) - 1;
  // mantissa << exp fits a signed 64-bit long while exp <= 63 - 18.
  private static final int MAX_EXACT_EXPONENT = Long.SIZE - 1 - MANTISSA_BITS;

  private int ssrcCount;

  public RtcpRemb() {
    super(TYPE_PSFB, FORMAT);
  }

  @Override
  boolean parseFci(byte[] b, int at, int length) {
    ssrcCount = 0;
    if (length < FIXED_FCI_BYTES || BigEndian.i32(b, at) != IDENTIFIER) {
      return false;
    }
    int count = BigEndian.u8(b, at + 4);
    if (count > (length - FIXED_FCI_BYTES) / SSRC_BYTES) {
      return false;
    }
    ssrcCount = count;
    return true;
  }

  public int exponent() {
    return (buf[fciOffset() + 5] & 0xFF) >>> 2;
  }

  public int mantissa() {
    return BigEndian.u24(buf, fciOffset() + 5) & MAX_MANTISSA;
  }

  /** mantissa * 2^exp in bits per second, saturated at {@link Long#MAX_VALUE}. */
  public long bitrateBps() {
    long mantissa = mantissa();
    int exponent = exponent();
    if (exponent > MAX_EXACT_EXPONENT && mantissa != 0) {
      return Long.MAX_VALUE;
    }
    return mantissa << exponent;
  }

  public int ssrcCount() {
    return ssrcCount;
  }

  /** Media SSRC {@code index} the estimate applies to. */
  public int ssrc(int index) {
    Objects.checkIndex(index, ssrcCount);
    return BigEndian.i32(buf, fciOffset() + FIXED_FCI_BYTES + SSRC_BYTES * index);
  }
}
