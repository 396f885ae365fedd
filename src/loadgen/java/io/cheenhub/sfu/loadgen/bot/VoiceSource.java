package io.cheenhub.sfu.loadgen.bot;

import io.cheenhub.sfu.loadgen.peer.MediaLoop;
import io.cheenhub.sfu.loadgen.peer.Peer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A talker's microphone as a browser's Opus encoder would packetise it: talk spurts of 20 ms frames
 * (60–100 byte payloads, about 32 kbit/s) with the {@code ssrc-audio-level} extension marking
 * voice, and silences in which Opus DTX sends one small frame every 400 ms. Spurt and pause lengths
 * are exponential with the means of a person who is talking (ITU-T P.59 has 1.0 s spurts and 1.6 s
 * pauses for conversation; a talker here holds the floor, 2.0 s / 0.5 s). Runs on the publish
 * peer's loop; allocates nothing per packet.
 */
final class VoiceSource implements MediaLoop.Ticker {

  static final int PAYLOAD_TYPE = 111;
  static final int AUDIO_LEVEL_EXTENSION_ID = 1;
  private static final long FRAME_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long DTX_NANOS = TimeUnit.MILLISECONDS.toNanos(400);
  private static final double MEAN_SPURT_MS = 2_000;
  private static final double MEAN_PAUSE_MS = 500;
  private static final int HEADER =
      12 + 8; // RTP header + one-byte extension block with one element

  private final Peer peer;
  private final int sender;
  private final int ssrc;
  private final SplittableRandom random;
  private long nextSendNanos;
  private long stateEndsNanos;
  private boolean talking;
  private boolean spurtStart;
  private int rtpSequence;
  private long rtpTimestamp;
  private long lastFrameNanos;
  private int stampSequence;
  private volatile boolean stopped;

  VoiceSource(Peer peer, int sender, int ssrc, long seed) {
    this.peer = peer;
    this.sender = sender;
    this.ssrc = ssrc;
    this.random = new SplittableRandom(seed);
    this.rtpSequence = random.nextInt(1 << 16);
    this.rtpTimestamp = random.nextInt() & 0xFFFF_FFFFL;
  }

  /** Loop thread: starts at a random phase of the 20 ms clock, talking. */
  void start(long now) {
    nextSendNanos = now + random.nextLong(FRAME_NANOS);
    lastFrameNanos = nextSendNanos;
    talking = true;
    spurtStart = true;
    stateEndsNanos = now + exponentialNanos(MEAN_SPURT_MS);
  }

  /** Stops sending; the last stamped sequence number is {@link #lastSequence()}. */
  void stop() {
    stopped = true;
  }

  /** The stamp sequence number of the last packet sent, -1 before the first. */
  int lastSequence() {
    return stampSequence - 1;
  }

  @Override
  public void tick(long now) {
    if (stopped || now < nextSendNanos) {
      return;
    }
    if (now >= stateEndsNanos) {
      talking = !talking;
      spurtStart = talking;
      stateEndsNanos = now + exponentialNanos(talking ? MEAN_SPURT_MS : MEAN_PAUSE_MS);
    }
    // The RTP clock runs at 48 kHz whether or not frames are sent (RFC 7587 §4.1).
    rtpTimestamp += (nextSendNanos - lastFrameNanos) / 20_833; // 1/48000 s in ns, rounded
    lastFrameNanos = nextSendNanos;
    send(now);
    nextSendNanos += talking ? FRAME_NANOS : DTX_NANOS;
    if (now - nextSendNanos > 5 * FRAME_NANOS) {
      nextSendNanos = now + FRAME_NANOS; // the loop stalled: do not burst to catch up
    }
  }

  private void send(long now) {
    byte[] buf = peer.sendBuffer();
    int payload = talking ? 60 + random.nextInt(41) : Stamp.LENGTH;
    buf[0] = (byte) 0x90; // V=2, X=1
    buf[1] = (byte) (PAYLOAD_TYPE | (spurtStart ? 0x80 : 0));
    buf[2] = (byte) (rtpSequence >>> 8);
    buf[3] = (byte) rtpSequence;
    Stamp.putInt(buf, 4, (int) rtpTimestamp);
    Stamp.putInt(buf, 8, ssrc);
    // RFC 8285 one-byte header: 0xBEDE, one word: id/len, V + level (RFC 6464), padding.
    buf[12] = (byte) 0xBE;
    buf[13] = (byte) 0xDE;
    buf[14] = 0;
    buf[15] = 1;
    buf[16] = (byte) (AUDIO_LEVEL_EXTENSION_ID << 4);
    buf[17] = (byte) (talking ? 0x80 | (25 + random.nextInt(20)) : 127);
    buf[18] = 0;
    buf[19] = 0;
    buf[HEADER + Stamp.TOC] = (byte) (talking ? 0x78 : 0xF8);
    for (int i = HEADER + Stamp.LENGTH; i < HEADER + payload; i++) {
      buf[i] = (byte) i;
    }
    Stamp.write(buf, HEADER, sender, stampSequence, now);
    if (peer.sendRtp(buf, HEADER + payload)) {
      stampSequence++;
      rtpSequence = (rtpSequence + 1) & 0xFFFF;
      spurtStart = false;
    }
  }

  private long exponentialNanos(double meanMillis) {
    double millis = -meanMillis * Math.log(1 - random.nextDouble());
    return (long) (Math.min(millis, 10 * meanMillis) * 1_000_000);
  }
}
