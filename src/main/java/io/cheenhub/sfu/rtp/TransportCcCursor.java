package io.cheenhub.sfu.rtp;

/**
 * Reusable, allocation-free iterator over the packet statuses of one transport-wide congestion
 * control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).
 *
 * <p>{@link #wrap} checks the whole chunk and delta layout up front, so {@link #next} cannot fail:
 *
 * <pre>{@code
 * if (cursor.wrap(feedback)) {
 *   while (cursor.next()) {
 *     if (cursor.received()) { use cursor.sequenceNumber(), cursor.arrivalMicros() }
 *   }
 * } else { count cursor.problem() }
 * }</pre>
 */
public final class TransportCcCursor {

  /** Why {@link #wrap} rejected a feedback packet. */
  public enum Problem {
    NONE,
    /** The view's last wrap failed (not a well-formed RTPFB FMT 15 packet). */
    INVALID_PACKET,
    /** The packet ends before the chunks cover the packet status count. */
    TRUNCATED_CHUNKS,
    /** The packet ends before the receive deltas the chunks announce. */
    TRUNCATED_DELTAS,
    /** §3.1.1: status symbol 11 is reserved; libwebrtc rejects it too. */
    RESERVED_SYMBOL
  }

  /** §3.1.1: receive delta unit in microseconds. */
  public static final int DELTA_UNIT_MICROS = 250;

  /** §3.1: reference time unit in microseconds (64 ms). */
  public static final long REFERENCE_UNIT_MICROS = 64_000;

  // §3.1.1 packet status symbols; the symbol value is also the delta size in bytes.
  static final int NOT_RECEIVED = 0;
  static final int SMALL_DELTA = 1;
  static final int LARGE_DELTA = 2;
  static final int RESERVED = 3;

  // §3.1.3 / §3.1.4: chunk type bit, symbol size bit, field widths.
  private static final int CHUNK_BYTES = 2;
  private static final int VECTOR_CHUNK = 0x8000;
  private static final int TWO_BIT_SYMBOLS = 0x4000;
  private static final int RUN_LENGTH_MASK = 0x1FFF;
  private static final int ONE_BIT_CAPACITY = 14;
  private static final int TWO_BIT_CAPACITY = 7;
  private static final int SEQUENCE_MASK = 0xFFFF;

  private static final byte[] NO_PACKET = new byte[0];

  private byte[] buf = NO_PACKET;
  private Problem problem = Problem.INVALID_PACKET;
  private int statusCount;
  private int index;
  private int baseSequence;
  private int chunkAt;
  private int chunk;
  private int chunkCapacity;
  private int chunkUsed;
  private int deltaAt;
  private int symbol;
  private long deltaMicros;
  private long arrivalMicros;

  /** Points at the statuses of {@code feedback}; false (see {@link #problem()}) if malformed. */
  public boolean wrap(RtcpTransportCc feedback) {
    buf = NO_PACKET;
    statusCount = 0;
    index = 0;
    chunkCapacity = 0;
    chunkUsed = 0;
    symbol = NOT_RECEIVED;
    deltaMicros = 0;
    arrivalMicros = 0;
    if (!feedback.isValid()) {
      problem = Problem.INVALID_PACKET;
      return false;
    }
    byte[] b = feedback.buffer();
    int start = feedback.chunksOffset();
    int end = start + feedback.chunksLength();
    int count = feedback.packetStatusCount();
    problem = check(b, start, end, count);
    if (problem != Problem.NONE) {
      return false;
    }
    buf = b;
    statusCount = count;
    baseSequence = feedback.baseSequenceNumber();
    chunkAt = start;
    arrivalMicros = feedback.referenceTime() * REFERENCE_UNIT_MICROS;
    return true;
  }

  /**
   * Walks the chunks covering {@code count} statuses and the deltas they announce; deltas start
   * right after the last chunk (§3.1), anything after the deltas is padding.
   */
  private Problem check(byte[] b, int at, int end, int count) {
    int seen = 0;
    int deltaBytes = 0;
    while (seen < count) {
      if (end - at < CHUNK_BYTES) {
        return Problem.TRUNCATED_CHUNKS;
      }
      int word = BigEndian.u16(b, at);
      at += CHUNK_BYTES;
      int take = Math.min(capacity(word), count - seen);
      for (int i = 0; i < take; i++) {
        int s = symbol(word, i);
        if (s == RESERVED) {
          return Problem.RESERVED_SYMBOL;
        }
        deltaBytes += s;
        if ((word & VECTOR_CHUNK) == 0) {
          deltaBytes += s * (take - 1);
          break;
        }
      }
      seen += take;
    }
    deltaAt = at;
    return end - at < deltaBytes ? Problem.TRUNCATED_DELTAS : Problem.NONE;
  }

  private static int capacity(int word) {
    if ((word & VECTOR_CHUNK) == 0) {
      return word & RUN_LENGTH_MASK;
    }
    return (word & TWO_BIT_SYMBOLS) == 0 ? ONE_BIT_CAPACITY : TWO_BIT_CAPACITY;
  }

  /** Symbol {@code i} of a chunk; a run-length chunk has the same symbol throughout. */
  private static int symbol(int word, int i) {
    if ((word & VECTOR_CHUNK) == 0) {
      return word >>> 13 & 0x3;
    }
    if ((word & TWO_BIT_SYMBOLS) == 0) {
      return word >>> (ONE_BIT_CAPACITY - 1 - i) & 0x1;
    }
    return word >>> (2 * (TWO_BIT_CAPACITY - 1 - i)) & 0x3;
  }

  /** Moves to the next packet status; false after the last one or if the wrap failed. */
  public boolean next() {
    if (index >= statusCount) {
      symbol = NOT_RECEIVED;
      deltaMicros = 0;
      return false;
    }
    // Zero-length runs are legal and hold no status; check() proved a usable chunk follows.
    while (chunkUsed >= chunkCapacity) {
      chunk = BigEndian.u16(buf, chunkAt);
      chunkAt += CHUNK_BYTES;
      chunkCapacity = capacity(chunk);
      chunkUsed = 0;
    }
    symbol = symbol(chunk, chunkUsed++);
    index++;
    switch (symbol) {
      case SMALL_DELTA -> deltaMicros = (long) BigEndian.u8(buf, deltaAt) * DELTA_UNIT_MICROS;
      case LARGE_DELTA ->
          deltaMicros = (long) (short) BigEndian.u16(buf, deltaAt) * DELTA_UNIT_MICROS;
      default -> deltaMicros = 0;
    }
    deltaAt += symbol;
    arrivalMicros += deltaMicros;
    return true;
  }

  /** NONE after a successful wrap. */
  public Problem problem() {
    return problem;
  }

  /** Transport-wide sequence number of the current status (16 bits, wraps after 65535). */
  public int sequenceNumber() {
    return (baseSequence + index - 1) & SEQUENCE_MASK;
  }

  /** True if the current packet was reported received (with a small or large delta). */
  public boolean received() {
    return symbol == SMALL_DELTA || symbol == LARGE_DELTA;
  }

  /** Signed receive delta from the previous received packet (or the reference time), in µs. */
  public long receiveDeltaMicros() {
    return deltaMicros;
  }

  /**
   * Reference time × 64 ms plus the deltas so far, in µs on the feedback sender's clock; only
   * meaningful when {@link #received()}.
   */
  public long arrivalMicros() {
    return arrivalMicros;
  }
}
