package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.rtp.RtpPacket;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Proves steady-state forwarding allocates nothing: after warm-up, 100 000 packets fanned out to 4
 * subscribers (receive side on this thread, send side on the packet workers) stay under a small
 * bound, measured per thread with {@code ThreadMXBean#getThreadAllocatedBytes}.
 *
 * <p>The one allocation the workers make is not forwarding's: a worker that runs out of work parks
 * in {@code Semaphore.tryAcquire(timeout)}, which enqueues a small AQS node (JFR shows nothing
 * else). How often that happens depends on the scheduler, so each batch is published while the
 * senders wait at a gate (spinning, not parking) and then drained in one go: a handful of parks per
 * batch instead of up to one per packet.
 */
class ForwardingAllocationTest {

  private static final int SUBSCRIBERS = 4;
  private static final int WARM_UP_PACKETS = 30_000;
  private static final int MEASURED_PACKETS = 100_000;
  private static final int BATCH_PACKETS = 1_000;
  private static final int QUEUE_PACKETS = 2_048;

  /**
   * Slack for the measurement, not per packet: 100 000 × 4 sends at even 1 byte each would be 400
   * KB. Covers thread-local buffer refills, JIT bookkeeping and the workers' parks between batches.
   */
  private static final long MAX_ALLOCATED_BYTES = 64 * 1024;

  private final List<Thread> workerThreads = new CopyOnWriteArrayList<>();
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          task -> {
            var thread = new Thread(task, "packet-worker-" + workerThreads.size());
            thread.setDaemon(true);
            workerThreads.add(thread);
            return thread;
          });
  private final PacketWorkers workers = new PacketWorkers(executor, 2);
  private final PacketPool pool = new PacketPool(PacketPool.DEFAULT_CAPACITY);
  private final ForwardingTable table = new ForwardingTable("room");
  private final Publisher talker = new Publisher("talker", TestRtp.PUBLISHER, pool);
  private final Subscriber[] subscribers = new Subscriber[SUBSCRIBERS];
  private final CountingSender sender = new CountingSender();
  private final RtpPacket view = new RtpPacket();
  private final byte[] buffer = new byte[1_500];

  /** Counts and touches the bytes, as encryption would; allocates nothing. */
  private static final class CountingSender implements Subscriber.Sender {
    final AtomicLong sent = new AtomicLong();
    volatile boolean open = true;
    volatile long checksum;

    @Override
    public boolean sendRtp(byte[] buffer, int offset, int length) {
      while (!open) {
        Thread.yield(); // a gate that, unlike a latch, does not allocate when it waits
      }
      checksum += buffer[offset + 8] + buffer[offset + length - 1];
      sent.incrementAndGet();
      return true;
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    table.clear();
    workers.close();
    executor.shutdown();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private boolean layered;

  @Test
  void steadyStateFanOutAllocatesNothing() {
    measure();
  }

  /**
   * The same with a publisher of three layers (by SSRC) whose four listeners get h, h, m and l: the
   * layer lookup, the liveness check and the per-listener choice allocate nothing either.
   */
  @Test
  void steadyStateFanOutOfLayersAllocatesNothing() {
    layered = true;
    talker.setLayers(
        LayerMap.of(
            List.of(
                new LayerMap.Entry("0", null, List.of(0x42L), 0, 64_000),
                new LayerMap.Entry("1", null, List.of(0x43L), 1, 32_000),
                new LayerMap.Entry("2", null, List.of(0x44L), 2, 16_000))));
    measure();
    assertThat(table.snapshot().streamsFrom(talker))
        .extracting(OutgoingStream::receivedLayer)
        .containsExactly(0, 0, 1, 2);
  }

  private void measure() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported(), "allocation counting unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);
    var latency = new LatencyHistogram();
    table.addPublisher(talker).forEach(OutgoingStream::activate);
    for (int i = 0; i < SUBSCRIBERS; i++) {
      subscribers[i] = new Subscriber("s" + i, TestRtp.SUBSCRIBER, workers, QUEUE_PACKETS, latency);
      subscribers[i].setSender(sender);
      table.addSubscriber(subscribers[i]).forEach(OutgoingStream::activate);
    }
    byte[] packet = TestRtp.packet(0x42, 0, 0, false, 0);
    System.arraycopy(packet, 0, buffer, 16, packet.length);
    assertThat(view.wrap(buffer, 16, packet.length)).isTrue();

    if (layered) {
      forward(0, BATCH_PACKETS); // every layer live before the listeners move off h
      List<OutgoingStream> streams = table.snapshot().streamsFrom(talker);
      streams.get(2).setTargetLayer(1);
      streams.get(3).setTargetLayer(2);
      forward(BATCH_PACKETS, WARM_UP_PACKETS - BATCH_PACKETS);
    } else {
      forward(0, WARM_UP_PACKETS);
    }
    long[] ids = workerThreads.stream().mapToLong(Thread::getId).toArray();
    assertThat(ids).hasSize(2);
    // Read other threads first and this one last (and the reverse after), so that the MXBean's
    // own arrays are not counted.
    long[] workersBefore = threads.getThreadAllocatedBytes(ids);
    long selfBefore = threads.getCurrentThreadAllocatedBytes();
    forward(WARM_UP_PACKETS, MEASURED_PACKETS);
    long selfAfter = threads.getCurrentThreadAllocatedBytes();
    long[] workersAfter = threads.getThreadAllocatedBytes(ids);

    long receiveSide = selfAfter - selfBefore;
    long sendSide = 0;
    for (int i = 0; i < ids.length; i++) {
      sendSide += workersAfter[i] - workersBefore[i];
    }
    System.out.printf(
        "forwarding %d packets to %d subscribers allocated: fan-out thread %d B, workers %d B%n",
        MEASURED_PACKETS, SUBSCRIBERS, receiveSide, sendSide);
    assertThat(sender.sent.get())
        .isEqualTo((long) SUBSCRIBERS * (WARM_UP_PACKETS + MEASURED_PACKETS));
    for (Subscriber subscriber : subscribers) {
      for (Subscriber.Drop reason : Subscriber.Drop.values()) {
        assertThat(subscriber.dropped(reason)).as(reason.wireValue()).isZero();
      }
    }
    assertThat(latency.snapshot().count()).isEqualTo(sender.sent.get());
    assertThat(receiveSide + sendSide)
        .as("bytes allocated forwarding %d packets", MEASURED_PACKETS)
        .isLessThan(MAX_ALLOCATED_BYTES);
  }

  /** Publishes {@code count} packets like a transport would, batch by batch, until all are sent. */
  private void forward(int first, int count) {
    for (int batch = first; batch < first + count; batch += BATCH_PACKETS) {
      sender.open = false;
      for (int i = batch; i < batch + BATCH_PACKETS; i++) {
        view.setSequenceNumber(i);
        view.setTimestamp(i * 960L);
        if (layered) {
          // One frame in each layer; each listener gets exactly one of the three.
          for (int layer = 0; layer < 3; layer++) {
            view.setSsrc(0x42 + layer);
            talker.onRtp(view, System.nanoTime());
          }
        } else {
          talker.onRtp(view, System.nanoTime());
        }
      }
      sender.open = true;
      long expected = (long) SUBSCRIBERS * (batch + BATCH_PACKETS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (sender.sent.get() < expected && System.nanoTime() < deadline) {
        Thread.yield();
      }
    }
  }
}
