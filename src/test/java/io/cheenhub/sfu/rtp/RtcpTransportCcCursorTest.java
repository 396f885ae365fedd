package io.cheenhub.sfu.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Decoding transport-wide congestion control feedback: packets captured from browsers, the draft's
 * chunk examples, truncation and the reserved symbol.
 */
class RtcpTransportCcCursorTest {

  /** One decoded status. */
  record Status(int sequence, boolean received, long deltaMicros, long arrivalMicros) {}

  // Captured from Chrome: pion/rtcp transport_layer_cc_test.go, TestTransportLayerCC_Unmarshal
  // "example6". A 2-bit vector (5 small deltas, lost, large delta) then a run of 48 "not received"
  // of which the status count (9) uses only 2; one byte of RFC 3550 padding.
  static final byte[] CHROME_TWO_BIT_VECTOR_AND_RUN =
      hex("afcd00079b74f61f9371dcbc853c000963f916b3d55200309baa6aaa7b010901");

  // pion/rtcp transport_layer_cc_test.go, TestTransportLayerCC_Unmarshal "example1": one packet.
  static final byte[] PION_SINGLE_STATUS =
      hex("afcd0005fa17fa1743032fa0009900013de80217200194" + "01");

  // pion/rtcp transport_layer_cc_test.go, TestTransportLayerCC_Unmarshal "example4": a run of 7.
  static final byte[] PION_RUN_OF_SEVEN =
      hex("afcd0007fa17fa17193dd8bb00040007" + "10636e0120074c242410" + "0c0c10000003");

  // pion/rtcp transport_layer_cc_test.go, TestTransportLayerCC_Unmarshal "example7": sent by
  // Chrome with media SSRC 0 and no statuses.
  static final byte[] PION_EMPTY = hex("8fcd00049acb0442000000000000000000000000");

  // pion/rtcp transport_layer_cc_test.go "example8" and "example9": statuses announce more
  // deltas than the packet holds (pion: errPacketTooShort).
  static final byte[] PION_TRUNCATED_SMALL_DELTAS =
      hex("afcd0005fa17fa1743032fa0009900033de8021720039401");
  static final byte[] PION_TRUNCATED_LARGE_DELTAS =
      hex("afcd0005fa17fa1743032fa0009900023de8021740029401");

  // Wireshark capture in olivermichel/webrtc-analysis test/include/data.h, twcc_pkt1: a run of 9
  // small deltas; Wireshark shows 7, 3, 11, 14, 0, 1, 0, 2 and 6 ms.
  static final byte[] WIRESHARK_RUN_OF_NINE =
      hex("afcd000700000001dd586eb600010009" + "5e911000" + "20091c0c2c3800040008" + "1801");

  private final RtcpTransportCc feedback = new RtcpTransportCc();
  private final TransportCcCursor cursor = new TransportCcCursor();

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  private List<Status> decode(byte[] packet) {
    assertThat(feedback.wrap(packet, 0, packet.length)).as("RTPFB FMT 15 view").isTrue();
    assertThat(cursor.wrap(feedback)).as("cursor: %s", cursor.problem()).isTrue();
    assertThat(cursor.problem()).isEqualTo(TransportCcCursor.Problem.NONE);
    List<Status> out = new ArrayList<>();
    while (cursor.next()) {
      out.add(
          new Status(
              cursor.sequenceNumber(),
              cursor.received(),
              cursor.receiveDeltaMicros(),
              cursor.arrivalMicros()));
    }
    assertThat(out).hasSize(feedback.packetStatusCount());
    assertThat(cursor.next()).isFalse();
    return out;
  }

  private static void assertDeltas(List<Status> statuses, long referenceMicros, long... deltas) {
    List<Status> received = statuses.stream().filter(Status::received).toList();
    assertThat(received).hasSize(deltas.length);
    long arrival = referenceMicros;
    for (int i = 0; i < deltas.length; i++) {
      arrival += deltas[i];
      assertThat(received.get(i).deltaMicros()).as("delta %d", i).isEqualTo(deltas[i]);
      assertThat(received.get(i).arrivalMicros()).as("arrival %d", i).isEqualTo(arrival);
    }
  }

