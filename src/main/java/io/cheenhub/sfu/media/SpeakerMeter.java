package io.cheenhub.sfu.media;

import io.cheenhub.sfu.rtp.HeaderExtensions;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One publisher's speech from the RFC 6464 audio level of each received packet, read by its room's
 * {@link SpeakerSelector}.
 *
 * <p>Per packet ({@link #onAudioLevel}):
 *
 * <ul>
 *   <li><b>Reading.</b> {@code 127 - level}: dB above digital silence. A packet at level 127 (RFC
 *       6464 §3: silence) carries no reading.
 *   <li><b>Noise floor.</b> Drops at once when two readings in a row are quieter; creeps up by
 *       {@link #FLOOR_RISE_DB_PER_SECOND}; and jumps up to a <em>steady run</em>, readings that
 *       stayed within {@link #STEADY_SPREAD_DB} for {@link #STEADY_MILLIS}. Speech dips 10 to 30 dB
 *       between syllables and pauses every few seconds, so it never forms a steady run and its
 *       floor stays at the room's noise; a fan or a hum is one long steady run and scores 0 dB. The
 *       first reading is the first guess, so a publisher that only ever sends noise never scores.
 *   <li><b>Speech.</b> The reading above the floor, if the V flag is set; 0 dB otherwise. Unvoiced
 *       readings still move the floor: libwebrtc's Opus encoder clears V exactly on DTX frames
 *       ({@code info.speech = !dtx_frame} in audio_encoder_opus.cc), whose level is the background
 *       noise. So V filters comfort noise; background noise needs the floor.
 *   <li><b>Level</b> (is the publisher speaking now): an exponential moving average of the speech
 *       with {@link #LEVEL_TAU_MILLIS}, each packet weighing as one {@link #FRAME_MILLIS} frame.
 *       Speech 40 to 20 dB above the floor lifts it past {@link #SPEECH_DB} within 3 to 6 frames.
 *   <li><b>Loudness</b> (how loud the publisher talks): follows <em>speech frames</em> only, frames
 *       at least {@link #SPEECH_DB} above the floor, like the active speech level of ITU-T P.56; it
 *       rises toward a louder frame with {@link #LOUDNESS_RISE_TAU_MILLIS} and falls toward a
 *       quieter one with {@link #LOUDNESS_FALL_TAU_MILLIS}. Pauses neither lower nor raise it, so a
 *       speaker who pauses between phrases does not look quieter than one who does not, and two
 *       people talking at the same level keep about the same loudness. It starts at 0 dB and needs
 *       one to two seconds of speech to approach the real value, so a short loud burst (a cough)
 *       moves it a few dB only.
 *   <li><b>Gaps.</b> Time without packets counts as silence: a gap longer than {@link #GAP_MILLIS}
 *       between two packets (DTX, a stalled sender) decays the level as if every missing frame had
 *       been silent, and {@link #levelAt} applies the same decay to the time since the last packet.
 * </ul>
 *
 * <p>Threads: {@link #onAudioLevel} has a single writer, the publisher's receive path (its packets
 * are handled one at a time, in order). It takes no lock and allocates nothing: plain float stores
 * (atomic in Java) and a release store of the packet time. The selection pass reads the time with
 * an acquire load first, so it sees the averages at least as of that packet; a newer value read
 * alongside only makes the snapshot fresher. The pass never writes here.
 */
public final class SpeakerMeter {

  /**
   * Audio one packet stands for, in milliseconds: WebRTC sends Opus in 20 ms frames. Longer packets
   * (40 or 60 ms) still weigh as one frame, which only makes their averages slower.
   */
  static final int FRAME_MILLIS = 20;

  /**
   * Longest gap between packets that is still treated as jitter, in milliseconds; a longer gap
   * counts its missing frames as silence. JVB drops a speaker after 150 ms without a level, SMB
   * after 200 ms.
   */
  static final int GAP_MILLIS = 100;

  /**
   * dB above the noise floor from which a frame is a speech frame and a level means speaking. JVB
   * cooks levels less than about 10 units above the running minimum to 0; SMB calls 18 dB (peak
   * minus noise) an active talker. Noise wanders a few dB around its floor and stays below.
   */
  static final float SPEECH_DB = 8;

  /** Time constant of the level, in milliseconds. */
  static final int LEVEL_TAU_MILLIS = 200;

  /**
   * Time constant with which the loudness rises toward a louder speech frame, in milliseconds of
   * speech frames: about a one-second window of speech, recent frames weighted most.
   */
  static final int LOUDNESS_RISE_TAU_MILLIS = 1_000;

  /**
   * Time constant with which the loudness falls toward a quieter speech frame, in milliseconds of
   * speech frames: four times slower than it rises, so it follows the syllables, not the dips
   * between them (an envelope follower's attack and release). How many dips a second of speech has
   * varies from phrase to phrase; averaged with equal weight they moved a speaker's loudness by ±4
   * dB, enough for a talker 3 dB louder to win a 6 dB challenge now and then.
   */
  static final int LOUDNESS_FALL_TAU_MILLIS = 4_000;

  /**
   * How fast the noise floor creeps up toward louder readings, in dB per second (SMB's ramp): it
   * heals a floor pulled down by an odd reading without following speech, whose pauses reach the
   * noise every few seconds.
   */
  static final float FLOOR_RISE_DB_PER_SECOND = 1;

  /** Largest spread of a steady run of readings, in dB. */
  static final float STEADY_SPREAD_DB = 6;

  /**
   * How long readings must stay within {@link #STEADY_SPREAD_DB} to count as noise, in
   * milliseconds: several syllables long, so speech does not qualify, and short enough that a fan
   * switched on mid-call stops counting as speech after about a second.
   */
  static final int STEADY_MILLIS = 1_000;

  /** Silent frames after which the level is taken as 0 (5 s). */
  static final int MAX_SILENT_FRAMES = 250;

  static final long FRAME_NANOS = FRAME_MILLIS * 1_000_000L;
  private static final long GAP_NANOS = GAP_MILLIS * 1_000_000L;
  private static final float LEVEL_ALPHA = alpha(LEVEL_TAU_MILLIS);
  private static final float LOUDNESS_RISE = alpha(LOUDNESS_RISE_TAU_MILLIS);
  private static final float LOUDNESS_FALL = alpha(LOUDNESS_FALL_TAU_MILLIS);
  private static final float FLOOR_RISE_DB_PER_FRAME =
      FLOOR_RISE_DB_PER_SECOND * FRAME_MILLIS / 1_000f;
  private static final int STEADY_FRAMES = STEADY_MILLIS / FRAME_MILLIS;

  // LEVEL_DECAY[k] = (1 - LEVEL_ALPHA)^k: k silent frames at once. Built with StrictMath, so the
  // values are the same on every JVM and in every compilation tier.
  private static final float[] LEVEL_DECAY = decayTable(LEVEL_ALPHA);

  private static final long NEVER = Long.MIN_VALUE;
  private static final VarHandle LAST_PACKET_NANOS;

  static {
    try {
      LAST_PACKET_NANOS =
          MethodHandles.lookup().findVarHandle(SpeakerMeter.class, "lastPacketNanos", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final int key;
  private final int index;

  // Written only by the receive path; read by the selection pass.
  private float level;
  private float loudness;

  @SuppressWarnings("unused") // accessed through LAST_PACKET_NANOS
  private long lastPacketNanos = NEVER;

  // Receive path only: the noise floor and the current run of steady readings, in dB above
  // digital silence.
  private boolean floorKnown;
  private float floor;
  private float previousReading;
  private float runLow;
  private float runHigh;
  private int runFrames;

  SpeakerMeter(int key, int index) {
    this.key = key;
    this.index = index;
  }

  /** The publisher key given to {@link SpeakerSelector#add}. */
  public int key() {
    return key;
  }

  int index() {
    return index;
  }

  /**
   * Feeds one received packet's audio level; call it for every audio packet that carries the
   * extension, in arrival order, from the publisher's receive path only.
   *
   * @param levelDbov {@link HeaderExtensions#levelDbov}: 0 (loudest) to 127 (silence) -dBov;
   *     anything outside 0..126 counts as silence
   * @param voice {@link HeaderExtensions#voiceActivity}; false counts as silence
   * @param receivedNanos arrival time on the {@link System#nanoTime} scale
   */
  public void onAudioLevel(int levelDbov, boolean voice, long receivedNanos) {
    long last = lastPacketNanos; // this thread is the only writer
    if (last != NEVER) {
      level *= LEVEL_DECAY[silentFrames(receivedNanos - last)];
    }
    float speech = 0;
    if (levelDbov >= 0 && levelDbov < HeaderExtensions.SILENCE_DBOV) {
      float reading = HeaderExtensions.SILENCE_DBOV - levelDbov;
      updateFloor(reading);
      if (voice) {
        speech = Math.max(0, reading - floor);
      }
    }
    level += (speech - level) * LEVEL_ALPHA;
    if (speech >= SPEECH_DB) {
      loudness += (speech - loudness) * (speech > loudness ? LOUDNESS_RISE : LOUDNESS_FALL);
    }
    // A packet that arrived out of time order (another socket, a clock step) does not move the
    // last-packet time back.
    LAST_PACKET_NANOS.setRelease(
        this, last == NEVER ? receivedNanos : Math.max(last, receivedNanos));
  }

  /**
   * The noise floor in dB above digital silence (0 before the first reading). Read by the relay
   * send path of the same publisher's packets: a plain float, possibly a packet old.
   */
  float floorDb() {
    return floorKnown ? floor : 0;
  }

  /**
   * Starts with a known floor of {@code db} above digital silence, before the first packet: a
   * speaker relayed from another instance, whose levels come relative to its own floor there (its
   * quiet packets never cross the relay, so its floor could not be learned here).
   */
  void assumeFloor(float db) {
    floor = db;
    floorKnown = true;
  }

  /** The level at {@code nowNanos}: dB above the noise floor, 200 ms average. */
  float levelAt(long nowNanos) {
    long last = (long) LAST_PACKET_NANOS.getAcquire(this);
    return last == NEVER ? 0 : level * LEVEL_DECAY[silentFrames(nowNanos - last)];
  }

  /** The loudness: dB above the noise floor, following the speech frames. */
  float loudness() {
    LAST_PACKET_NANOS.getAcquire(this); // orders the read after the last packet's release store
    return loudness;
  }

  private void updateFloor(float reading) {
    if (!floorKnown) {
      floorKnown = true;
      floor = reading;
      previousReading = reading;
      startRun(reading);
      return;
    }
    // Two readings in a row must be quieter to lower the floor, so one odd packet cannot make the
    // noise after it look like speech.
    float settled = Math.max(reading, previousReading);
    previousReading = reading;
    floor = settled < floor ? settled : Math.min(settled, floor + FLOOR_RISE_DB_PER_FRAME);
    float low = Math.min(runLow, reading);
    float high = Math.max(runHigh, reading);
    if (high - low > STEADY_SPREAD_DB) {
      startRun(reading);
      return;
    }
    runLow = low;
    runHigh = high;
    if (++runFrames >= STEADY_FRAMES && runLow > floor) {
      floor = runLow;
    }
  }

  private void startRun(float reading) {
    runLow = reading;
    runHigh = reading;
    runFrames = 1;
  }

  /**
   * Frames missed in {@code elapsedNanos} since the last packet: none up to {@link #GAP_MILLIS},
   * then every frame after the one that last packet carried, at most {@link #MAX_SILENT_FRAMES}.
   */
  static int silentFrames(long elapsedNanos) {
    if (elapsedNanos <= GAP_NANOS) {
      return 0;
    }
    return (int) Math.min(elapsedNanos / FRAME_NANOS - 1, MAX_SILENT_FRAMES);
  }

  private static float alpha(int tauMillis) {
    return (float) (1 - StrictMath.exp(-(double) FRAME_MILLIS / tauMillis));
  }

  private static float[] decayTable(float alpha) {
    float[] table = new float[MAX_SILENT_FRAMES + 1];
    for (int k = 0; k < MAX_SILENT_FRAMES; k++) {
      table[k] = (float) StrictMath.pow(1 - alpha, k);
    }
    table[MAX_SILENT_FRAMES] = 0;
    return table;
  }
}
