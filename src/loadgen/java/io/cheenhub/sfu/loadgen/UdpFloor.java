package io.cheenhub.sfu.loadgen;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The physical floor a forwarding server stands on: a trivial Java sender and receiver on loopback,
 * one datagram of the forwarded packet's size at a time, no crypto, no queue. It prints the sender
 * thread's CPU per send (on loopback the kernel also delivers the datagram inside that call), the
 * number the benchmark divides the server's CPU per forwarded packet by.
 *
 * <p>{@code java -cp target/cheenhub-loadgen.jar io.cheenhub.sfu.loadgen.UdpFloor [packets]
 * [bytes]}
 */
public final class UdpFloor {

  private UdpFloor() {}

  /** What one run measured. */
  record Floor(long packets, int bytes, double sendMicros, double receiveMicros, long received) {}

  public static void main(String[] args) throws Exception {
    long packets = args.length > 0 ? Long.parseLong(args[0]) : 200_000;
    int bytes = args.length > 1 ? Integer.parseInt(args[1]) : 120;
    measure(packets / 10, bytes); // warm-up: JIT and socket buffers
    Floor floor = measure(packets, bytes);
    System.out.printf(
        "udp floor: %d datagrams of %d bytes on loopback: sender CPU %.2f µs per send,"
            + " receiver CPU %.2f µs per datagram, %d received%n",
        floor.packets(),
        floor.bytes(),
        floor.sendMicros(),
        floor.receiveMicros(),
        floor.received());
  }

  static Floor measure(long packets, int bytes) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (DatagramChannel receiver = DatagramChannel.open();
        DatagramChannel sender = DatagramChannel.open()) {
      receiver.bind(new InetSocketAddress(loopback, 0));
      sender.bind(new InetSocketAddress(loopback, 0));
      var target = (InetSocketAddress) receiver.getLocalAddress();
      var received = new AtomicLong();
      var receiveCpu = new AtomicLong();
      Thread reader =
          new Thread(
              () -> {
                long start = threads.getCurrentThreadCpuTime();
                ByteBuffer in = ByteBuffer.allocateDirect(2048);
                try {
                  while (true) {
                    in.clear();
                    receiver.receive(in);
                    if (in.position() == 1) {
                      break; // the end marker
                    }
                    received.incrementAndGet();
                  }
                } catch (java.io.IOException e) {
                  // closed
                }
                receiveCpu.set(threads.getCurrentThreadCpuTime() - start);
              },
              "udp-floor-receiver");
      reader.start();
      ByteBuffer out = ByteBuffer.allocateDirect(bytes);
      long start = threads.getCurrentThreadCpuTime();
      for (long i = 0; i < packets; i++) {
        out.clear();
        out.putLong(0, i);
        sender.send(out, target);
        if ((i & 255) == 255) {
          Thread.yield(); // let the receiver drain: a floor without drops
        }
      }
      long sendCpu = threads.getCurrentThreadCpuTime() - start;
      Thread.sleep(200);
      sender.send(ByteBuffer.allocate(1), target);
      reader.join(5_000);
      return new Floor(
          packets,
          bytes,
          sendCpu / 1e3 / packets,
          receiveCpu.get() / 1e3 / Math.max(1, received.get()),
          received.get());
    }
  }
}