  @Test
  void chromeTwoBitVectorThenRunEndingMidChunk() {
    List<Status> statuses = decode(CHROME_TWO_BIT_VECTOR_AND_RUN);
    assertThat(feedback.baseSequenceNumber()).isEqualTo(34108);
    assertThat(feedback.referenceTime()).isEqualTo(6551830);
    assertThat(feedback.feedbackPacketCount()).isEqualTo(179);
    assertThat(statuses)
        .extracting(Status::received)
        .containsExactly(true, true, true, true, true, false, true, false, false);
    assertThat(statuses)
        .extracting(Status::sequence)
        .containsExactly(34108, 34109, 34110, 34111, 34112, 34113, 34114, 34115, 34116);
    assertDeltas(statuses, 6551830L * 64_000, 38750, 42500, 26500, 42500, 30750, 66250);
  }

  @Test
  void pionSingleStatus() {
    List<Status> statuses = decode(PION_SINGLE_STATUS);
    assertThat(statuses).extracting(Status::sequence).containsExactly(153);
    assertThat(feedback.feedbackPacketCount()).isEqualTo(23);
    assertDeltas(statuses, 4057090L * 64_000, 37000);
  }

  @Test
  void pionRunOfSeven() {
    List<Status> statuses = decode(PION_RUN_OF_SEVEN);
    assertThat(statuses).extracting(Status::sequence).containsExactly(4, 5, 6, 7, 8, 9, 10);
    assertDeltas(statuses, 1074030L * 64_000, 19000, 9000, 9000, 4000, 3000, 3000, 4000);
  }

  @Test
  void emptyFeedbackHasNoStatuses() {
    assertThat(decode(PION_EMPTY)).isEmpty();
    assertThat(feedback.senderSsrc()).isEqualTo((int) 2596996162L);
  }

  @Test
  void wiresharkRunOfNine() {
    List<Status> statuses = decode(WIRESHARK_RUN_OF_NINE);
    assertThat(statuses).extracting(Status::sequence).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertDeltas(statuses, 6197520L * 64_000, 7000, 3000, 11000, 14000, 0, 1000, 0, 2000, 6000);
  }

  @Test
  void truncatedDeltasAreMalformed() {
    for (byte[] packet : List.of(PION_TRUNCATED_SMALL_DELTAS, PION_TRUNCATED_LARGE_DELTAS)) {
      assertThat(feedback.wrap(packet, 0, packet.length)).isTrue();
      assertThat(cursor.wrap(feedback)).isFalse();
      assertThat(cursor.problem()).isEqualTo(TransportCcCursor.Problem.TRUNCATED_DELTAS);
      assertThat(cursor.next()).isFalse();
      assertThat(cursor.received()).isFalse();
    }
  }

  /** A packet with the given status count, chunks and deltas, padded per RFC 3550. */
  static byte[] packet(int base, int count, int referenceTime, String chunksAndDeltas) {
    byte[] body = hex(chunksAndDeltas);
    int content = 20 + body.length;
    int padding = Math.floorMod(-content, 4);
    byte[] p = new byte[content + padding];
    p[0] = (byte) (0x80 | (padding > 0 ? 0x20 : 0) | 15);
    p[1] = (byte) 205;
    BigEndian.put16(p, 2, p.length / 4 - 1);
    BigEndian.put32(p, 4, TestPackets.RECEIVER_SSRC);
    BigEndian.put32(p, 8, TestPackets.OPUS_SSRC);
    BigEndian.put16(p, 12, base);
    BigEndian.put16(p, 14, count);
    BigEndian.put24(p, 16, referenceTime);
    p[19] = 1;
    System.arraycopy(body, 0, p, 20, body.length);
    if (padding > 0) {
      p[p.length - 1] = (byte) padding;
    }
    return p;
  }

  @Test
  void draftRunLengthExampleOf221NotReceived() {
    // §3.1.3 example 1: 0 00 0000011011101, a run of 221 "not received".
    List<Status> statuses = decode(packet(65500, 221, 0, "00dd"));
    assertThat(statuses).hasSize(221).noneMatch(Status::received);
    assertThat(statuses.get(0).sequence()).isEqualTo(65500);
    assertThat(statuses.get(35).sequence()).isEqualTo(65535);
    assertThat(statuses.get(36).sequence()).isZero();
    assertThat(statuses.get(220).sequence()).isEqualTo(184);
  }

