package io.cheenhub.sfu.rtp;

import java.util.Arrays;
import java.util.List;

/** Packet vectors built byte by byte from the RFC layouts, shaped like Chromium captures. */
final class TestPackets {

  private TestPackets() {}

  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  /** Copies {@code packet} into a larger array at {@code offset}, surrounded by 0xA5 filler. */
  static byte[] embed(byte[] packet, int offset, int tail) {
    byte[] out = new byte[offset + packet.length + tail];
    Arrays.fill(out, (byte) 0xA5);
    System.arraycopy(packet, 0, out, offset, packet.length);
    return out;
  }

  static final int OPUS_SSRC = 0x9ABCDEF0;
  static final int RECEIVER_SSRC = 0x11223344;
  static final int OTHER_SSRC = 0x55667788;

  // Chromium's default audio extmap ids.
  static final int AUDIO_LEVEL_ID = 1;
  static final int ABS_SEND_TIME_ID = 2;
  static final int TRANSPORT_CC_ID = 3;
  static final int MID_ID = 4;

  /** Chromium Opus packet with one-byte extensions 1 (audio level), 2, 3, 4 (RFC 3550 §5.1). */
  static final byte[] CHROME_OPUS =
      bytes(
          0x90, 0x6F, // V=2 P=0 X=1 CC=0 | M=0 PT=111
          0x5B, 0xA0, // sequence number 23456
          0xB2, 0xD0, 0x5E, 0x00, // timestamp 3 000 000 000
          0x9A, 0xBC, 0xDE, 0xF0, // SSRC
          0xBE, 0xDE, 0x00, 0x03, // RFC 8285 one-byte form, 3 words
          0x10, 0x9E, // id 1 L=0: V=1, level 30 -dBov
          0x22, 0x12, 0x34, 0x56, // id 2 L=2: abs-send-time 0x123456
          0x31, 0x0A, 0x0B, // id 3 L=1: transport-wide seq 0x0A0B
          0x40, 0x30, // id 4 L=0: mid "0"
          0x00, // padding byte to the 32-bit boundary
          0x78, 0x0B, 0xE4, 0xC1, 0x36, 0xEC, 0xC5, 0x8D, // Opus TOC 0x78: hybrid FB 20 ms
          0x8C, 0x49, 0x46, 0x99, 0x29, 0x17, 0x42, 0x11); // rest of the Opus frame

  static final int CHROME_OPUS_HEADER_BYTES = 28;
  static final int CHROME_OPUS_PAYLOAD_BYTES = 16;

  /** Chromium's default RED payload type for Opus (red/48000/2, fmtp 111/111). */
  static final int RED_PT = 63;

  /**
   * A RED payload (RFC 2198 §3) carrying real Opus frames: one redundant block (PT 97, 960 ticks =
   * 20 ms earlier, 63 bytes) and a 67-byte primary (PT 97), both starting with TOC 0x68, as
   * libwebrtc's AudioEncoderCopyRed sends them. Bytes from werift-webrtc's test
   * packages/rtp/tests/rtp/red/packet.test.ts (shinyoshiaki/werift-webrtc); the Opus PT 97 is the
   * one negotiated there, Chromium's own default would be 111.
   */
  static final byte[] RED_PAYLOAD =
      bytes(
          0xE1, 0x0F, 0x00, 0x3F, // F=1 PT=97 | ts offset 960 | length 63
          0x61, // F=0 PT=97: primary
          0x68, 0x1D, 0xD0, 0x03, 0xE5, 0x64, 0xB2, 0xB5, 0x78, 0xD2, 0x06, 0x1A, 0x3F, 0x58, 0x04,
          0xCA, 0x72, 0x58, 0x2F, 0xF8, 0x83, 0x35, 0xF2, 0x54, 0x7A, 0x86, 0xCE, 0x10, 0x57, 0x83,
          0xEA, 0x33, 0xDD, 0x81, 0x8C, 0xE1, 0x3F, 0xE2, 0xD0, 0x78, 0x74, 0x6A, 0x14, 0x0A, 0xF9,
          0x49, 0x02, 0x3D, 0x19, 0x44, 0xE3, 0x8D, 0x32, 0x4E, 0x65, 0x9A, 0xA9, 0x03, 0x62, 0xF5,
          0x0D, 0x55, 0x65, // redundant block: the previous 20 ms frame
          0x68, 0x1B, 0x7B, 0xAE, 0x6F, 0x4D, 0x95, 0xDE, 0x71, 0x28, 0x2E, 0xEA, 0xC6, 0x7C, 0xA8,
          0x52, 0x66, 0xE2, 0x39, 0xC7, 0xE4, 0xC4, 0xB9, 0xDA, 0xBA, 0xD9, 0xDD, 0xBA, 0xA0, 0x7E,
          0xB6, 0x6B, 0xDC, 0x3E, 0x37, 0x02, 0xD5, 0x83, 0xDC, 0xD8, 0x2F, 0xEF, 0x83, 0x8B, 0xBC,
          0x19, 0xF6, 0x5B, 0x18, 0x3D, 0x84, 0x51, 0xF3, 0xFC, 0xE1, 0x7B, 0x63, 0x2B, 0xF2, 0x8E,
          0xD9, 0xBA, 0x30, 0xE1, 0xFC, 0xC3, 0xCD); // primary block: the current frame

