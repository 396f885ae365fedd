package io.cheenhub.sfu.media;

import io.cheenhub.sfu.rtp.HeaderExtensions;
import io.cheenhub.sfu.rtp.RtpPacket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

/** Builds and reads the RTP packets of the forwarding tests. */
final class TestRtp {

  private TestRtp() {}

  static final String MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";
  static final String TRANSPORT_CC_URI =
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

  /** A Firefox-like publisher: Opus 109, audio level id 5, mid id 3, transport-cc id 7. */
  static final int PUBLISHER_PT = 109;

  static final int PUBLISHER_AUDIO_LEVEL_ID = 5;
  static final int PUBLISHER_MID_ID = 3;
  static final int PUBLISHER_TRANSPORT_CC_ID = 7;
  static final NegotiatedRtp PUBLISHER =
      NegotiatedRtp.of(
          PUBLISHER_PT,
          Map.of(
              NegotiatedRtp.AUDIO_LEVEL_URI,
              PUBLISHER_AUDIO_LEVEL_ID,
              MID_URI,
              PUBLISHER_MID_ID,
              TRANSPORT_CC_URI,
              PUBLISHER_TRANSPORT_CC_ID));

  /** The server's subscribe offer: Opus 111, audio level 1, transport-cc 3, mid 4. */
  static final int SUBSCRIBER_PT = 111;

  static final int SUBSCRIBER_AUDIO_LEVEL_ID = 1;
  static final NegotiatedRtp SUBSCRIBER =
      NegotiatedRtp.of(
          SUBSCRIBER_PT, Map.of(NegotiatedRtp.AUDIO_LEVEL_URI, 1, TRANSPORT_CC_URI, 3, MID_URI, 4));

  /** Opus-like 20 ms frames: 960 ticks of the 48 kHz clock. */
  static final int TICKS_PER_PACKET = 960;

  /**
   * A publisher packet in the one-byte form with audio level, mid "a1" and a transport-cc number,
   * and a payload that names its publisher and sequence number.
   */
  static byte[] packet(int ssrc, int sequence, long timestamp, boolean marker, int publisher) {
    ByteBuffer b = ByteBuffer.allocate(12 + 4 + 12 + 8);
    b.put((byte) 0x90).put((byte) ((marker ? 0x80 : 0) | PUBLISHER_PT));
    b.putShort((short) sequence).putInt((int) timestamp).putInt(ssrc);
    b.putShort((short) RtpPacket.ONE_BYTE_PROFILE).putShort((short) 3);
    b.put((byte) (PUBLISHER_AUDIO_LEVEL_ID << 4)).put((byte) (0x80 | 42)); // voice, -42 dBov
    b.put((byte) ((PUBLISHER_MID_ID << 4) | 1)).put((byte) 'a').put((byte) '1');
    b.put((byte) ((PUBLISHER_TRANSPORT_CC_ID << 4) | 1)).putShort((short) sequence);
    b.put(new byte[4]); // padding to the word boundary
    b.putInt(publisher).putInt(sequence); // payload
    return b.array();
  }

  /** The publisher index a {@link #packet} payload names. */
  static int payloadPublisher(byte[] payload) {
    return ByteBuffer.wrap(payload).getInt(0);
  }

  /** What a subscriber received, copied out of the send buffer. */
  record Received(
      int ssrc,
      int sequence,
      long timestamp,
      boolean marker,
      int payloadType,
      int audioLevel,
      int audioLevelAtPublisherId,
      int midAtAnyId,
      byte[] payload) {

    static Received of(byte[] buffer, int offset, int length) {
      var view = new RtpPacket();
      if (!view.wrap(buffer, offset, length)) {
        throw new AssertionError("sent packet is not RTP: " + view.problem());
      }
      int mid = RtpPacket.NOT_FOUND;
      for (int id = 1; id <= 14 && mid == RtpPacket.NOT_FOUND; id++) {
        int at = view.findExtension(id);
        if (at >= 0
            && view.extensionLength() == 2
            && view.buffer()[at] == 'a'
            && view.buffer()[at + 1] == '1') {
          mid = id;
        }
      }
      return new Received(
          view.ssrc(),
          view.sequenceNumber(),
          view.timestamp(),
          view.marker(),
          view.payloadType(),
          HeaderExtensions.audioLevel(view, SUBSCRIBER_AUDIO_LEVEL_ID),
          view.findExtension(PUBLISHER_AUDIO_LEVEL_ID),
          mid,
          Arrays.copyOfRange(
              buffer, view.payloadOffset(), view.payloadOffset() + view.payloadLength()));
    }

    int publisher() {
      return payloadPublisher(payload);
    }
  }
}
