package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.rtp.ReportBlock;
import io.cheenhub.sfu.rtp.RtcpWriter;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reading a subscriber's RTCP: report blocks per outgoing stream, RTT, type counts, hostility. */
class SubscriberReportsTest {

  private static final int BROWSER_SSRC = 0x7777_0001;

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final PacketWorkers workers = new PacketWorkers(executor, 1);
  private final PacketPool pool = new PacketPool(16);
  private final ForwardingTable table = new ForwardingTable("room");
  private final Publisher publisher = new Publisher("a", TestRtp.PUBLISHER, pool);
  private final Subscriber subscriber =
      new Subscriber("b", TestRtp.SUBSCRIBER, workers, 8, new LatencyHistogram());
  private final SubscriberReports reports = new SubscriberReports(subscriber, table);
  private final byte[] buf = new byte[1_500];

  @AfterEach
  void stop() throws InterruptedException {
    table.clear();
    workers.close();
    executor.shutdown();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private OutgoingStream connect() {
    table.addSubscriber(subscriber);
    return table.addPublisher(publisher).get(0);
  }

  private int rr(ReportBlock... blocks) {
    byte[] cname = "browser".getBytes(StandardCharsets.UTF_8);
    return RtcpWriter.receiverReportWithCname(buf, 0, BROWSER_SSRC, blocks, blocks.length, cname);
  }

  @Test
  void aReceiverReportLandsOnItsOutgoingStream() {
    OutgoingStream stream = connect();
    int length = rr(new ReportBlock().set(stream.ssrc(), 64, 17, 70_000, 240, 0, 0));
    reports.onRtcp(buf, 0, length, 1_000);

    ReceptionReport report = stream.receptionReport();
    assertThat(report.reports()).isEqualTo(1);
    assertThat(report.fractionLost()).isEqualTo(64);
    assertThat(report.cumulativeLost()).isEqualTo(17);
    assertThat(report.extendedHighestSequence()).isEqualTo(70_000);
    assertThat(report.jitter()).isEqualTo(240);
    assertThat(report.lastReportNanos()).isEqualTo(1_000);
    // No SR of ours was echoed (LSR 0): RTT unknown.
    assertThat(report.rttNanos()).isEqualTo(ReceptionReport.RTT_UNKNOWN);
    assertThat(reports.received(SubscriberReports.Type.RR)).isEqualTo(1);
    assertThat(reports.received(SubscriberReports.Type.SDES)).isEqualTo(1);
    assertThat(reports.dropped(SubscriberReports.Drop.MALFORMED)).isZero();
  }

  @Test
  void rttIsArrivalMinusLsrMinusDlsr() {
    OutgoingStream stream = connect();
    long now = System.nanoTime();
    // Our SR left 100 ms ago; the browser held it 30 ms: RTT 70 ms (to 1/65536 s).
    long lsr = NtpTime.middle32(NtpTime.ntp(now - TimeUnit.MILLISECONDS.toNanos(100)));
    long dlsr = NtpTime.toShortUnits(TimeUnit.MILLISECONDS.toNanos(30));
    reports.onRtcp(buf, 0, rr(new ReportBlock().set(stream.ssrc(), 0, 0, 1, 0, lsr, dlsr)), now);
    assertThat(stream.receptionReport().rttNanos())
        .isBetween(TimeUnit.MICROSECONDS.toNanos(69_900), TimeUnit.MICROSECONDS.toNanos(70_100));

    // An implausible LSR (in the future) gives no RTT and keeps the last one.
    long future = NtpTime.middle32(NtpTime.ntp(now + TimeUnit.SECONDS.toNanos(1)));
    reports.onRtcp(buf, 0, rr(new ReportBlock().set(stream.ssrc(), 0, 0, 2, 0, future, 0)), now);
    assertThat(stream.receptionReport().rttNanos()).isBetween(69_900_000L, 70_100_000L);
    assertThat(stream.receptionReport().reports()).isEqualTo(2);
  }

  @Test
  void blocksAboutUnknownOrRemovedStreamsAreCountedDrops() {
    OutgoingStream stream = connect();
    reports.onRtcp(buf, 0, rr(new ReportBlock().set(stream.ssrc() + 1, 0, 0, 1, 0, 0, 0)), 1);
    assertThat(reports.dropped(SubscriberReports.Drop.UNKNOWN_SSRC)).isEqualTo(1);

    reports.onRtcp(buf, 0, rr(new ReportBlock().set(stream.ssrc(), 0, 0, 1, 0, 0, 0)), 2);
    assertThat(stream.receptionReport().reports()).isEqualTo(1);
    table.removePublisher(publisher);
    reports.onRtcp(buf, 0, rr(new ReportBlock().set(stream.ssrc(), 0, 0, 2, 0, 0, 0)), 3);
    assertThat(stream.receptionReport().reports()).isEqualTo(1);
    assertThat(reports.dropped(SubscriberReports.Drop.UNKNOWN_SSRC)).isEqualTo(2);
  }

  @Test
  void everyRtcpTypeIsCounted() {
    OutgoingStream stream = connect();
    int at = rr(new ReportBlock().set(stream.ssrc(), 0, 0, 1, 0, 0, 0));
    at +=
        RtcpWriter.senderReport(
            buf,
            at,
            BROWSER_SSRC,
            1L << 40,
            0,
            0,
            0,
            new ReportBlock[] {new ReportBlock().set(stream.ssrc(), 1, 1, 1, 1, 0, 0)},
            1);
    at += RtcpWriter.nack(buf, at, BROWSER_SSRC, stream.ssrc(), new int[] {5}, new int[] {0}, 1);
    at += RtcpWriter.pli(buf, at, BROWSER_SSRC, stream.ssrc());
    at += RtcpWriter.remb(buf, at, BROWSER_SSRC, 64_000, new int[] {stream.ssrc()}, 1);
    // transport-cc (RTPFB FMT 15), FIR (PSFB FMT 4), BYE and APP, hand-made headers.
    at = put(at, 0x80 | 15, 205, 4);
    at = put(at, 0x80 | 4, 206, 4);
    at = put(at, 0x81, 203, 1);
    at = put(at, 0x80, 204, 2);
    reports.onRtcp(buf, 0, at, 10);

    for (SubscriberReports.Type type : SubscriberReports.Type.values()) {
      assertThat(reports.received(type)).as(type.wireValue()).isEqualTo(1);
    }
    assertThat(stream.receptionReport().reports()).isEqualTo(2); // RR block and SR block
    assertThat(reports.dropped(SubscriberReports.Drop.MALFORMED)).isZero();
  }

  /** Writes a header with {@code words} 32-bit words of zeros after it; returns the end. */
  private int put(int at, int first, int type, int words) {
    buf[at] = (byte) first;
    buf[at + 1] = (byte) type;
    buf[at + 2] = 0;
    buf[at + 3] = (byte) words;
    java.util.Arrays.fill(buf, at + 4, at + 4 + 4 * words, (byte) 0);
    return at + 4 + 4 * words;
  }

  @Test
  void malformedRtcpIsCountedNeverThrown() {
    connect();
    reports.onRtcp(new byte[0], 0, 0, 1); // empty
    reports.onRtcp(new byte[] {(byte) 0x80, (byte) 201, 0, 9}, 0, 4, 1); // length overrun
    reports.onRtcp(new byte[] {0x40, (byte) 201, 0, 1, 0, 0, 0, 0}, 0, 8, 1); // version 1
    // RR claiming one block but holding none.
    reports.onRtcp(new byte[] {(byte) 0x81, (byte) 201, 0, 1, 0, 0, 0, 0}, 0, 8, 1);
    reports.onRtcp(buf, buf.length - 2, 8, 1); // out of bounds
    assertThat(reports.dropped(SubscriberReports.Drop.MALFORMED)).isEqualTo(5);

    var random = new Random(7);
    byte[] noise = new byte[96];
    for (int i = 0; i < 20_000; i++) {
      random.nextBytes(noise);
      if (i % 2 == 0) {
        noise[0] = (byte) (0x80 | noise[0] & 0x3F);
        noise[1] = (byte) (200 + random.nextInt(8));
        noise[2] = 0;
      }
      reports.onRtcp(noise, 0, random.nextInt(noise.length + 1), 1);
    }
    assertThat(reports.dropped(SubscriberReports.Drop.MALFORMED)).isGreaterThan(5);
  }
}
