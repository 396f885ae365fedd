package io.cheenhub.sfu.loadgen.bot;

/**
 * The first bytes of every bot payload after a one-byte Opus TOC: a marker, the sending bot's
 * index, its own packet sequence number, the send time and the audio layer. Receivers read them to
 * measure delay, loss, duplicates and reordering per sender, whatever SSRC or sequence numbers a
 * server rewrites. Bots run on one host, so {@link System#nanoTime()} is a clock both ends share.
 *
 * <p>A bot that publishes layers stamps the packets of one 20 ms frame with the same sequence
 * number in every layer (they carry the same audio), so a receiver whose server switches it between
 * layers still sees one gapless sequence; the layer byte says which layer each packet came from.
 */
final class Stamp {

  static final int TOC = 0;
  static final int MARKER = 1;
  static final int SENDER = 2;
  static final int SEQUENCE = 6;
  static final int SENT_NANOS = 10;
  static final int LAYER = 18;

  /** Bytes from the start of the payload to the end of the stamp. */
  static final int LENGTH = 19;

  /** 'c' for cheenhub: a payload that carries no stamp is ignored. */
  static final byte MARKER_BYTE = 0x63;

  private Stamp() {}

  /** Writes the stamp; {@code layer} is the layer index (0 = h, also without layers). */
  static void write(
      byte[] buf, int payloadAt, int sender, int sequence, long sentNanos, int layer) {
    putInt(buf, payloadAt + SENDER, sender);
    putInt(buf, payloadAt + SEQUENCE, sequence);
    putInt(buf, payloadAt + SENT_NANOS, (int) (sentNanos >>> 32));
    putInt(buf, payloadAt + SENT_NANOS + 4, (int) sentNanos);
    buf[payloadAt + LAYER] = (byte) layer;
    buf[payloadAt + MARKER] = MARKER_BYTE;
  }

  static boolean present(byte[] buf, int payloadAt, int length) {
    return length - payloadAt >= LENGTH && buf[payloadAt + MARKER] == MARKER_BYTE;
  }

  static int sender(byte[] buf, int payloadAt) {
    return getInt(buf, payloadAt + SENDER);
  }

  static int sequence(byte[] buf, int payloadAt) {
    return getInt(buf, payloadAt + SEQUENCE);
  }

  static long sentNanos(byte[] buf, int payloadAt) {
    return ((long) getInt(buf, payloadAt + SENT_NANOS) << 32)
        | (getInt(buf, payloadAt + SENT_NANOS + 4) & 0xFFFF_FFFFL);
  }

  /** The layer index the sender stamped (0 = h, or the only layer). */
  static int layer(byte[] buf, int payloadAt) {
    return buf[payloadAt + LAYER];
  }

  /** Where the payload of the RTP packet in {@code buf[0..length)} starts, or -1 if malformed. */
  static int payloadOffset(byte[] buf, int length) {
    if (length < 12) {
      return -1;
    }
    int offset = 12 + 4 * (buf[0] & 0x0F);
    if ((buf[0] & 0x10) != 0) {
      if (offset + 4 > length) {
        return -1;
      }
      offset += 4 + 4 * (((buf[offset + 2] & 0xFF) << 8) | (buf[offset + 3] & 0xFF));
    }
    return offset <= length ? offset : -1;
  }

  static void putInt(byte[] buf, int at, int value) {
    buf[at] = (byte) (value >>> 24);
    buf[at + 1] = (byte) (value >>> 16);
    buf[at + 2] = (byte) (value >>> 8);
    buf[at + 3] = (byte) value;
  }

  static int getInt(byte[] buf, int at) {
    return ((buf[at] & 0xFF) << 24)
        | ((buf[at + 1] & 0xFF) << 16)
        | ((buf[at + 2] & 0xFF) << 8)
        | (buf[at + 3] & 0xFF);
  }
}
