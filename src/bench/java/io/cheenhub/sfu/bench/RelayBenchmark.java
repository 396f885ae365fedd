package io.cheenhub.sfu.bench;

import io.cheenhub.sfu.transport.relay.RelayKeys;
import io.cheenhub.sfu.transport.relay.RelayLink;
import io.cheenhub.sfu.transport.relay.RelayPort;
import io.cheenhub.sfu.transport.srtp.SrtpSession;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cascade relay's cost per packet on loopback (issue 18: relay CPU per packet): instance A's
 * side sends one Chromium Opus packet through {@link RelayLink#sendRtp} (SRTP AES-GCM protect, copy
 * into the direct buffer, {@code sendto}), instance B's relay port receives it on its own thread
 * and decrypts it with the mirror-image session, as {@code Cascade} does before the fan-out.
 *
 * <p>The benchmark thread's time per operation is the send side. The receive side runs on the
 * port's thread: its CPU time per packet taken is printed at the end of each iteration ({@code #
 * receive}). {@link #rawSend} is the floor: the same bytes through a plain {@code DatagramChannel}
 * without SRTP, received and counted by a plain loop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RelayBenchmark {

  private static final int SSRC = 0x1234_5678;

  /** Opus payload of 20 ms: 100 bytes is about 40 kbit/s, 160 bytes 64 kbit/s. */
  @Param({"100", "160"})
  public int payloadBytes;

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private RelayPort a;
  private RelayPort b;
  private RelayLink aToB;
  private RelayLink bFromA;
  private Thread receiver;
  private final AtomicLong taken = new AtomicLong();
  private DatagramChannel rawOut;
  private DatagramChannel rawIn;
  private Thread rawReceiver;
  private final AtomicLong rawTaken = new AtomicLong();
  private final ByteBuffer rawBuffer = ByteBuffer.allocateDirect(1500);
  private byte[] plain;
  private final byte[] work = new byte[1600];
  private int sequence;
  private long receiverCpuAtStart;
  private long takenAtStart;
  private long rawReceiverCpuAtStart;
  private long rawTakenAtStart;

  @Setup
  public void setUp() throws Exception {
    plain = ChromiumAudioPacket.build(SSRC, 0, 0, 30, 7, payloadBytes);
    a = RelayPort.bind(0);
    b = RelayPort.bind(0);
    byte[] secretA = new byte[RelayKeys.SECRET_BYTES];
    byte[] secretB = new byte[RelayKeys.SECRET_BYTES];
    new Random(1).nextBytes(secretA);
    new Random(2).nextBytes(secretB);
    var endA = new RelayKeys.End("a", secretA, "1");
    var endB = new RelayKeys.End("b", secretB, "2");
    SrtpSession sessionA = RelayKeys.session("bench", endA, endB);
    SrtpSession sessionB = RelayKeys.session("bench", endB, endA);
    aToB = new RelayLink(a, new InetSocketAddress("127.0.0.1", b.port()), sessionA);
    bFromA = new RelayLink(b, new InetSocketAddress("127.0.0.1", a.port()), sessionB);
    receiver =
        new Thread(
            () ->
                b.receive(
                    (buf, off, len, nanos) -> {
                      if (bFromA.unprotect(buf, off, len) > 0) {
                        taken.incrementAndGet();
                      }
                    }),
            "relay-bench-receive");
    receiver.setDaemon(true);
    receiver.start();
    rawIn = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    rawOut = DatagramChannel.open();
    rawReceiver =
        new Thread(
            () -> {
              ByteBuffer in = ByteBuffer.allocateDirect(1600);
              while (rawIn.isOpen()) {
                in.clear();
                try {
                  if (rawIn.receive(in) != null) {
                    rawTaken.incrementAndGet();
                  }
                } catch (java.io.IOException e) {
                  return;
                }
              }
            },
            "relay-bench-raw-receive");
    rawReceiver.setDaemon(true);
    rawReceiver.start();
  }

  @Setup(Level.Iteration)
  public void markIteration() {
    receiverCpuAtStart = threads.getThreadCpuTime(receiver.getId());
    takenAtStart = taken.get();
    rawReceiverCpuAtStart = threads.getThreadCpuTime(rawReceiver.getId());
    rawTakenAtStart = rawTaken.get();
  }

  @TearDown(Level.Iteration)
  public void printReceiveSide() {
    long packets = taken.get() - takenAtStart;
    long rawPackets = rawTaken.get() - rawTakenAtStart;
    if (packets > 0) {
      System.out.printf(
          "%n# receive: %.0f ns CPU per relay packet taken (recv + GCM unprotect), %d packets%n",
          (threads.getThreadCpuTime(receiver.getId()) - receiverCpuAtStart) / (double) packets,
          packets);
    }
    if (rawPackets > 0) {
      System.out.printf(
          "%n# receive: %.0f ns CPU per raw datagram taken (recv only), %d datagrams%n",
          (threads.getThreadCpuTime(rawReceiver.getId()) - rawReceiverCpuAtStart)
              / (double) rawPackets,
          rawPackets);
    }
  }

  @TearDown
  public void tearDown() throws Exception {
    a.close();
    b.close();
    rawIn.close();
    rawOut.close();
    aToB.close();
    bFromA.close();
  }

  /** One relay packet out: copy, next sequence number, SRTP protect, copy, sendto. */
  @Benchmark
  public boolean relaySend() {
    System.arraycopy(plain, 0, work, 0, plain.length);
    int s = sequence++;
    work[2] = (byte) (s >>> 8);
    work[3] = (byte) s;
    return aToB.sendRtp(work, 0, plain.length);
  }

  /** The floor: the same bytes, copied and sent without SRTP. */
  @Benchmark
  public int rawSend() throws Exception {
    rawBuffer.clear();
    rawBuffer.put(plain);
    rawBuffer.flip();
    return rawOut.send(rawBuffer, rawIn.getLocalAddress());
  }
}
