package io.cheenhub.sfu.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Truncated and mutated packets: the views never throw, never read outside the given range (each
 * input sits at the very end of its array, so an over-read throws), agree with a straightforward
 * reference check on validity, and RTCP iteration always terminates.
 */
class HostileInputTest {

  private static final int MUTATIONS = 100_000;
  private static final long SEED = 0x5EED_C0DEL;
  static final int LEAD = 3;

  private final RtpPacket rtp = new RtpPacket();
  private final RedPayload red = new RedPayload();
  private final RtcpCompound compound = new RtcpCompound();
  private final RtcpSenderReport sr = new RtcpSenderReport();
  private final RtcpReceiverReport rr = new RtcpReceiverReport();
  private final RtcpSdes sdes = new RtcpSdes();
  private final RtcpBye bye = new RtcpBye();
  private final RtcpNack nack = new RtcpNack();
  private final RtcpTransportCc twcc = new RtcpTransportCc();
  private final RtcpPli pli = new RtcpPli();
  private final RtcpFir fir = new RtcpFir();
  private final RtcpRemb remb = new RtcpRemb();
  private final TransportCcCursor twccCursor = new TransportCcCursor();
  private final RtcpXr xr = new RtcpXr();
  private final ReportBlock block = new ReportBlock();
  private long sink;

  /**
   * The shared RTCP vectors plus captured transport-cc feedback and an XR with every block type.
   */
  private static List<byte[]> rtcpCorpus() {
    List<byte[]> corpus = new ArrayList<>(TestPackets.RTCP);
    corpus.add(RtcpTransportCcCursorTest.CHROME_TWO_BIT_VECTOR_AND_RUN);
    corpus.add(RtcpTransportCcCursorTest.PION_RUN_OF_SEVEN);
    corpus.add(RtcpTransportCcCursorTest.WIRESHARK_RUN_OF_NINE);
    corpus.add(RtcpTransportCcCursorTest.PION_EMPTY);
    corpus.add(RtcpXrTest.PION_ALL_BLOCK_TYPES);
    return corpus;
  }

  /** The first {@code length} bytes of {@code packet} at the end of an exactly sized array. */
  static byte[] tight(byte[] packet, int length) {
    byte[] out = new byte[LEAD + length];
    out[0] = (byte) 0x80;
    out[1] = (byte) 0xC8;
    System.arraycopy(packet, 0, out, LEAD, Math.min(length, packet.length));
    return out;
  }

  @Test
  void everyTruncationOfRtpIsHandled() {
    for (byte[] packet : TestPackets.RTP) {
      assertThat(rtp.wrap(packet, 0, packet.length)).isTrue();
      int fullHeader = rtp.headerLength();
      for (int n = 0; n <= packet.length; n++) {
        byte[] buf = tight(packet, n);
        exerciseRed(buf, LEAD, n);
        boolean valid = exerciseRtp(buf, LEAD, n);
        if (n < fullHeader) {
          assertThat(valid).as("prefix %d", n).isFalse();
        }
        exerciseRtcp(buf, LEAD, n);
      }
      assertThat(rtp.wrap(tight(packet, packet.length), LEAD, packet.length)).isTrue();
    }
  }

  @Test
  void everyTruncationOfRtcpIsReportedUnlessItEndsOnAPacketBoundary() {
    for (byte[] datagram : rtcpCorpus()) {
      List<Integer> ends = new ArrayList<>();
      compound.wrap(datagram, 0, datagram.length);
      while (compound.next()) {
        ends.add(compound.packetOffset() + compound.packetLength());
      }
      assertThat(compound.problem()).isEqualTo(RtcpCompound.Problem.NONE);
      for (int n = 0; n <= datagram.length; n++) {
        byte[] buf = tight(datagram, n);
        int packets = exerciseRtcp(buf, LEAD, n);
        if (ends.contains(n)) {
          assertThat(compound.problem()).as("prefix %d", n).isEqualTo(RtcpCompound.Problem.NONE);
          assertThat(packets).isEqualTo(ends.indexOf(n) + 1);
        } else {
          assertThat(compound.problem()).as("prefix %d", n).isNotEqualTo(RtcpCompound.Problem.NONE);
        }
        boolean anyTypedView = wrapAllTyped(buf, LEAD, n);
        if (ends.size() == 1) {
          assertThat(anyTypedView).as("prefix %d", n).isEqualTo(n == datagram.length);
        }
        exerciseRtp(buf, LEAD, n);
      }
    }
  }