  @Test
  void draftOneBitVectorExample() {
    // §3.1.4 example 1: 1 0 10011111000111 -> lost, 5 received, 3 lost, 3 received, 2 lost.
    List<Status> statuses = decode(packet(10, 14, 1, "9f1c" + "0102030405060708"));
    assertThat(statuses)
        .extracting(Status::received)
        .containsExactly(
            false, true, true, true, true, true, false, false, false, true, true, true, false,
            false);
    assertDeltas(statuses, 64_000, 250, 500, 750, 1000, 1250, 1500, 1750, 2000);
  }

  @Test
  void twoBitVectorWithNegativeLargeDeltaAndStatusCountEndingMidChunk() {
    // 1 1 01 10 00 10 00 00 00, status count 4: small, large, lost, large.
    List<Status> statuses = decode(packet(7, 4, -1, "d880" + "10" + "ff38" + "8000"));
    assertThat(statuses).extracting(Status::received).containsExactly(true, true, false, true);
    assertDeltas(statuses, -64_000, 16 * 250, -200 * 250, -32768 * 250L);
  }

  @Test
  void zeroLengthRunsAndTrailingZeroBytesAreSkipped() {
    List<Status> statuses = decode(packet(1, 2, 0, "0000" + "2002" + "0102" + "00000000"));
    assertDeltas(statuses, 0, 250, 500);
  }

  @Test
  void reservedSymbolIsMalformed() {
    // §3.1.1: 11 is reserved; a 2-bit vector (0xCD50) and a run (0x6018) carrying it.
    for (String body : List.of("cd50" + "010203", "6018")) {
      byte[] p = packet(0, 7, 0, body);
      assertThat(feedback.wrap(p, 0, p.length)).isTrue();
      assertThat(cursor.wrap(feedback)).isFalse();
      assertThat(cursor.problem()).isEqualTo(TransportCcCursor.Problem.RESERVED_SYMBOL);
    }
  }

  @Test
  void reservedSymbolAfterTheStatusCountIsIgnored() {
    // 1 1 01 11 ..: only the first symbol counts.
    assertDeltas(decode(packet(0, 1, 0, "dc00" + "04")), 0, 1000);
  }

  @Test
  void truncatedChunksAreMalformed() {
    byte[] p = packet(0, 15, 0, "8000"); // one 1-bit vector covers 14, the 15th has no chunk
    assertThat(feedback.wrap(p, 0, p.length)).isTrue();
    assertThat(cursor.wrap(feedback)).isFalse();
    assertThat(cursor.problem()).isEqualTo(TransportCcCursor.Problem.TRUNCATED_CHUNKS);
  }

  @Test
  void randomChunksAndDeltasNeverThrowAndNeverReadPastThePacket() {
    Random random = new Random(0x7CCL);
    int valid = 0;
    for (int i = 0; i < 50_000; i++) {
      byte[] body = new byte[random.nextInt(40)];
      random.nextBytes(body);
      int count = random.nextInt(4) == 0 ? random.nextInt(65536) : random.nextInt(40);
      byte[] p =
          packet(random.nextInt(65536), count, random.nextInt(), HexFormat.of().formatHex(body));
      // The packet sits at the very end of its array, so an over-read throws.
      assertThat(feedback.wrap(p, 0, p.length)).isTrue();
      if (cursor.wrap(feedback)) {
        valid++;
        int statuses = 0;
        while (cursor.next()) {
          statuses++;
          assertThat(cursor.receiveDeltaMicros() == 0 || cursor.received()).isTrue();
        }
        assertThat(statuses).isEqualTo(count);
      } else {
        assertThat(cursor.problem()).isNotEqualTo(TransportCcCursor.Problem.NONE);
        assertThat(cursor.next()).isFalse();
      }
    }
    assertThat(valid).as("enough inputs decode to exercise next()").isGreaterThan(5_000);
  }

  @Test
  void invalidViewIsReportedAndAFailedWrapForgetsThePreviousPacket() {
    decode(PION_RUN_OF_SEVEN);
    assertThat(feedback.wrap(PION_RUN_OF_SEVEN, 0, 12)).isFalse();
    assertThat(cursor.wrap(feedback)).isFalse();
    assertThat(cursor.problem()).isEqualTo(TransportCcCursor.Problem.INVALID_PACKET);
    assertThat(cursor.next()).isFalse();
    assertThat(cursor.arrivalMicros()).isZero();
  }
}
