package io.cheenhub.sfu.media;

import io.cheenhub.sfu.rtp.RtcpPacket;
import io.cheenhub.sfu.rtp.RtcpTransportCc;
import io.cheenhub.sfu.rtp.RtcpWriter;

/**
 * Records the arrival of a publish transport's packets by transport-wide sequence number and writes
 * transport-wide congestion control feedback for them
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1, RTPFB FMT 15).
 *
 * <p>Owned by one transport and called only on its receive worker, so it is not synchronised. Fixed
 * arrays only: nothing is allocated per packet or per feedback.
 *
 * <p>Each feedback's reference time is the arrival time of its first received packet, floored to 64
 * ms and taken modulo 2^24 (§3.1 gives it 24 bits); the browser only uses differences.
 */
public final class TransportCcFeedback {

  /** How often feedback is sent while packets arrive: libwebrtc's default for audio, in ns. */
  public static final long FEEDBACK_INTERVAL_NANOS = 100_000_000L;

  /**
   * Statuses in one feedback; a longer pending span is split, and {@link #isDue} turns true once it
   * is reached. Keeps the packet ({@link #MAX_FEEDBACK_BYTES}) within one MTU.
   */
  public static final int MAX_STATUSES_PER_FEEDBACK = 500;

  // §3.1: header, sender and media SSRC, base seq, status count, reference time, feedback count.
  private static final int FIXED_BYTES = 20;
  private static final int CHUNK_BYTES = 2;
  private static final int WORD_BYTES = 4;
  private static final int ONE_BIT_CAPACITY = 14;
  private static final int TWO_BIT_CAPACITY = 7;
  // §3.1.3: run length is 13 bits.
  private static final int MAX_RUN_LENGTH = 0x1FFF;
  // A run shorter than a 1-bit vector's capacity is cheaper inside a vector.
  private static final int MIN_RUN_FOR_RUN_LENGTH_CHUNK = ONE_BIT_CAPACITY;

  /**
   * Bound on the packet {@link #write} produces, in bytes (1164): as if every status sat in a 2-bit
   * vector chunk with a 2-byte delta, plus padding to a 32-bit boundary.
   */
  public static final int MAX_FEEDBACK_BYTES =
      (FIXED_BYTES
              + CHUNK_BYTES
                  * ((MAX_STATUSES_PER_FEEDBACK + TWO_BIT_CAPACITY - 1) / TWO_BIT_CAPACITY)
              + 2 * MAX_STATUSES_PER_FEEDBACK
              + WORD_BYTES
              - 1)
          / WORD_BYTES
          * WORD_BYTES;

  // §3.1.1 status symbols; the value is also the size of the receive delta in bytes.
  private static final byte NOT_RECEIVED = 0;
  private static final byte SMALL_DELTA = 1;
  private static final byte LARGE_DELTA = 2;

  // §3.1.5: deltas are multiples of 250 µs; small ones are 1 byte unsigned, large 2 bytes signed.
  private static final long DELTA_UNIT_NANOS = 250_000;
  private static final int MAX_SMALL_DELTA = 0xFF;
  // §3.1: the reference time counts 64 ms units, i.e. 256 delta units.
  private static final int DELTA_UNITS_PER_REFERENCE = 256;
  private static final int REFERENCE_TIME_MASK = 0xFF_FFFF;
  private static final int SEQUENCE_MASK = 0xFFFF;
  private static final int HALF_SEQUENCE_SPACE = 0x8000;

  // Pending window, indexed by extended sequence number modulo its size (a power of two). A packet
  // further ahead than this from the oldest pending status makes the older statuses unreportable.
  private static final int WINDOW = 1024;
  private static final int WINDOW_MASK = WINDOW - 1;
  private static final long NO_ARRIVAL = Long.MIN_VALUE;

  private final long[] arrivalNanos = new long[WINDOW];
  private final byte[] symbols = new byte[MAX_STATUSES_PER_FEEDBACK];
  private final int[] deltas = new int[MAX_STATUSES_PER_FEEDBACK];

  private boolean started;
  // Extended (unwrapped) sequence numbers: first not yet reported, highest received, last reported.
  private long base;
  private long highest;
  private long reported;
  private long lastFeedbackNanos;
  private int feedbackCount;