  @Test
  void randomMutationsNeverThrowAndMatchTheReference() {
    Random random = new Random(SEED);
    List<byte[]> corpus = new ArrayList<>(TestPackets.RTP);
    corpus.addAll(rtcpCorpus());
    corpus.add(RtcpCompoundTest.concat(TestPackets.RTCP.subList(0, 5)));
    int validRtp = 0;
    int validRed = 0;
    int cleanRtcp = 0;
    for (int iteration = 0; iteration < MUTATIONS; iteration++) {
      byte[] packet = mutate(corpus.get(random.nextInt(corpus.size())), random);
      byte[] buf = tight(packet, packet.length);
      try {
        validRed += exerciseRed(buf, LEAD, packet.length) ? 1 : 0;
        validRtp += exerciseRtp(buf, LEAD, packet.length) ? 1 : 0;
        exerciseRtcp(buf, LEAD, packet.length);
        cleanRtcp += compound.problem() == RtcpCompound.Problem.NONE ? 1 : 0;
        wrapAllTyped(buf, LEAD, packet.length);
        PacketClassifier.classify(buf, LEAD, packet.length);
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError(
            "iteration " + iteration + " input " + HexFormat.of().formatHex(packet), e);
      }
    }
    // The mutations must leave enough inputs valid to exercise the getters, not only rejections.
    assertThat(validRtp).isGreaterThan(MUTATIONS / 20);
    assertThat(cleanRtcp).isGreaterThan(MUTATIONS / 20);
    assertThat(validRed).isGreaterThan(MUTATIONS / 100);
    assertThat(sink).isNotZero();
  }

