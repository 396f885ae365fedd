package io.cheenhub.sfu.transport.srtp;

import java.util.Random;

/** Opus-sized RTP and typical RTCP, built from the RFC layouts, with room for the SRTP tag. */
final class SrtpPackets {

  static final int OPUS_PAYLOAD_BYTES = 160;
  static final int TAIL_ROOM = 32;
  static final int OFFSET = 10;
  static final int AUDIO_SSRC = 0x9ABCDEF0;
  static final int RECEIVER_SSRC = 0x11223344;

  private SrtpPackets() {}

  /** RTP (RFC 3550 §5.1) with one-byte extensions (RFC 8285 §4.2) as Chrome sends Opus. */
  static byte[] opus(int ssrc, int sequenceNumber, long seed) {
    byte[] header = {
      (byte) 0x90,
      111, // V=2 X=1 | PT=111
      (byte) (sequenceNumber >>> 8),
      (byte) sequenceNumber,
      0x00,
      0x01,
      0x02,
      0x03, // timestamp
      (byte) (ssrc >>> 24),
      (byte) (ssrc >>> 16),
      (byte) (ssrc >>> 8),
      (byte) ssrc,
      (byte) 0xBE,
      (byte) 0xDE,
      0x00,
      0x02, // one-byte form, 2 words
      0x10,
      (byte) 0x9E, // id 1 audio level: V=1, 30 dBov
      0x22,
      0x12,
      0x34,
      0x56, // id 2 abs-send-time
      0x00,
      0x00 // padding
    };
    byte[] packet = new byte[header.length + OPUS_PAYLOAD_BYTES];
    System.arraycopy(header, 0, packet, 0, header.length);
    byte[] payload = new byte[OPUS_PAYLOAD_BYTES];
    new Random(seed).nextBytes(payload);
    System.arraycopy(payload, 0, packet, header.length, payload.length);
    return packet;
  }

  /** A receiver report with one block followed by SDES CNAME (RFC 3550 §6.4.2, §6.5). */
  static byte[] receiverReport(int ssrc) {
    return new byte[] {
      (byte) 0x81,
      (byte) 201,
      0x00,
      0x07, // RR, RC=1, 7 words
      (byte) (ssrc >>> 24),
      (byte) (ssrc >>> 16),
      (byte) (ssrc >>> 8),
      (byte) ssrc,
      (byte) 0x9A,
      (byte) 0xBC,
      (byte) 0xDE,
      (byte) 0xF0, // source
      0x01,
      0x00,
      0x00,
      0x02, // fraction lost, cumulative lost
      0x00,
      0x00,
      0x12,
      0x34, // highest sequence number
      0x00,
      0x00,
      0x00,
      0x20, // jitter
      0x00,
      0x00,
      0x00,
      0x00, // LSR
      0x00,
      0x00,
      0x00,
      0x00, // DLSR
      (byte) 0x81,
      (byte) 202,
      0x00,
      0x03, // SDES, SC=1, 3 words
      (byte) (ssrc >>> 24),
      (byte) (ssrc >>> 16),
      (byte) (ssrc >>> 8),
      (byte) ssrc,
      0x01,
      0x04,
      'a',
      'b',
      'c',
      'd',
      0x00,
      0x00 // CNAME "abcd", end, pad
    };
  }

  /** {@code packet} at {@link #OFFSET} in an array with {@link #TAIL_ROOM} spare bytes after. */
  static byte[] embed(byte[] packet) {
    byte[] out = new byte[OFFSET + packet.length + TAIL_ROOM];
    System.arraycopy(packet, 0, out, OFFSET, packet.length);
    return out;
  }

  static byte[] keyingMaterial(SrtpProfile profile, long seed) {
    byte[] keys = new byte[profile.keyingMaterialBytes()];
    new Random(seed).nextBytes(keys);
    return keys;
  }
}
