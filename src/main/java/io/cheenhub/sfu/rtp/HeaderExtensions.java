package io.cheenhub.sfu.rtp;

import java.nio.charset.StandardCharsets;

/**
 * Reads and rewrites in place the RTP header extension elements the SFU uses; ids come from the
 * negotiated {@code a=extmap} lines (RFC 8285 §5).
 */
public final class HeaderExtensions {

  /** Returned by the readers when the element is absent or has the wrong size. */
  public static final int NOT_FOUND = RtpPacket.NOT_FOUND;

  // RFC 6464 §3: one byte, V flag in the top bit, level 0..127 in -dBov (127 = silence).
  private static final int AUDIO_LEVEL_BYTES = 1;
  private static final int VOICE_ACTIVITY_BIT = 0x80;
  private static final int LEVEL_MASK = 0x7F;

  /** RFC 6464 §3: the level of digital silence, in -dBov. */
  public static final int SILENCE_DBOV = 127;

  // abs-send-time: 24-bit 6.18 fixed-point seconds, wrapping every 64 s.
  private static final int ABS_SEND_TIME_BYTES = 3;
  private static final int ABS_SEND_TIME_FRACTION_BITS = 18;
  private static final int ABS_SEND_TIME_MASK = 0xFF_FFFF;
  private static final long MICROS_PER_SECOND = 1_000_000L;
  private static final long ABS_SEND_TIME_WRAP_MICROS = 64 * MICROS_PER_SECOND;

  // draft-holmer-rmcat-transport-wide-cc-extensions-01 §2: 16-bit transport-wide sequence number.
  private static final int TRANSPORT_SEQUENCE_BYTES = 2;

  private HeaderExtensions() {}

  /** The raw ssrc-audio-level byte (V flag + level), or {@link #NOT_FOUND}. */
  public static int audioLevel(RtpPacket packet, int id) {
    int at = packet.findExtension(id);
    // RFC 6464 §3 allows only one data byte; tolerate trailing bytes as some senders pad.
    return at < 0 || packet.extensionLength() < AUDIO_LEVEL_BYTES
        ? NOT_FOUND
        : packet.buffer()[at] & 0xFF;
  }

  /** The V (voice activity) flag of a raw {@link #audioLevel} byte. */
  public static boolean voiceActivity(int rawAudioLevel) {
    return (rawAudioLevel & VOICE_ACTIVITY_BIT) != 0;
  }

  /** The level of a raw {@link #audioLevel} byte in -dBov: 0 is loudest, 127 is silence. */
  public static int levelDbov(int rawAudioLevel) {
    return rawAudioLevel & LEVEL_MASK;
  }

  /** The 24-bit abs-send-time value, or {@link #NOT_FOUND}. */
  public static int absSendTime(RtpPacket packet, int id) {
    int at = packet.findExtension(id);
    return at < 0 || packet.extensionLength() != ABS_SEND_TIME_BYTES
        ? NOT_FOUND
        : BigEndian.u24(packet.buffer(), at);
  }

  /** Converts a 6.18 abs-send-time value to microseconds within its 64 s period. */
  public static long absSendTimeToMicros(int absSendTime) {
    return ((absSendTime & ABS_SEND_TIME_MASK) * MICROS_PER_SECOND) >>> ABS_SEND_TIME_FRACTION_BITS;
  }

  /** Converts a time in microseconds to the 6.18 abs-send-time value (modulo 64 s). */
  public static int absSendTimeFromMicros(long micros) {
    long inPeriod = Math.floorMod(micros, ABS_SEND_TIME_WRAP_MICROS);
    return (int) ((inPeriod << ABS_SEND_TIME_FRACTION_BITS) / MICROS_PER_SECOND)
        & ABS_SEND_TIME_MASK;
  }

  /** The 16-bit transport-wide sequence number, or {@link #NOT_FOUND}. */
  public static int transportSequenceNumber(RtpPacket packet, int id) {
    int at = packet.findExtension(id);
    return at < 0 || packet.extensionLength() != TRANSPORT_SEQUENCE_BYTES
        ? NOT_FOUND
        : BigEndian.u16(packet.buffer(), at);
  }

  /**
   * The RFC 8843 §15 mid as a String, or null; allocates, so call it at signalling time or on the
   * first packet of an SSRC, not per packet.
   */
  public static String mid(RtpPacket packet, int id) {
    int at = packet.findExtension(id);
    return at < 0
        ? null
        : new String(packet.buffer(), at, packet.extensionLength(), StandardCharsets.UTF_8);
  }

  /**
   * The RFC 8852 §3 RtpStreamId (or RepairedRtpStreamId) as a String, or null when absent or not an
   * RFC 8851 rid-id ({@code 1*(ALPHA / DIGIT / "-" / "_")}), which no negotiated rid could match. A
   * NUL ends the value, as libwebrtc reads it. Allocates like {@link #mid}: call it on the first
   * packets of an unknown SSRC, not per packet.
   */
  public static String rid(RtpPacket packet, int id) {
    int at = packet.findExtension(id);
    if (at < 0) {
      return null;
    }
    byte[] buffer = packet.buffer();
    int length = 0;
    while (length < packet.extensionLength() && buffer[at + length] != 0) {
      byte b = buffer[at + length];
      boolean ridChar =
          (b >= '0' && b <= '9')
              || (b >= 'A' && b <= 'Z')
              || (b >= 'a' && b <= 'z')
              || b == '-'
              || b == '_';
      if (!ridChar) {
        return null;
      }
      length++;
    }
    return length == 0 ? null : new String(buffer, at, length, StandardCharsets.US_ASCII);
  }

  /** Rewrites an existing ssrc-audio-level element; level is clamped to 0..127 -dBov. */
  public static boolean setAudioLevel(RtpPacket packet, int id, boolean voice, int levelDbov) {
    int at = packet.findExtension(id);
    if (at < 0 || packet.extensionLength() < AUDIO_LEVEL_BYTES) {
      return false;
    }
    int level = Math.max(0, Math.min(SILENCE_DBOV, levelDbov));
    packet.buffer()[at] = (byte) ((voice ? VOICE_ACTIVITY_BIT : 0) | level);
    return true;
  }

  /** Rewrites an existing abs-send-time element (low 24 bits of the argument). */
  public static boolean setAbsSendTime(RtpPacket packet, int id, int absSendTime) {
    int at = packet.findExtension(id);
    if (at < 0 || packet.extensionLength() != ABS_SEND_TIME_BYTES) {
      return false;
    }
    BigEndian.put24(packet.buffer(), at, absSendTime);
    return true;
  }

  /** Rewrites an existing transport-wide sequence number element (low 16 bits of the argument). */
  public static boolean setTransportSequenceNumber(RtpPacket packet, int id, int sequenceNumber) {
    int at = packet.findExtension(id);
    if (at < 0 || packet.extensionLength() != TRANSPORT_SEQUENCE_BYTES) {
      return false;
    }
    BigEndian.put16(packet.buffer(), at, sequenceNumber);
    return true;
  }
}