  private static byte[] mutate(byte[] original, Random random) {
    byte[] p = original.clone();
    int operations = 1 + random.nextInt(3);
    for (int op = 0; op < operations; op++) {
      if (p.length == 0) {
        return p;
      }
      int at = random.nextInt(p.length);
      switch (random.nextInt(5)) {
        case 0 -> p[at] = (byte) random.nextInt(256);
        case 1 -> p[at] ^= (byte) (1 << random.nextInt(8));
        case 2 -> {
          // A length field: RTCP length words, or RTP extension length after 12+ bytes.
          int field = (at & ~3) + 2;
          if (field + 1 < p.length) {
            p[field] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : 0);
            p[field + 1] = (byte) random.nextInt(256);
          }
        }
        case 3 -> p[at & ~3] = (byte) (0x80 | random.nextInt(64)); // V=2, random P/X/CC or count
        default -> {
          int length = random.nextInt(p.length + 9);
          byte[] q = new byte[length];
          System.arraycopy(p, 0, q, 0, Math.min(length, p.length));
          for (int i = p.length; i < length; i++) {
            q[i] = (byte) random.nextInt(256);
          }
          p = q;
        }
      }
    }
    return p;
  }

  /** Wraps as RTP, reads everything and checks it stays inside the range; returns validity. */
  boolean exerciseRtp(byte[] buf, int off, int len) {
    boolean valid = rtp.wrap(buf, off, len);
    assertThat(valid).isEqualTo(referenceRtpValid(buf, off, len));
    assertThat(rtp.isValid()).isEqualTo(valid);
    sink += rtp.version() + rtp.csrcCount() + rtp.payloadType() + rtp.sequenceNumber();
    sink += rtp.timestamp() + rtp.ssrc() + rtp.extensionProfile() + (rtp.marker() ? 1 : 0);
    sink += (rtp.hasPadding() ? 1 : 0) + (rtp.hasExtension() ? 1 : 0);
    for (int i = 0; i < rtp.csrcCount(); i++) {
      sink += rtp.csrc(i);
    }
    if (valid) {
      assertThat(rtp.headerLength()).isBetween(RtpPacket.FIXED_HEADER_BYTES, len);
      assertThat(rtp.payloadLength()).isNotNegative();
      assertThat(rtp.payloadOffset() + rtp.payloadLength() + rtp.paddingLength())
          .isEqualTo(off + len);
    } else {
      assertThat(rtp.payloadLength()).isZero();
      assertThat(rtp.setSequenceNumber(1)).isFalse();
    }
    for (int id = 0; id <= 256; id++) {
      int at = rtp.findExtension(id);
      if (at != RtpPacket.NOT_FOUND) {
        assertThat(at).isBetween(off + RtpPacket.FIXED_HEADER_BYTES, off + rtp.headerLength());
        assertThat(at + rtp.extensionLength()).isLessThanOrEqualTo(off + rtp.headerLength());
        sink += at;
      }
    }
    sink += HeaderExtensions.audioLevel(rtp, 1) + HeaderExtensions.absSendTime(rtp, 2);
    sink += HeaderExtensions.transportSequenceNumber(rtp, 3);
    String mid = HeaderExtensions.mid(rtp, 4);
    sink += mid == null ? 0 : mid.length();
    String rid = HeaderExtensions.rid(rtp, 4);
    sink += rid == null ? 0 : rid.length();
    if (valid) {
      HeaderExtensions.setAudioLevel(rtp, 1, true, 10);
      HeaderExtensions.setAbsSendTime(rtp, 2, 7);
      HeaderExtensions.setTransportSequenceNumber(rtp, 3, 9);
      rtp.setMarker(true);
      rtp.setPayloadType(100);
      rtp.setSequenceNumber(rtp.sequenceNumber() + 1);
      rtp.setTimestamp(rtp.timestamp() + 960);
      rtp.setSsrc(~rtp.ssrc());
      assertThat(rtp.wrap(buf, off, len)).as("rewrites keep the packet valid").isTrue();
    }
    return valid;
  }

  /**
   * Reads the RTP payload (or, if not RTP, the whole range) as RED, checks every block lies inside
   * it and agrees with the reference, then strips a copy of a valid RTP packet to its primary (its
   * own PT taken as RED's); returns whether the RTP payload was valid RED.
   */
  boolean exerciseRed(byte[] buf, int off, int len) {
    boolean isRtp = rtp.wrap(buf, off, len);
    int payload = isRtp ? rtp.payloadOffset() : off;
    int payloadLength = isRtp ? rtp.payloadLength() : len;
    boolean valid = red.wrap(buf, payload, payloadLength);
    int reference = referenceRedPrimaryLength(buf, payload, payloadLength);
    assertThat(valid).isEqualTo(reference >= 0);
    assertThat(red.isValid()).isEqualTo(valid);
    if (!valid) {
      assertThat(red.blockCount()).isZero();
      assertThat(red.primaryLength()).isZero();
    } else {
      assertThat(red.blockCount()).isBetween(1, RedPayload.MAX_BLOCKS);
      assertThat(red.primaryLength()).isEqualTo(reference);
      int end = payload;
      for (int i = 0; i < red.blockCount(); i++) {
        assertThat(red.blockOffset(i)).isGreaterThanOrEqualTo(end);
        end = red.blockOffset(i) + red.blockLength(i);
        sink += red.blockPayloadType(i) + red.blockTimestampOffset(i);
      }
      assertThat(end).isEqualTo(payload + payloadLength);
      assertThat(red.primaryOffset()).isEqualTo(payload + payloadLength - red.primaryLength());
      sink += red.primaryPayloadType();
    }
    if (!isRtp) {
      return false;
    }
    byte[] copy = buf.clone();
    RtpPacket view = new RtpPacket();
    assertThat(view.wrap(copy, off, len)).isTrue();
    int header = view.headerLength();
    int n = RedPayload.stripToPrimary(view, view.payloadType());
    if (!valid) {
      assertThat(n).isEqualTo(RedPayload.MALFORMED);
      assertThat(copy).isEqualTo(buf);
    } else if (reference == 0) {
      assertThat(n).isEqualTo(RedPayload.EMPTY_PRIMARY);
      assertThat(copy).isEqualTo(buf);
    } else {
      assertThat(n).isEqualTo(header + reference);
      assertThat(view.isValid()).isTrue();
      assertThat(view.length()).isEqualTo(n);
      assertThat(view.payloadLength()).isEqualTo(reference);
      assertThat(new RtpPacket().wrap(copy, off, n)).isTrue();
    }
    assertThat(RedPayload.stripToPrimary(rtp, rtp.payloadType() ^ 1)).isEqualTo(len);
    return valid;
  }

  /** Iterates as RTCP and wraps every typed view on every packet; returns the packet count. */
  int exerciseRtcp(byte[] buf, int off, int len) {
    List<int[]> expected = referenceRtcpPackets(buf, off, len);
    compound.wrap(buf, off, len);
    int packets = 0;
    while (compound.next()) {
      assertThat(packets).as("iteration terminates").isLessThan(len / RtcpPacket.HEADER_BYTES);
      assertThat(packets).as("no more packets than the reference").isLessThan(expected.size());
      assertThat(compound.packetOffset()).isEqualTo(expected.get(packets)[0]);
      assertThat(compound.packetLength()).isEqualTo(expected.get(packets)[1]);
      packets++;
      sink += compound.packetType() + compound.count();
      wrapAllTyped(compound.buffer(), compound.packetOffset(), compound.packetLength());
    }
    assertThat(packets).isEqualTo(expected.size());
    assertThat(compound.problem() == RtcpCompound.Problem.NONE)
        .as("clean end exactly when well-formed packets fill the datagram")
        .isEqualTo(referenceRtcpClean(buf, off, len));
    return packets;
  }

  /** Wraps every typed view on one range and reads everything; true if any view accepted it. */
  boolean wrapAllTyped(byte[] buf, int off, int len) {
    boolean any = false;
    if (sr.wrap(buf, off, len)) {
      any = true;
      assertThat(sr.length()).isGreaterThanOrEqualTo(28 + 24 * sr.reportCount());
    }
    sink += sr.senderSsrc() + sr.ntpTimestamp() + sr.ntpMiddle32() + sr.rtpTimestamp();
    sink += sr.packetCount() + sr.octetCount();
    for (int i = 0; i < sr.reportCount(); i++) {
      sink += sr.readReportBlock(i, block).cumulativeLost() + block.jitter();
    }
    if (rr.wrap(buf, off, len)) {
      any = true;
      assertThat(rr.length()).isGreaterThanOrEqualTo(8 + 24 * rr.reportCount());
    }
    sink += rr.senderSsrc();
    for (int i = 0; i < rr.reportCount(); i++) {
      sink += rr.readReportBlock(i, block).extendedHighestSequence();
    }
    any |= sdes.wrap(buf, off, len);
    while (sdes.nextChunk()) {
      sink += sdes.chunkSsrc();
      if (sdes.cnameOffset() != RtcpSdes.NOT_FOUND) {
        assertThat(sdes.cnameOffset() + sdes.cnameLength())
            .isLessThanOrEqualTo(sdes.offset() + sdes.length());
        sink += sdes.cname().length();
      }
    }
    any |= bye.wrap(buf, off, len);
    for (int i = 0; i < bye.ssrcCount(); i++) {
      sink += bye.ssrc(i);
    }
    sink += bye.hasReason() ? bye.reason().length() : 0;
    any |= nack.wrap(buf, off, len);
    for (int i = 0; i < nack.entryCount(); i++) {
      sink += nack.packetId(i) + nack.lostBitmask(i);
    }
    sink += nack.senderSsrc() + nack.mediaSsrc();
    any |= twcc.wrap(buf, off, len);
    sink += twcc.baseSequenceNumber() + twcc.packetStatusCount() + twcc.referenceTimeMillis();
    sink += twcc.feedbackPacketCount() + twcc.chunksOffset() + twcc.chunksLength();
    if (twccCursor.wrap(twcc)) {
      assertThat(twccCursor.problem()).isEqualTo(TransportCcCursor.Problem.NONE);
      int statuses = 0;
      while (twccCursor.next()) {
        statuses++;
        sink += twccCursor.sequenceNumber() + twccCursor.receiveDeltaMicros();
        sink += twccCursor.received() ? twccCursor.arrivalMicros() : 1;
      }
      assertThat(statuses).isEqualTo(twcc.packetStatusCount());
    } else {
      assertThat(twccCursor.problem()).isNotEqualTo(TransportCcCursor.Problem.NONE);
      assertThat(twccCursor.next()).isFalse();
    }
    if (xr.wrap(buf, off, len)) {
      any = true;
      assertThat(xr.length()).isGreaterThanOrEqualTo(8);
    }
    sink += xr.senderSsrc();
    while (xr.nextBlock()) {
      sink += xr.blockType() + xr.ntpTimestamp();
      for (int i = 0; i < xr.dlrrCount(); i++) {
        sink += xr.dlrrSsrc(i) + xr.lastRr(i) + xr.delaySinceLastRr(i);
      }
    }
    any |= pli.wrap(buf, off, len);
    sink += pli.mediaSsrc() + pli.format();
    any |= fir.wrap(buf, off, len);
    for (int i = 0; i < fir.entryCount(); i++) {
      sink += fir.entrySsrc(i) + fir.entrySequenceNumber(i);
    }
    any |= remb.wrap(buf, off, len);
    sink += remb.bitrateBps() + remb.exponent() + remb.mantissa();
    for (int i = 0; i < remb.ssrcCount(); i++) {
      sink += remb.ssrc(i);
    }
    return any;
  }

  // Reference checks written independently of the views, over a ByteBuffer slice.

  private static boolean referenceRtpValid(byte[] buf, int off, int len) {
    if (len < 12) {
      return false;
    }
    ByteBuffer b = ByteBuffer.wrap(buf, off, len).slice();
    int first = Byte.toUnsignedInt(b.get(0));
    if ((first & 0xC0) != 0x80) {
      return false;
    }
    long end = 12 + 4L * (first & 0x0F);
    if ((first & 0x10) != 0) {
      if (end + 4 > len) {
        return false;
      }
      end += 4 + 4L * Short.toUnsignedInt(b.getShort((int) end + 2));
    }
    if (end > len) {
      return false;
    }
    if ((first & 0x20) != 0) {
      int padding = Byte.toUnsignedInt(b.get(len - 1));
      return padding >= 1 && end + padding <= len;
    }
    return true;
  }

  /** RFC 2198 §3 read independently: the primary's length, or -1 if malformed. */
  private static int referenceRedPrimaryLength(byte[] buf, int off, int len) {
    ByteBuffer b = ByteBuffer.wrap(buf, off, len).slice();
    int blocks = 0;
    long redundantBytes = 0;
    while (true) {
      if (!b.hasRemaining() || ++blocks > RedPayload.MAX_BLOCKS) {
        return -1;
      }
      int first = Byte.toUnsignedInt(b.get());
      if (first < 0x80) {
        break;
      }
      if (b.remaining() < 3) {
        return -1;
      }
      int rest = Byte.toUnsignedInt(b.get()) << 16 | Short.toUnsignedInt(b.getShort());
      redundantBytes += rest & 0x3FF;
    }
    long primary = b.remaining() - redundantBytes;
    return primary < 0 ? -1 : (int) primary;
  }

  /** (offset, length) of each well-formed packet before the first malformed one. */
  private static List<int[]> referenceRtcpPackets(byte[] buf, int off, int len) {
    List<int[]> packets = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(buf, off, len).slice();
    int at = 0;
    while (len - at >= 4) {
      int first = Byte.toUnsignedInt(b.get(at));
      int size = 4 * (Short.toUnsignedInt(b.getShort(at + 2)) + 1);
      if ((first & 0xC0) != 0x80 || size > len - at) {
        break;
      }
      if ((first & 0x20) != 0) {
        int padding = Byte.toUnsignedInt(b.get(at + size - 1));
        if (at + size != len || padding == 0 || padding > size - 4) {
          break;
        }
      }
      packets.add(new int[] {off + at, size});
      at += size;
    }
    return packets;
  }

  private static boolean referenceRtcpClean(byte[] buf, int off, int len) {
    int total = 0;
    for (int[] p : referenceRtcpPackets(buf, off, len)) {
      total += p[1];
    }
    return len > 0 && total == len;
  }
}
