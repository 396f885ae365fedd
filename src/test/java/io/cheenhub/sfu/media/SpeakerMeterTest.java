package io.cheenhub.sfu.media;

import static io.cheenhub.sfu.media.SpeakerMeter.FRAME_NANOS;
import static io.cheenhub.sfu.media.SpeakerMeter.SPEECH_DB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.cheenhub.sfu.media.SpeakerTraces.Trace;
import org.junit.jupiter.api.Test;

class SpeakerMeterTest {

  private static final long MILLIS = 1_000_000L;
  private static final int SPEECH = 30;
  private static final int NOISE = 65;

  private final SpeakerMeter meter = new SpeakerMeter(1, 0);
  private long now = 5_000 * MILLIS;

  @Test
  void aMeterThatWasNeverFedReadsZero() {
    assertThat(meter.levelAt(now)).isZero();
    assertThat(meter.loudness()).isZero();
  }

  @Test
  void silentFramesCountTheFramesMissingAfterTheJitterAllowance() {
    assertThat(SpeakerMeter.silentFrames(-FRAME_NANOS)).isZero();
    assertThat(SpeakerMeter.silentFrames(0)).isZero();
    assertThat(SpeakerMeter.silentFrames(100 * MILLIS)).isZero();
    assertThat(SpeakerMeter.silentFrames(100 * MILLIS + 1)).isEqualTo(4);
    assertThat(SpeakerMeter.silentFrames(120 * MILLIS)).isEqualTo(5);
    assertThat(SpeakerMeter.silentFrames(3_600_000 * MILLIS))
        .isEqualTo(SpeakerMeter.MAX_SILENT_FRAMES);
  }

  @Test
  void steadyNoiseNeverReachesTheSpeechLevelAtAnyLoudness() {
    for (int noise = 10; noise <= 110; noise += 20) {
      SpeakerMeter noisy = new SpeakerMeter(noise, 0);
      float highest = 0;
      for (int frame : new Trace(noise).noise(20_000, noise).toArray()) {
        noisy.onAudioLevel(SpeakerTraces.level(frame), true, now);
        highest = Math.max(highest, noisy.levelAt(now));
        now += FRAME_NANOS;
      }
      assertThat(highest).as("noise at -%d dBov", noise).isLessThan(SPEECH_DB / 2);
      assertThat(noisy.loudness()).isZero();
    }
  }

  @Test
  void speechAboveAKnownFloorIsSpeakingWithinFiveFrames() {
    play(new Trace(1).noise(1_000, NOISE));
    assertThat(meter.levelAt(now)).isLessThan(1);

    play(new Trace(2).constant(100, SPEECH));

    assertThat(meter.levelAt(now)).isGreaterThanOrEqualTo(SPEECH_DB);
  }

  @Test
  void unvoicedPacketsAreNotSpeechButCarryTheNoiseFloor() {
    play(new Trace(1).unvoicedAt(2_000, SPEECH)); // loud, V clear: not speech
    assertThat(meter.levelAt(now)).isZero();

    play(new Trace(2).dtx(2_000, NOISE).constant(60, SPEECH)); // comfort noise, then three frames

    assertThat(meter.levelAt(now)).isGreaterThanOrEqualTo(SPEECH_DB);
  }

  @Test
  void silenceAndOutOfRangeLevelsAreNotSpeech() {
    play(new Trace(1).noise(1_000, NOISE));
    for (int i = 0; i < 50; i++) {
      meter.onAudioLevel(i % 3 == 0 ? 127 : i % 3 == 1 ? -1 : 200, true, now);
      now += FRAME_NANOS;
    }
    assertThat(meter.levelAt(now)).isLessThan(1);
    assertThat(meter.loudness()).isZero();
  }

  @Test
  void pausesDoNotChangeTheLoudness() {
    play(new Trace(1).noise(1_000, NOISE).speech(3_000, SPEECH, NOISE));
    float talking = meter.loudness();

    play(new Trace(2).noise(2_000, NOISE).dtx(2_000, NOISE).nothing(2_000));

    assertThat(meter.loudness()).isEqualTo(talking);
    assertThat(meter.levelAt(now)).isLessThan(0.01f);
  }

  @Test
  void theLoudnessStartsAtZeroAndApproachesTheSyllableLevelWithinSeconds() {
    play(new Trace(1).noise(1_000, NOISE).speech(500, SPEECH, NOISE));
    float early = meter.loudness();
    play(new Trace(2).speech(4_500, SPEECH, NOISE));

    // Syllables sit at SPEECH ± 5 dB, i.e. 30 to 40 dB above the noise.
    assertThat(early).isBetween(5f, 25f);
    assertThat(meter.loudness()).isBetween(28f, 40f);
  }

  @Test
  void aTalkersLoudnessStaysWithinTheMarginForAMinute() {
    for (int seed = 0; seed < 20; seed++) {
      SpeakerMeter talker = new SpeakerMeter(seed, 0);
      float lowest = Float.MAX_VALUE;
      float highest = 0;
      int frame = 0;
      for (int level : new Trace(seed).noise(500, NOISE).speech(65_000, SPEECH, NOISE).toArray()) {
        talker.onAudioLevel(level, true, now);
        now += FRAME_NANOS;
        if (++frame > 250) { // after 5 s
          lowest = Math.min(lowest, talker.loudness());
          highest = Math.max(highest, talker.loudness());
        }
      }
      assertThat(highest - lowest).as("seed %d", seed).isLessThan(SpeakerSelector.MARGIN_DB);
    }
  }

