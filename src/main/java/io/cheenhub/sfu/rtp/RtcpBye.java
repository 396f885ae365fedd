package io.cheenhub.sfu.rtp;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** View of an RTCP goodbye packet (RFC 3550 §6.6, PT 203). */
public final class RtcpBye extends RtcpPacket {

  private int reasonOffset;
  private int reasonLength;

  @Override
  boolean parse(byte[] b, int o, int n) {
    reasonOffset = -1;
    reasonLength = 0;
    if (n < HEADER_BYTES || BigEndian.u8(b, o + 1) != TYPE_BYE) {
      return false;
    }
    int reasonAt = HEADER_BYTES + SSRC_BYTES * (b[o] & 0x1F);
    if (reasonAt > n) {
      return false;
    }
    if (reasonAt < n) {
      // RFC 3550 §6.6: optional length octet then reason text, zero-padded to 32 bits.
      int length = b[o + reasonAt] & 0xFF;
      if (length > n - reasonAt - 1) {
        return false;
      }
      reasonOffset = o + reasonAt + 1;
      reasonLength = length;
    }
    return true;
  }

  public int ssrcCount() {
    return count();
  }

  /** Leaving source {@code index}, {@code 0 <= index < ssrcCount()}. */
  public int ssrc(int index) {
    Objects.checkIndex(index, ssrcCount());
    return BigEndian.i32(buf, off + HEADER_BYTES + SSRC_BYTES * index);
  }

  public boolean hasReason() {
    return reasonOffset >= 0;
  }

  /** The reason for leaving as UTF-8, or null; allocates. */
  public String reason() {
    return reasonOffset < 0
        ? null
        : new String(buf, reasonOffset, reasonLength, StandardCharsets.UTF_8);
  }
}
