package io.cheenhub.sfu.loadgen.bot;

import io.cheenhub.sfu.loadgen.peer.MediaLoop;
import io.cheenhub.sfu.loadgen.peer.PeerSdp;
import io.cheenhub.sfu.loadgen.peer.RtpSender;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A talker's microphone as a browser's Opus encoder would packetise it: talk spurts of 20 ms frames
 * with the {@code ssrc-audio-level} extension marking voice, and silences in which Opus DTX sends
 * one small frame every 400 ms. Spurt and pause lengths are exponential with the means of a person
 * who is talking (ITU-T P.59 has 1.0 s spurts and 1.6 s pauses for conversation; a talker here
 * holds the floor, 2.0 s / 0.5 s). Runs on the publish peer's loop; allocates nothing per packet.
 *
 * <p>Without layers one stream, by default of 60–100 byte payloads (about 32 kbit/s). With layers
 * (RFC 8853 simulcast, {@link PeerSdp#AUDIO_LAYERS}) every frame goes out once per layer the server
 * asked for ({@link #setActiveLayers}), each layer on its own SSRC with its own sequence numbers
 * and timestamp offset, payloads sized for its bitrate (Opus at 64/32/16 kbit/s in 20 ms frames:
 * 160 / 80 / 40 bytes, ±25 % as VBR speech varies), and the RFC 8852 {@code rtp-stream-id}
 * extension naming its rid in every packet. The frame's stamp (sequence, send time) is the same in
 * every layer, as the layers carry the same audio.
 */
final class VoiceSource implements MediaLoop.Ticker {

  static final int PAYLOAD_TYPE = 111;
  static final int AUDIO_LEVEL_EXTENSION_ID = 1;
  private static final long FRAME_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long DTX_NANOS = TimeUnit.MILLISECONDS.toNanos(400);
  private static final double MEAN_SPURT_MS = 2_000;
  private static final double MEAN_PAUSE_MS = 500;
  private static final int FRAMES_PER_SECOND = 50;

  /** The bitrate of the one stream without layers unless told: 60–100 byte payloads. */
  static final long DEFAULT_BITRATE_BPS = 32_000;

  // RTP header + RFC 8285 one-byte extension block of one word: audio level, and the rid (a
  // one-character rid fits the same word; without layers that slot is padding).
  private static final int HEADER = 12 + 8;

  /** One encoding this source sends: its SSRC, rid and RTP state. */
  private static final class Encoding {
    final int ssrc;
    final byte rid; // one ASCII character, or 0 without layers
    final int minPayload;
    final int payloadSpread;
    final int timestampOffset;
    int rtpSequence;
    volatile long packetsSent;

    Encoding(int ssrc, byte rid, int minPayload, int payloadSpread, SplittableRandom random) {
      this.ssrc = ssrc;
      this.rid = rid;
      this.minPayload = minPayload;
      this.payloadSpread = payloadSpread;
      this.timestampOffset = random.nextInt();
      this.rtpSequence = random.nextInt(1 << 16);
    }
  }

  private final RtpSender out;
  private final int sender;
  private final boolean talkSpurts;
  private final Encoding[] encodings;
  private final SplittableRandom random;
  private volatile int activeLayers;
  private long nextSendNanos;
  private long stateEndsNanos;
  private boolean talking;
  private boolean spurtStart;
  private long rtpTimestamp;
  private long lastFrameNanos;
  private int stampSequence;
  private volatile boolean stopped;
  private final boolean silent;

  /**
   * A source on {@code ssrc} without layers, with talk spurts and pauses.
   *
   * @param sender the bot's index, stamped into every payload
   */
  VoiceSource(RtpSender out, int sender, int ssrc, long seed) {
    this(out, sender, new int[] {ssrc}, List.of(), DEFAULT_BITRATE_BPS, true, 1, seed, false);
  }

  /**
   * A source that sends {@code layers} (empty: one stream on {@code ssrcs[0]}, no rid).
   *
   * @param ssrcs one SSRC per layer (one without layers)
   * @param bitrateBps without layers, the one stream's bitrate (payloads sized as a layer's are)
   * @param talkSpurts false: talk without pauses (tests that judge bitrates)
   * @param activeLayers bit i set: send layer i (until {@link #setActiveLayers})
   * @param silent never talk: a frame of background noise every 20 ms (an open microphone in a
   *     quiet room, without DTX)
   */
  VoiceSource(
      RtpSender out,
      int sender,
      int[] ssrcs,
      List<PeerSdp.Rid> layers,
      long bitrateBps,
      boolean talkSpurts,
      int activeLayers,
      long seed,
      boolean silent) {
    this.silent = silent;
    this.out = out;
    this.sender = sender;
    this.talkSpurts = talkSpurts;
    this.random = new SplittableRandom(seed);
    int count = Math.max(1, layers.size());
    if (ssrcs.length != count) {
      throw new IllegalArgumentException(count + " layers need as many SSRCs: " + ssrcs.length);
    }
    this.encodings = new Encoding[count];
    if (layers.isEmpty()) {
      encodings[0] = encoding(ssrcs[0], (byte) 0, bitrateBps);
    } else {
      for (int i = 0; i < count; i++) {
        PeerSdp.Rid rid = layers.get(i);
        if (rid.id().length() != 1) {
          throw new IllegalArgumentException("rids are one character here: " + rid.id());
        }
        encodings[i] = encoding(ssrcs[i], (byte) rid.id().charAt(0), rid.maxBitrateBps());
      }
    }
    this.activeLayers = activeLayers;
    this.rtpTimestamp = random.nextInt() & 0xFFFF_FFFFL;
  }

  /** Opus in 20 ms frames: bitrate / 8 / 50 bytes a frame on average, ±25 % (32 kbit/s: 60–100). */
  private Encoding encoding(int ssrc, byte rid, long bitrateBps) {
    int mean = (int) (bitrateBps / Byte.SIZE / FRAMES_PER_SECOND);
    if (mean < Stamp.LENGTH) {
      throw new IllegalArgumentException("too low a bitrate for the stamp: " + bitrateBps);
    }
    return new Encoding(ssrc, rid, mean * 3 / 4, mean / 2 + 1, random);
  }

  /** Loop thread: starts at a random phase of the 20 ms clock, talking. */
  void start(long now) {
    nextSendNanos = now + random.nextLong(FRAME_NANOS);
    lastFrameNanos = nextSendNanos;
    talking = !silent;
    spurtStart = !silent;
    stateEndsNanos = now + exponentialNanos(MEAN_SPURT_MS);
  }

  /** Stops sending; the last stamped sequence number is {@link #lastSequence()}. */
  void stop() {
    stopped = true;
  }

  /** Any thread: from the next frame on, send layer i only when bit i is set. */
  void setActiveLayers(int mask) {
    activeLayers = mask;
  }

  /** RTP packets sent on layer {@code index} (the only one without layers is 0). */
  long packetsSent(int index) {
    return index < encodings.length ? encodings[index].packetsSent : 0;
  }

  /** The stamp sequence number of the last frame sent, -1 before the first. */
  int lastSequence() {
    return stampSequence - 1;
  }

  @Override
  public void tick(long now) {
    if (stopped || now < nextSendNanos) {
      return;
    }
    if (talkSpurts && !silent && now >= stateEndsNanos) {
      talking = !talking;
      spurtStart = talking;
      stateEndsNanos = now + exponentialNanos(talking ? MEAN_SPURT_MS : MEAN_PAUSE_MS);
    }
    // The RTP clock runs at 48 kHz whether or not frames are sent (RFC 7587 §4.1).
    rtpTimestamp += (nextSendNanos - lastFrameNanos) / 20_833; // 1/48000 s in ns, rounded
    lastFrameNanos = nextSendNanos;
    sendFrame(now);
    nextSendNanos += talking || silent ? FRAME_NANOS : DTX_NANOS;
    if (now - nextSendNanos > 5 * FRAME_NANOS) {
      nextSendNanos = now + FRAME_NANOS; // the loop stalled: do not burst to catch up
    }
  }

  /** One 20 ms frame (or DTX frame) in every active layer, under one stamp. */
  private void sendFrame(long now) {
    // Speech: V set, -25 to -44 dBov. DTX frames: V clear, the background noise at -68 to -72
    // dBov, as libwebrtc's Opus encoder marks them; the server's speaker meter takes its noise
    // floor from them, so the speech stands 25-45 dB above it (level 127, digital silence, carries
    // no reading: with it the floor would be the quietest speech frame).
    int level = talking ? 0x80 | (25 + random.nextInt(20)) : 68 + random.nextInt(5);
    int active = activeLayers;
    boolean sent = false;
    for (int i = 0; i < encodings.length; i++) {
      if ((active & (1 << i)) != 0 || encodings.length == 1) {
        sent |= send(encodings[i], i, level, now);
      }
    }
    if (sent) {
      stampSequence++;
      spurtStart = false;
    }
  }

  private boolean send(Encoding encoding, int layer, int level, long now) {
    byte[] buf = out.sendBuffer();
    int payload =
        talking ? encoding.minPayload + random.nextInt(encoding.payloadSpread) : Stamp.LENGTH;
    buf[0] = (byte) 0x90; // V=2, X=1
    buf[1] = (byte) (PAYLOAD_TYPE | (spurtStart ? 0x80 : 0));
    buf[2] = (byte) (encoding.rtpSequence >>> 8);
    buf[3] = (byte) encoding.rtpSequence;
    Stamp.putInt(buf, 4, (int) rtpTimestamp + encoding.timestampOffset);
    Stamp.putInt(buf, 8, encoding.ssrc);
    // RFC 8285 one-byte header: 0xBEDE, one word: id/len, V + level (RFC 6464), then the rid
    // (RFC 8852 RtpStreamId, one byte) or padding.
    buf[12] = (byte) 0xBE;
    buf[13] = (byte) 0xDE;
    buf[14] = 0;
    buf[15] = 1;
    buf[16] = (byte) (AUDIO_LEVEL_EXTENSION_ID << 4);
    buf[17] = (byte) level;
    if (encoding.rid != 0) {
      buf[18] = (byte) (PeerSdp.RTP_STREAM_ID_EXTENSION_ID << 4);
      buf[19] = encoding.rid;
    } else {
      buf[18] = 0;
      buf[19] = 0;
    }
    buf[HEADER + Stamp.TOC] = (byte) (talking ? 0x78 : 0xF8);
    for (int i = HEADER + Stamp.LENGTH; i < HEADER + payload; i++) {
      buf[i] = (byte) i;
    }
    Stamp.write(buf, HEADER, sender, stampSequence, now, layer);
    if (!out.sendRtp(buf, HEADER + payload)) {
      return false;
    }
    encoding.rtpSequence = (encoding.rtpSequence + 1) & 0xFFFF;
    encoding.packetsSent++;
    return true;
  }

  private long exponentialNanos(double meanMillis) {
    double millis = -meanMillis * Math.log(1 - random.nextDouble());
    return (long) (Math.min(millis, 10 * meanMillis) * 1_000_000);
  }
}
