package io.cheenhub.sfu.media;

import io.cheenhub.sfu.rtp.RtpPacket;
import java.util.Arrays;

/**
 * Translates a forwarded packet's RTP header extensions (RFC 8285) from the publisher's negotiated
 * ids to the subscriber's, in place and without allocation.
 *
 * <p>Only {@link NegotiatedRtp#FORWARDED_URIS} survive, with their id translated: the audio level,
 * so the subscriber's speaking indicators work, and the transport-wide sequence number's slot,
 * which the subscriber's send path overwrites with its own number (this returns where it is). Every
 * other element is blanked into padding bytes: RFC 8285 §4.2 and §4.3 let a zero byte stand between
 * elements and receivers skip it (libwebrtc: "padding byte, skip ignoring len"). Blanking keeps the
 * packet length, so nothing has to move. What gets blanked, and why:
 *
 * <ul>
 *   <li>{@code mid} (RFC 8843 §15): names the publisher's m-line; each subscriber m-line has its
 *       own mid, and the subscriber routes by the SSRC we announced in its offer ({@code a=ssrc}).
 *   <li>{@code abs-send-time}: describes the publisher → server hop; forwarded, it would feed the
 *       subscriber's estimator numbers about a path it is not on. (The transport-wide number would
 *       too, which is why its value is replaced, never forwarded.)
 *   <li>Anything the subscriber did not negotiate, or whose id does not fit the packet's form (a
 *       one-byte header has ids 1..14).
 * </ul>
 */
final class HeaderExtensionRewriter {

  // RFC 3550 §5.3.1: 16-bit profile, 16-bit length in 32-bit words.
  private static final int EXTENSION_HEADER_BYTES = 4;
  private static final int CSRC_BYTES = 4;
  // RFC 8285 §4.3: the two-byte form's profile is 0x100 followed by 4 application bits.
  private static final int TWO_BYTE_PROFILE_MASK = 0xFFF0;
  // RFC 8285 §4.2: one-byte ids are 1..14; 15 is reserved and ends parsing.
  private static final int ONE_BYTE_MAX_ID = 14;
  private static final byte PADDING = 0;

  private HeaderExtensionRewriter() {}

  /** Returned by {@link #rewrite} when the packet keeps no transport-wide sequence number slot. */
  static final int NO_TRANSPORT_CC = -1;

  // The transport-wide sequence number is 16 bits (draft-holmer-...-01 §2).
  private static final int TRANSPORT_CC_BYTES = 2;

  /**
   * Rewrites the extension elements of a valid {@code packet}.
   *
   * @return the buffer index of the kept transport-wide sequence number (2 bytes, for the caller to
   *     overwrite), or {@link #NO_TRANSPORT_CC}
   */
  static int rewrite(RtpPacket packet, NegotiatedRtp from, NegotiatedRtp to) {
    if (!packet.isValid() || !packet.hasExtension()) {
      return NO_TRANSPORT_CC;
    }
    byte[] buf = packet.buffer();
    int start =
        packet.offset()
            + RtpPacket.FIXED_HEADER_BYTES
            + CSRC_BYTES * packet.csrcCount()
            + EXTENSION_HEADER_BYTES;
    int end = packet.offset() + packet.headerLength();
    int profile = packet.extensionProfile();
    if (profile == RtpPacket.ONE_BYTE_PROFILE) {
      return rewriteOneByte(buf, start, end, from, to);
    } else if ((profile & TWO_BYTE_PROFILE_MASK) == RtpPacket.TWO_BYTE_PROFILE) {
      return rewriteTwoByte(buf, start, end, from, to);
    }
    // Another profile is not RFC 8285 and has no padding rule; browsers never send one.
    return NO_TRANSPORT_CC;
  }

  // RFC 8285 §4.2: 4-bit id, 4-bit (length - 1), data.
  private static int rewriteOneByte(
      byte[] buf, int start, int end, NegotiatedRtp from, NegotiatedRtp to) {
    int transportCc = NO_TRANSPORT_CC;
    int i = start;
    while (i < end) {
      int header = buf[i] & 0xFF;
      if (header == PADDING) {
        i++;
        continue;
      }
      int id = header >>> 4;
      int elementEnd = i + 1 + (header & 0x0F) + 1;
      if (id > ONE_BYTE_MAX_ID || elementEnd > end) {
        // Id 15 ends parsing (§4.2); an overrun is malformed. Nothing after it is trustworthy.
        Arrays.fill(buf, i, end, PADDING);
        return transportCc;
      }
      int newId = translate(id, from, to);
      if (newId == 0 || newId > ONE_BYTE_MAX_ID || !fits(id, from, elementEnd - i - 1)) {
        Arrays.fill(buf, i, elementEnd, PADDING);
      } else {
        buf[i] = (byte) ((newId << 4) | (header & 0x0F));
        if (isTransportCc(id, from)) {
          transportCc = i + 1;
        }
      }
      i = elementEnd;
    }
    return transportCc;
  }

  // RFC 8285 §4.3: 8-bit id, 8-bit length, data.
  private static int rewriteTwoByte(
      byte[] buf, int start, int end, NegotiatedRtp from, NegotiatedRtp to) {
    int transportCc = NO_TRANSPORT_CC;
    int i = start;
    while (i < end) {
      int id = buf[i] & 0xFF;
      if (id == PADDING) {
        i++;
        continue;
      }
      int elementEnd = end - i < 2 ? end + 1 : i + 2 + (buf[i + 1] & 0xFF);
      if (elementEnd > end) {
        Arrays.fill(buf, i, end, PADDING);
        return transportCc;
      }
      int newId = translate(id, from, to);
      if (newId == 0 || !fits(id, from, elementEnd - i - 2)) {
        Arrays.fill(buf, i, elementEnd, PADDING);
      } else {
        buf[i] = (byte) newId;
        if (isTransportCc(id, from)) {
          transportCc = i + 2;
        }
      }
      i = elementEnd;
    }
    return transportCc;
  }

  private static boolean isTransportCc(int id, NegotiatedRtp from) {
    return from.forwardedKind(id) == NegotiatedRtp.TRANSPORT_CC_KIND;
  }

  /** A transport-wide slot of another size cannot take our 16-bit number: blank it. */
  private static boolean fits(int id, NegotiatedRtp from, int dataBytes) {
    return !isTransportCc(id, from) || dataBytes == TRANSPORT_CC_BYTES;
  }

  /** The subscriber's id for the publisher's element {@code id}, or 0 to blank it. */
  private static int translate(int id, NegotiatedRtp from, NegotiatedRtp to) {
    int kind = from.forwardedKind(id);
    return kind == NegotiatedRtp.NOT_FORWARDED ? 0 : to.idOf(kind);
  }
}