  /** Records the packet with transport-wide sequence number {@code transportSequence}. */
  public void onPacket(int transportSequence, long arrivalNanos) {
    int sequence = transportSequence & SEQUENCE_MASK;
    if (!started) {
      started = true;
      base = sequence;
      highest = sequence;
      // Nothing reported yet: a reordered earlier packet may still extend the window back.
      reported = Long.MIN_VALUE;
      lastFeedbackNanos = arrivalNanos;
      this.arrivalNanos[sequence & WINDOW_MASK] = arrivalNanos;
      return;
    }
    // Nearest extended number to the highest so far (RFC 3550 A.1 style unwrapping).
    int step =
        ((sequence - (int) highest + HALF_SEQUENCE_SPACE) & SEQUENCE_MASK) - HALF_SEQUENCE_SPACE;
    long extended = highest + step;
    if (extended > highest) {
      advanceTo(extended);
    } else if (extended < base) {
      // Reordered before the window: reportable only if never reported and the window can grow.
      if (extended <= reported || highest - extended >= WINDOW) {
        return;
      }
      for (long s = extended + 1; s < base; s++) {
        this.arrivalNanos[slot(s)] = NO_ARRIVAL;
      }
      base = extended;
    } else if (this.arrivalNanos[slot(extended)] != NO_ARRIVAL) {
      return; // duplicate: the first arrival stands
    }
    this.arrivalNanos[slot(extended)] = arrivalNanos;
  }

  private void advanceTo(long extended) {
    if (extended - base >= WINDOW) {
      // A jump past the window: statuses not yet reported are dropped, the sender sees a gap.
      base = extended;
      highest = extended;
      return;
    }
    for (long s = highest + 1; s < extended; s++) {
      arrivalNanos[slot(s)] = NO_ARRIVAL;
    }
    highest = extended;
  }

  private static int slot(long extended) {
    return (int) extended & WINDOW_MASK;
  }

  /** True when statuses are pending and the interval has passed or a full feedback is waiting. */
  public boolean isDue(long nowNanos) {
    if (!started || highest < base) {
      return false;
    }
    long elapsed = nowNanos - lastFeedbackNanos;
    // A clock that went backwards must not hold feedback back until it catches up.
    return elapsed >= FEEDBACK_INTERVAL_NANOS
        || elapsed < 0
        || highest - base + 1 >= MAX_STATUSES_PER_FEEDBACK;
  }

  /**
   * Writes one feedback packet for the oldest pending statuses at {@code buf[off]}; returns its
   * length, 0 if nothing is pending, or {@link RtcpWriter#NO_ROOM} (state unchanged) if it does not
   * fit. The packet may end in RFC 3550 padding, so send it alone or last in a compound.
   */
  public int write(byte[] buf, int off, int senderSsrc, int mediaSsrc, long nowNanos) {
    if (!started || highest < base) {
      return 0;
    }
    int count = 0;
    int deltaBytes = 0;
    boolean anyReceived = false;
    long referenceUnits = 0;
    long previousUnits = 0;
    long last = Math.min(highest, base + MAX_STATUSES_PER_FEEDBACK - 1);
    for (long s = base; s <= last; s++) {
      long arrival = arrivalNanos[slot(s)];
      byte symbol = NOT_RECEIVED;
      if (arrival != NO_ARRIVAL) {
        long units = Math.floorDiv(arrival, DELTA_UNIT_NANOS);
        if (!anyReceived) {
          anyReceived = true;
          referenceUnits = Math.floorDiv(units, DELTA_UNITS_PER_REFERENCE);
          previousUnits = referenceUnits * DELTA_UNITS_PER_REFERENCE;
        }
        long delta = units - previousUnits;
        if (delta < Short.MIN_VALUE || delta > Short.MAX_VALUE) {
          break; // §3.1.5: does not fit 16 bits; this packet starts the next feedback
        }
        symbol = delta >= 0 && delta <= MAX_SMALL_DELTA ? SMALL_DELTA : LARGE_DELTA;
        deltas[count] = (int) delta;
        deltaBytes += symbol;
        previousUnits = units;
      }
      symbols[count++] = symbol;
    }
    int chunkBytes = CHUNK_BYTES * countChunks(count);
    int content = FIXED_BYTES + chunkBytes + deltaBytes;
    int padding = Math.floorMod(-content, WORD_BYTES);
    int length = content + padding;
    if (buf == null || off < 0 || off > buf.length - length) {
      return RtcpWriter.NO_ROOM;
    }
    writeHeader(buf, off, length, padding, senderSsrc, mediaSsrc, count, referenceUnits);
    writeChunksAndDeltas(buf, off + FIXED_BYTES, count);
    for (int i = off + content; i < off + length; i++) {
      buf[i] = 0;
    }
    if (padding > 0) {
      buf[off + length - 1] = (byte) padding; // RFC 3550 §6.4.1: last octet counts the padding
    }
    reported = base + count - 1;
    base = reported + 1;
    feedbackCount = (feedbackCount + 1) & 0xFF;
    lastFeedbackNanos = nowNanos;
    return length;
  }