  static final int RED_PAYLOAD_OPUS_PT = 97;
  static final int RED_REDUNDANT_BYTES = 63;
  static final int RED_PRIMARY_BYTES = 67;

  /** {@link #RED_PAYLOAD} behind the header and extensions of {@link #CHROME_OPUS}, PT 63. */
  static final byte[] CHROME_RED = chromeRed();

  private static byte[] chromeRed() {
    byte[] out = new byte[CHROME_OPUS_HEADER_BYTES + RED_PAYLOAD.length];
    System.arraycopy(CHROME_OPUS, 0, out, 0, CHROME_OPUS_HEADER_BYTES);
    out[1] = (byte) RED_PT; // M=0 PT=63
    System.arraycopy(RED_PAYLOAD, 0, out, CHROME_OPUS_HEADER_BYTES, RED_PAYLOAD.length);
    return out;
  }

  /** RTP with marker, 2 CSRCs, a two-byte-form extension (RFC 8285 §4.3) and 3 bytes of padding. */
  static final byte[] CSRC_TWO_BYTE_PADDED =
      bytes(
          0xB2, 0xE0, // V=2 P=1 X=1 CC=2 | M=1 PT=96
          0xFF, 0xFF, // sequence number 65535
          0x00, 0x00, 0x00, 0x01, // timestamp 1
          0x01, 0x02, 0x03, 0x04, // SSRC
          0xAA, 0xAA, 0xAA, 0xAA, // CSRC 1
          0xBB, 0xBB, 0xBB, 0xBB, // CSRC 2
          0x10, 0x07, 0x00, 0x03, // two-byte form with app bits 0x7, 3 words
          0x01, 0x01, 0x85, // id 1 len 1: V=1 level 5
          0x00, // padding between elements
          0x07, 0x00, // id 7 len 0
          0x10, 0x03, 0x01, 0x02, 0x03, // id 16 len 3
          0x00, // padding
          0xDE, 0xAD, // payload
          0x00, 0x00, 0x03); // RTP padding, count 3

  /** SR with no report blocks followed by SDES CNAME, as Chromium sends for a send-only track. */
  static final byte[] SR_SDES =
      bytes(
          0x80, 0xC8, 0x00, 0x06, // V=2 P=0 RC=0, PT=200, length 6 words
          0x9A, 0xBC, 0xDE, 0xF0, // sender SSRC
          0xEA, 0x1C, 0x6F, 0x3B, // NTP seconds
          0x80, 0x00, 0x00, 0x00, // NTP fraction (0.5 s)
          0xB2, 0xD0, 0x5E, 0x00, // RTP timestamp 3 000 000 000
          0x00, 0x00, 0x04, 0xD2, // sender's packet count 1234
          0x00, 0x01, 0x81, 0xCD, // sender's octet count 98765
          0x81, 0xCA, 0x00, 0x06, // V=2 P=0 SC=1, PT=202, length 6 words
          0x9A, 0xBC, 0xDE, 0xF0, // chunk SSRC
          0x01, 0x10, // CNAME, 16 bytes
          'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'f', '6', 'g', '7', 'h', '8', // text
          0x00, 0x00); // end of items + pad to 32 bits

