package io.cheenhub.sfu.bench;

import java.util.Random;

/**
 * An Opus RTP packet laid out as Chromium sends it (RFC 3550 §5.1): 12-byte fixed header, then the
 * RFC 8285 §4.2 one-byte extensions from the Chromium offer in {@code
 * src/test/resources/sdp/chromium-audio-sendonly-offer.sdp}, then the payload.
 */
final class ChromiumAudioPacket {

  /** Extension ids from the Chromium offer's {@code a=extmap} lines. */
  static final int AUDIO_LEVEL_ID = 1;

  static final int ABS_SEND_TIME_ID = 2;
  static final int TRANSPORT_CC_ID = 3;
  static final int MID_ID = 4;

  static final int OPUS_PAYLOAD_TYPE = 111;

  /** A 20 ms Opus frame at a typical voice bitrate (64 kbit/s). */
  static final int PAYLOAD_BYTES = 160;

  /** 12-byte fixed header + 4-byte extension header + 12 bytes of elements and padding. */
  static final int HEADER_BYTES = 28;

  /** RTP timestamp step of a 20 ms frame at Opus's 48 kHz clock. */
  static final int TIMESTAMP_STEP = 960;

  private ChromiumAudioPacket() {}

  /** One packet with a {@link #PAYLOAD_BYTES} payload; {@code seed} varies the payload bytes. */
  static byte[] build(int ssrc, int sequenceNumber, long timestamp, int audioLevel, long seed) {
    return build(ssrc, sequenceNumber, timestamp, audioLevel, seed, PAYLOAD_BYTES);
  }

  /**
   * One packet with a {@code payloadBytes} payload (Opus at 20 ms: 60 bytes is about 24 kbit/s, 200
   * bytes about 80 kbit/s); {@code seed} varies the payload bytes.
   */
  static byte[] build(
      int ssrc, int sequenceNumber, long timestamp, int audioLevel, long seed, int payloadBytes) {
    byte[] p = new byte[HEADER_BYTES + payloadBytes];
    p[0] = (byte) 0x90; // V=2 P=0 X=1 CC=0
    p[1] = (byte) OPUS_PAYLOAD_TYPE; // M=0
    writeSequenceNumber(p, 0, sequenceNumber);
    put32(p, 4, (int) timestamp);
    put32(p, 8, ssrc);
    p[12] = (byte) 0xBE; // RFC 8285 §4.2 one-byte form
    p[13] = (byte) 0xDE;
    p[14] = 0;
    p[15] = 3; // 3 words of elements
    p[16] = (byte) (AUDIO_LEVEL_ID << 4); // L=0: one byte
    p[17] = (byte) (0x80 | audioLevel); // RFC 6464: V=1, level in -dBov
    p[18] = (byte) (ABS_SEND_TIME_ID << 4 | 2); // three bytes
    p[19] = 0x12;
    p[20] = 0x34;
    p[21] = 0x56;
    p[22] = (byte) (TRANSPORT_CC_ID << 4 | 1); // two bytes
    p[23] = (byte) (sequenceNumber >>> 8);
    p[24] = (byte) sequenceNumber;
    p[25] = (byte) (MID_ID << 4); // one byte: mid "0"
    p[26] = '0';
    p[27] = 0; // padding to the 32-bit boundary
    byte[] payload = new byte[payloadBytes];
    new Random(seed).nextBytes(payload);
    payload[0] = 0x78; // Opus TOC: hybrid, fullband, 20 ms, one frame
    System.arraycopy(payload, 0, p, HEADER_BYTES, payloadBytes);
    return p;
  }

  /** Rewrites the RTP sequence number of the packet at {@code off}. */
  static void writeSequenceNumber(byte[] buf, int off, int sequenceNumber) {
    buf[off + 2] = (byte) (sequenceNumber >>> 8);
    buf[off + 3] = (byte) sequenceNumber;
  }

  private static void put32(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 24);
    b[i + 1] = (byte) (v >>> 16);
    b[i + 2] = (byte) (v >>> 8);
    b[i + 3] = (byte) v;
  }
}