  private void writeHeader(
      byte[] buf,
      int off,
      int length,
      int padding,
      int senderSsrc,
      int mediaSsrc,
      int count,
      long referenceUnits) {
    // RFC 3550 §6.4.1 / RFC 4585 §6.1: V=2, P, FMT, PT, length in words minus one, SSRCs.
    buf[off] = (byte) (2 << 6 | (padding > 0 ? 0x20 : 0) | RtcpTransportCc.FORMAT);
    buf[off + 1] = (byte) RtcpPacket.TYPE_RTPFB;
    put16(buf, off + 2, length / WORD_BYTES - 1);
    put32(buf, off + 4, senderSsrc);
    put32(buf, off + 8, mediaSsrc);
    put16(buf, off + 12, (int) base);
    put16(buf, off + 14, count);
    put32(buf, off + 16, ((int) referenceUnits & REFERENCE_TIME_MASK) << 8 | feedbackCount);
  }

  /** Chunks {@link #encodeChunk} produces for {@code symbols[0, count)}. */
  private int countChunks(int count) {
    int chunks = 0;
    for (int i = 0; i < count; i += chunkSpan(i, count)) {
      chunks++;
    }
    return chunks;
  }

  private void writeChunksAndDeltas(byte[] buf, int at, int count) {
    for (int i = 0; i < count; ) {
      int span = chunkSpan(i, count);
      put16(buf, at, encodeChunk(i, count));
      at += CHUNK_BYTES;
      i += span;
    }
    for (int i = 0; i < count; i++) {
      if (symbols[i] == SMALL_DELTA) {
        buf[at++] = (byte) deltas[i];
      } else if (symbols[i] == LARGE_DELTA) {
        put16(buf, at, deltas[i]);
        at += 2;
      }
    }
  }

  /**
   * Statuses the chunk starting at {@code i} covers: a run-length chunk (§3.1.3) for a run of at
   * least {@link #MIN_RUN_FOR_RUN_LENGTH_CHUNK}, else a 1-bit vector (§3.1.4) if the next 14 have
   * no large delta, else a 2-bit vector of 7. The last vector may cover fewer: the status count
   * ends the list mid-chunk.
   */
  private int chunkSpan(int i, int count) {
    int run = runLength(i, count);
    if (run >= MIN_RUN_FOR_RUN_LENGTH_CHUNK) {
      return run;
    }
    int oneBit = Math.min(ONE_BIT_CAPACITY, count - i);
    return hasLargeDelta(i, oneBit) ? Math.min(TWO_BIT_CAPACITY, count - i) : oneBit;
  }

  /** The chunk {@link #chunkSpan} describes, by the same rules. */
  private int encodeChunk(int i, int count) {
    int run = runLength(i, count);
    if (run >= MIN_RUN_FOR_RUN_LENGTH_CHUNK) {
      return symbols[i] << 13 | run; // T=0, 2-bit symbol, 13-bit run length
    }
    int oneBit = Math.min(ONE_BIT_CAPACITY, count - i);
    if (!hasLargeDelta(i, oneBit)) {
      int chunk = 0x8000; // T=1, S=0: 14 one-bit symbols, 1 = received with a small delta
      for (int k = 0; k < oneBit; k++) {
        chunk |= symbols[i + k] << (ONE_BIT_CAPACITY - 1 - k);
      }
      return chunk;
    }
    int chunk = 0xC000; // T=1, S=1: 7 two-bit symbols
    for (int k = 0; k < Math.min(TWO_BIT_CAPACITY, count - i); k++) {
      chunk |= symbols[i + k] << (2 * (TWO_BIT_CAPACITY - 1 - k));
    }
    return chunk;
  }

  private int runLength(int i, int count) {
    int limit = Math.min(count, i + MAX_RUN_LENGTH);
    int j = i + 1;
    while (j < limit && symbols[j] == symbols[i]) {
      j++;
    }
    return j - i;
  }

  private boolean hasLargeDelta(int i, int span) {
    for (int k = i; k < i + span; k++) {
      if (symbols[k] == LARGE_DELTA) {
        return true;
      }
    }
    return false;
  }

  private static void put16(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 8);
    b[i + 1] = (byte) v;
  }

  private static void put32(byte[] b, int i, int v) {
    put16(b, i, v >>> 16);
    put16(b, i + 2, v);
  }
}