  @Test
  void aCoughMovesTheLoudnessOfASpeakerByAFewDbOnly() {
    play(new Trace(1).noise(1_000, NOISE).speech(5_000, SPEECH, NOISE).noise(500, NOISE));
    float before = meter.loudness();

    play(new Trace(2).constant(150, 5)); // 60 dB above the noise

    assertThat(meter.loudness() - before).isBetween(0f, 4f);
  }

  @Test
  void aGapInThePacketsDecaysTheLevelLikeSilentPackets() {
    SpeakerMeter silentPackets = new SpeakerMeter(2, 1);
    for (int frame : new Trace(1).noise(500, NOISE).speech(2_000, SPEECH, NOISE).toArray()) {
      meter.onAudioLevel(SpeakerTraces.level(frame), true, now);
      silentPackets.onAudioLevel(SpeakerTraces.level(frame), true, now);
      now += FRAME_NANOS;
    }
    long lastPacket = now - FRAME_NANOS;
    float talking = meter.levelAt(lastPacket);
    for (int i = 0; i < 15; i++) {
      silentPackets.onAudioLevel(127, true, now);
      now += FRAME_NANOS;
    }

    assertThat(meter.levelAt(lastPacket + 100 * MILLIS))
        .as("within the jitter allowance")
        .isEqualTo(talking);
    assertThat(meter.levelAt(now)).isCloseTo(silentPackets.levelAt(now), within(1e-3f));
    meter.onAudioLevel(127, true, now);
    silentPackets.onAudioLevel(127, true, now);
    assertThat(meter.levelAt(now)).isCloseTo(silentPackets.levelAt(now), within(1e-3f));
    assertThat(meter.levelAt(now + 10_000 * MILLIS)).isZero();
  }

  @Test
  void aFanSwitchedOnMidCallStopsCountingAfterAboutASecond() {
    play(new Trace(1).noise(1_000, 70).speech(3_000, SPEECH, 70).noise(500, 70));
    long fanOn = now;
    long lastSpeaking = -1;
    for (int frame : new Trace(2).noise(10_000, 45).toArray()) {
      meter.onAudioLevel(SpeakerTraces.level(frame), true, now);
      if (meter.levelAt(now) >= SPEECH_DB) {
        lastSpeaking = now;
      }
      now += FRAME_NANOS;
    }

    assertThat((lastSpeaking - fanOn) / MILLIS)
        .isBetween((long) SpeakerMeter.STEADY_MILLIS - 100, SpeakerMeter.STEADY_MILLIS + 300L);
  }

  @Test
  void oneOddQuietReadingDoesNotMoveTheFloor() {
    play(new Trace(1).noise(2_000, 50));
    meter.onAudioLevel(120, true, now); // 70 dB below the noise
    now += FRAME_NANOS;
    float highest = 0;
    for (int frame : new Trace(2).noise(5_000, 50).toArray()) {
      meter.onAudioLevel(SpeakerTraces.level(frame), true, now);
      highest = Math.max(highest, meter.levelAt(now));
      now += FRAME_NANOS;
    }

    assertThat(highest).isLessThan(SPEECH_DB / 2);
  }

  @Test
  void aFloorPulledDownByTwoQuietReadingsHealsWithinTheSteadyTime() {
    play(new Trace(1).noise(2_000, 50).constant(40, 120));
    long healed = now;
    for (int frame : new Trace(2).noise(5_000, 50).toArray()) {
      meter.onAudioLevel(SpeakerTraces.level(frame), true, now);
      if (meter.levelAt(now) >= SPEECH_DB) {
        healed = now;
      }
      now += FRAME_NANOS;
    }

    // The steady run lifts the floor after STEADY_MILLIS; then the level falls from 70 dB to
    // SPEECH_DB within 200 ms * ln(70 / 8) = 434 ms.
    assertThat(meter.levelAt(now)).isLessThan(SPEECH_DB / 2);
    assertThat(healed - (now - 5_000 * MILLIS))
        .isBetween(
            SpeakerMeter.STEADY_MILLIS * MILLIS, (SpeakerMeter.STEADY_MILLIS + 500) * MILLIS);
  }

  @Test
  void aPacketStampedEarlierDoesNotMoveTheClockBack() {
    play(new Trace(1).noise(500, NOISE).speech(1_000, SPEECH, NOISE).constant(100, SPEECH));
    long last = now - FRAME_NANOS;
    meter.onAudioLevel(SPEECH, true, last - 500 * MILLIS);
    float level = meter.levelAt(last + 100 * MILLIS);

    assertThat(level).isGreaterThanOrEqualTo(SPEECH_DB);
    assertThat(meter.levelAt(last + 200 * MILLIS)).isLessThan(level);
  }

  private void play(Trace trace) {
    for (int frame : trace.toArray()) {
      if (SpeakerTraces.hasPacket(frame)) {
        meter.onAudioLevel(SpeakerTraces.level(frame), SpeakerTraces.voice(frame), now);
      }
      now += FRAME_NANOS;
    }
  }
}
