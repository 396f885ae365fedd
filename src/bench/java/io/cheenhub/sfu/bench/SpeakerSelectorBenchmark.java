package io.cheenhub.sfu.bench;

import io.cheenhub.sfu.media.SpeakerMeter;
import io.cheenhub.sfu.media.SpeakerSelector;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Speaker selection costs: {@link SpeakerMeter#onAudioLevel}, paid by the receive path for every
 * audio packet, and one {@link SpeakerSelector#select} pass over a room of publishers, paid by the
 * room timer every 100 ms.
 *
 * <p>The packet benchmark cycles through a speech-like level pattern (syllables, dips, a pause) 20
 * ms apart, so the floor, the averages and the steady-run check all take their usual branches. The
 * pass benchmark freezes a room in which {@code talkers} publishers speak (more than the three
 * slots, so every pass tries candidates that cannot win yet) and the rest send steady noise.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SpeakerSelectorBenchmark {

  private static final int PATTERN = 64; // a power of two, for the index mask
  private static final long FRAME_NANOS = 20_000_000L;

  @Param({"200"})
  public int publishers;

  @Param({"6"})
  public int talkers;

  private final int[] levels = new int[PATTERN];
  private SpeakerMeter meter;
  private int next;
  private long packetNanos;

  private SpeakerSelector room;
  private long passNanos;

  @Setup
  public void setUp() {
    Random random = new Random(16);
    for (int i = 0; i < PATTERN; i++) {
      boolean pause = i >= 48;
      boolean dip = i % 8 >= 6;
      levels[i] =
          pause ? 64 + random.nextInt(3) : dip ? 50 + random.nextInt(10) : 28 + random.nextInt(5);
    }
    meter = new SpeakerSelector().add(1);

    room = new SpeakerSelector();
    SpeakerMeter[] meters = new SpeakerMeter[publishers];
    for (int p = 0; p < publishers; p++) {
      meters[p] = room.add(p + 1);
    }
    long now = 0;
    for (int frame = 0; frame < 516; frame++) { // 10.3 s, ending on a syllable
      for (int p = 0; p < publishers; p++) {
        int level = p < talkers ? levels[frame & (PATTERN - 1)] - p : 60 + frame % 3;
        meters[p].onAudioLevel(level, true, now);
      }
      now += FRAME_NANOS;
      if (frame % 5 == 4) {
        room.select(now);
      }
    }
    // A talker's last packet was a syllable; keep the pass at that instant.
    passNanos = now;
  }

  @Benchmark
  public void meterPerPacket() {
    meter.onAudioLevel(levels[next], true, packetNanos);
    next = (next + 1) & (PATTERN - 1);
    packetNanos += FRAME_NANOS;
  }

  @Benchmark
  public boolean selectionPass() {
    return room.select(passNanos);
  }
}
