package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.rtp.ReportBlock;
import io.cheenhub.sfu.rtp.RtcpWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the RTCP statistics allocate nothing in steady state, measured on this thread with {@code
 * ThreadMXBean#getThreadAllocatedBytes}: the per-packet update, the publisher's SRs, writing the
 * receiver report, and reading a subscriber's reports.
 */
class RtcpStatisticsAllocationTest {

  private static final int WARM_UP_PACKETS = 200_000;
  private static final int MEASURED_PACKETS = 1_000_000;
  // One report and one subscriber RTCP datagram per 50 packets (1 s of Opus).
  private static final int PACKETS_PER_REPORT = 50;
  // Slack for the measurement itself (thread-local buffer refills, JIT bookkeeping), not per
  // packet.
  private static final long MAX_ALLOCATED_BYTES = 64 * 1024;
  private static final int SOURCE = 0x5151_5151;

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final PacketWorkers workers = new PacketWorkers(executor, 1);
  private final ForwardingTable table = new ForwardingTable("room");
  private final ReceiverReports reports = new ReceiverReports(1);
  private final byte[] out = new byte[ReceiverReports.BUFFER_BYTES];
  private final byte[] sr = new byte[64];
  private final byte[] subscriberRtcp = new byte[256];
  private int srLength;
  private int subscriberRtcpLength;
  private SubscriberReports subscriberReports;

  @AfterEach
  void stop() throws InterruptedException {
    table.clear();
    workers.close();
    executor.shutdown();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void statisticsAndReportsAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported(), "allocation counting unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);
    var subscriber = new Subscriber("b", TestRtp.SUBSCRIBER, workers, 8, new LatencyHistogram());
    table.addSubscriber(subscriber);
    OutgoingStream stream =
        table.addPublisher(new Publisher("a", TestRtp.PUBLISHER, new PacketPool(4))).get(0);
    subscriberReports = new SubscriberReports(subscriber, table);
    srLength = RtcpWriter.senderReport(sr, 0, SOURCE, 1L << 40, 0, 0, 0, new ReportBlock[0], 0);
    subscriberRtcpLength =
        RtcpWriter.receiverReportWithCname(
            subscriberRtcp,
            0,
            7,
            new ReportBlock[] {new ReportBlock().set(stream.ssrc(), 3, 4, 5, 6, 0x1234, 1)},
            1,
            "browser".getBytes(StandardCharsets.UTF_8));

    long warm = run(0, WARM_UP_PACKETS);
    long before = threads.getCurrentThreadAllocatedBytes();
    long checksum = run(WARM_UP_PACKETS, MEASURED_PACKETS);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    System.out.printf(
        "rtcp statistics for %d packets, %d reports allocated %d B%n",
        MEASURED_PACKETS, MEASURED_PACKETS / PACKETS_PER_REPORT, allocated);
    assertThat(checksum).isNotEqualTo(warm);
    assertThat(stream.receptionReport().reports())
        .isEqualTo((WARM_UP_PACKETS + MEASURED_PACKETS) / PACKETS_PER_REPORT);
    assertThat(allocated)
        .as("bytes allocated by %d packets", MEASURED_PACKETS)
        .isLessThan(MAX_ALLOCATED_BYTES);
  }

  private long run(int first, int count) {
    long checksum = 0;
    long start = TimeUnit.SECONDS.toNanos(1);
    for (int i = first; i < first + count; i++) {
      long now = start + i * TimeUnit.MILLISECONDS.toNanos(20) + (i % 7) * 100_000L;
      reports.onRtp(SOURCE, i & 0xFFFF, i * 960L, now);
      if (i % PACKETS_PER_REPORT == 0) {
        reports.onRtcp(sr, 0, srLength, now);
        checksum += reports.write(out, 0, now) + out[20];
        subscriberReports.onRtcp(subscriberRtcp, 0, subscriberRtcpLength, now);
      }
    }
    return checksum;
  }
}
