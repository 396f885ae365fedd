package io.cheenhub.sfu.bench;

import io.cheenhub.sfu.rtp.HeaderExtensions;
import io.cheenhub.sfu.rtp.RtpPacket;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What the receive path reads from every decrypted RTP packet: {@link RtpPacket#wrap} and the
 * fields the forwarding and speaker detection need, including the RFC 6464 audio level.
 *
 * <p>The view cycles through a few packets with different headers, as a real stream would, so the
 * JIT cannot treat the bytes as constants.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RtpParseBenchmark {

  private static final int PACKETS = 16; // a power of two, for the index mask
  private static final int SSRC = 0x2A3B_4C5D;

  private final RtpPacket view = new RtpPacket();
  private byte[][] packets;
  private int next;

  @Setup
  public void setUp() {
    packets = new byte[PACKETS][];
    for (int i = 0; i < PACKETS; i++) {
      long timestamp = 3_000_000_000L + (long) i * ChromiumAudioPacket.TIMESTAMP_STEP;
      packets[i] = ChromiumAudioPacket.build(SSRC, 40_000 + i, timestamp, 20 + i, i);
    }
  }

  @Benchmark
  public void wrapAndReadHeader(Blackhole bh) {
    byte[] packet = packets[next];
    next = (next + 1) & (PACKETS - 1);
    if (!view.wrap(packet, 0, packet.length)) {
      throw new IllegalStateException("rtp wrap failed: " + view.problem());
    }
    bh.consume(view.payloadType());
    bh.consume(view.sequenceNumber());
    bh.consume(view.timestamp());
    bh.consume(view.ssrc());
    bh.consume(HeaderExtensions.audioLevel(view, ChromiumAudioPacket.AUDIO_LEVEL_ID));
  }
}
