package io.cheenhub.sfu.media;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/** The only test double: a {@link Subscriber.Sender} that keeps what it was given. */
final class CapturingSender implements Subscriber.Sender {

  private final List<TestRtp.Received> received = new ArrayList<>();
  private final List<byte[]> raw = new ArrayList<>();
  private final List<byte[]> rtcp = new ArrayList<>();
  private final AtomicInteger count = new AtomicInteger();
  private volatile CountDownLatch gate;

  @Override
  public boolean sendRtp(byte[] buffer, int offset, int length) {
    CountDownLatch waitFor = gate;
    if (waitFor != null) {
      try {
        waitFor.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    var packet = TestRtp.Received.of(buffer, offset, length);
    synchronized (received) {
      received.add(packet);
      raw.add(java.util.Arrays.copyOfRange(buffer, offset, offset + length));
    }
    count.incrementAndGet();
    return true;
  }

  @Override
  public boolean sendRtcp(byte[] buffer, int offset, int length) {
    synchronized (rtcp) {
      rtcp.add(java.util.Arrays.copyOfRange(buffer, offset, offset + length));
    }
    return true;
  }

  /** The server's own RTCP packets sent, in order. */
  List<byte[]> rtcp() {
    synchronized (rtcp) {
      return new ArrayList<>(rtcp);
    }
  }

  /** Makes every send wait until {@code latch} opens (a slow or stuck subscriber). */
  void blockOn(CountDownLatch latch) {
    gate = latch;
  }

  int count() {
    return count.get();
  }

  /** The RTP packets sent, byte for byte, in order (what SRTP would have protected). */
  List<byte[]> raw() {
    synchronized (received) {
      return new ArrayList<>(raw);
    }
  }

  List<TestRtp.Received> received() {
    synchronized (received) {
      return new ArrayList<>(received);
    }
  }
}
