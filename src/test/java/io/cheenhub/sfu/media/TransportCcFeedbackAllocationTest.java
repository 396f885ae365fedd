package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cheenhub.sfu.rtp.RtcpCompound;
import io.cheenhub.sfu.rtp.RtcpTransportCc;
import io.cheenhub.sfu.rtp.RtcpWriter;
import io.cheenhub.sfu.rtp.RtcpXr;
import io.cheenhub.sfu.rtp.TransportCcCursor;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Proves transport-cc and XR work allocates nothing in steady state, measured on this thread with
 * {@code ThreadMXBean#getThreadAllocatedBytes}: recording arrivals (with loss, reordering and
 * duplicates), writing feedback, decoding it with the cursor, and writing and reading RRT/DLRR.
 */
class TransportCcFeedbackAllocationTest {

  private static final int WARM_UP_PACKETS = 200_000;
  private static final int MEASURED_PACKETS = 1_000_000;
  // Slack for the measurement itself (thread-local buffer refills, JIT bookkeeping), not per
  // packet.
  private static final long MAX_ALLOCATED_BYTES = 64 * 1024;
  private static final long PACKET_INTERVAL_NANOS = 20_000_000L;

  private final TransportCcFeedback recorder = new TransportCcFeedback();
  private final byte[] out = new byte[TransportCcFeedback.MAX_FEEDBACK_BYTES];
  private final byte[] xrOut = new byte[64];
  private final RtcpTransportCc view = new RtcpTransportCc();
  private final TransportCcCursor cursor = new TransportCcCursor();
  private final RtcpXr xr = new RtcpXr();
  private final RtcpCompound compound = new RtcpCompound();
  private long decodedStatuses;
  private long xrBlocks;

  @Test
  void recordWriteAndDecodeAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported(), "allocation counting unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);

    long warm = run(0, WARM_UP_PACKETS);
    decodedStatuses = 0;
    xrBlocks = 0;
    long before = threads.getCurrentThreadAllocatedBytes();
    long checksum = run(WARM_UP_PACKETS, MEASURED_PACKETS);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    System.out.printf("transport-cc for %d packets allocated %d B%n", MEASURED_PACKETS, allocated);
    assertThat(checksum).isNotEqualTo(warm);
    assertThat(decodedStatuses).as("every packet reported once").isEqualTo(MEASURED_PACKETS);
    assertThat(xrBlocks).isPositive();
    assertThat(allocated)
        .as("bytes allocated by %d packets", MEASURED_PACKETS)
        .isLessThan(MAX_ALLOCATED_BYTES);
  }

  private long run(int first, int packets) {
    long checksum = 0;
    for (int i = first; i < first + packets; i++) {
      long now = i * PACKET_INTERVAL_NANOS;
      // Every 7th packet lost, every 11th swapped with its successor, every 13th duplicated.
      int sequence = i % 11 == 0 ? i + 1 : i % 11 == 1 ? i - 1 : i;
      if (sequence % 7 != 0) {
        recorder.onPacket(sequence, now + (i % 5) * 300_000L);
        if (i % 13 == 0) {
          recorder.onPacket(sequence, now + 1_000_000L);
        }
      }
      if (recorder.isDue(now)) {
        int n = recorder.write(out, 0, 1, 2, now);
        checksum += n + decode(n);
        n = RtcpWriter.receiverReferenceTime(xrOut, 0, 1, now);
        n += RtcpWriter.dlrr(xrOut, n, 1, 2, i, i);
        checksum += readXr(n);
      }
    }
    return checksum;
  }

  private long decode(int length) {
    long checksum = 0;
    if (view.wrap(out, 0, length) && cursor.wrap(view)) {
      while (cursor.next()) {
        decodedStatuses++;
        checksum += cursor.sequenceNumber() + (cursor.received() ? cursor.arrivalMicros() : 1);
      }
    }
    return checksum;
  }

  private long readXr(int length) {
    long checksum = 0;
    compound.wrap(xrOut, 0, length);
    while (compound.next() && xr.wrap(compound)) {
      while (xr.nextBlock()) {
        xrBlocks++;
        checksum += xr.ntpTimestamp() + xr.dlrrCount();
        for (int i = 0; i < xr.dlrrCount(); i++) {
          checksum += xr.dlrrSsrc(i) + xr.lastRr(i) + xr.delaySinceLastRr(i);
        }
      }
    }
    return checksum;
  }
}