  /** RR with two report blocks, the first with a negative cumulative loss. */
  static final byte[] RR_TWO_BLOCKS =
      bytes(
          0x82, 0xC9, 0x00, 0x0D, // V=2 P=0 RC=2, PT=201, length 13 words
          0x11, 0x22, 0x33, 0x44, // reporter SSRC
          0x9A, 0xBC, 0xDE, 0xF0, // block 1: source SSRC
          0x19, 0xFF, 0xFF, 0xFD, // fraction lost 25/256, cumulative lost -3
          0x00, 0x01, 0x5B, 0xA0, // extended highest sequence number
          0x00, 0x00, 0x01, 0x23, // jitter 291
          0x6F, 0x3B, 0x80, 0x00, // LSR
          0x00, 0x01, 0x80, 0x00, // DLSR 1.5 s
          0x55, 0x66, 0x77, 0x88, // block 2: source SSRC
          0x00, 0x00, 0x01, 0x02, // fraction 0, cumulative lost 258
          0x00, 0x02, 0x00, 0x01, // extended highest sequence number
          0x00, 0x00, 0x00, 0x2D, // jitter 45
          0x00, 0x00, 0x00, 0x00, // LSR: no SR yet
          0x00, 0x00, 0x00, 0x00); // DLSR

  /** Generic NACK (RFC 4585 §6.2.1): 23456, 23457 and 23459 lost. */
  static final byte[] NACK =
      bytes(
          0x81, 0xCD, 0x00, 0x03, // V=2 FMT=1, PT=205, length 3 words
          0x11, 0x22, 0x33, 0x44, // packet sender
          0x9A, 0xBC, 0xDE, 0xF0, // media source
          0x5B, 0xA0, 0x00, 0x05); // PID 23456, BLP 0b101

  /** PLI (RFC 4585 §6.3.1). */
  static final byte[] PLI =
      bytes(
          0x81, 0xCE, 0x00, 0x02, // V=2 FMT=1, PT=206, length 2 words
          0x11, 0x22, 0x33, 0x44, // packet sender
          0x9A, 0xBC, 0xDE, 0xF0); // media source

  /** REMB 1.5 Mbit/s (exp 3, mantissa 187500) for two SSRCs. */
  static final byte[] REMB =
      bytes(
          0x8F, 0xCE, 0x00, 0x06, // V=2 FMT=15, PT=206, length 6 words
          0x11, 0x22, 0x33, 0x44, // packet sender
          0x00, 0x00, 0x00, 0x00, // media source: always 0
          'R', 'E', 'M', 'B', // unique identifier
          0x02, 0x0E, 0xDC, 0x6C, // num SSRC 2, exp 3, mantissa 0x2DC6C
          0x9A, 0xBC, 0xDE, 0xF0, // SSRC 1
          0x55, 0x66, 0x77, 0x88); // SSRC 2

  /** Transport-cc feedback with RTCP padding, as libwebrtc pads it. */
  static final byte[] TRANSPORT_CC =
      bytes(
          0xAF, 0xCD, 0x00, 0x06, // V=2 P=1 FMT=15, PT=205, length 6 words
          0x11, 0x22, 0x33, 0x44, // packet sender
          0x9A, 0xBC, 0xDE, 0xF0, // media source
          0x0A, 0x0B, 0x00, 0x03, // base seq 0x0A0B, status count 3
          0xFF, 0xFF, 0xFE, 0x07, // reference time -2 (x64 ms), feedback packet count 7
          0x20, 0x03, // run-length chunk: 3 x "received, small delta"
          0x04, 0x08, 0x0C, // receive deltas (250 us units)
          0x00, 0x00, 0x03); // RTCP padding, count 3

  /** FIR (RFC 5104 §4.3.1) with one entry. */
  static final byte[] FIR =
      bytes(
          0x84, 0xCE, 0x00, 0x04, // V=2 FMT=4, PT=206, length 4 words
          0x11, 0x22, 0x33, 0x44, // packet sender
          0x00, 0x00, 0x00, 0x00, // media source: unused
          0x9A, 0xBC, 0xDE, 0xF0, // SSRC
          0x2A, 0x00, 0x00, 0x00); // seq nr 42, reserved

  /** BYE (RFC 3550 §6.6) for two sources with the reason "bye". */
  static final byte[] BYE =
      bytes(
          0x82, 0xCB, 0x00, 0x03, // V=2 SC=2, PT=203, length 3 words
          0x9A, 0xBC, 0xDE, 0xF0, // SSRC 1
          0x55, 0x66, 0x77, 0x88, // SSRC 2
          0x03, 'b', 'y', 'e'); // reason length 3 + text

  static final List<byte[]> RTP = List.of(CHROME_OPUS, CSRC_TWO_BYTE_PADDED, CHROME_RED);

  static final List<byte[]> RTCP =
      List.of(SR_SDES, RR_TWO_BLOCKS, NACK, PLI, REMB, TRANSPORT_CC, FIR, BYE);
}
