package io.cheenhub.sfu.media;

/**
 * The last packets sent to one subscriber, as they were before encryption, so a NACK from its
 * browser (RFC 4585 §6.2.1, where the subscribe answer agreed {@code a=rtcp-fb:111 nack}) can be
 * answered by sending the same packet again, byte for byte (its SRTP nonce comes from SSRC and
 * sequence number, so nothing in it may change). Audio has no RTX stream (RFC 4588): libwebrtc
 * takes the packet back with its original SSRC and sequence number.
 *
 * <p>Confined to the subscriber's send queue (which also serves the resend requests), so no
 * locking. Fixed arrays: {@link #SLOTS} × {@link #SLOT_BYTES} per subscriber; a packet larger than
 * a slot is not kept (Opus audio is far smaller).
 */
final class SentPackets {

  /** Packets kept: about 1 s of a 5-stream room, 250 ms of a 20-stream one. */
  static final int SLOTS = 256;

  /** Largest packet kept (Opus at 64 kbit/s with RED: ~700 bytes). */
  static final int SLOT_BYTES = 768;

  private static final int MASK = SLOTS - 1;

  private final byte[] bytes = new byte[SLOTS * SLOT_BYTES];
  private final int[] lengths = new int[SLOTS];
  private final int[] ssrcs = new int[SLOTS];
  private final int[] sequences = new int[SLOTS];

  /** Keeps {@code buf[off, off + length)}, the packet as sent. */
  void keep(byte[] buf, int off, int length, int ssrc, int sequence) {
    if (length > SLOT_BYTES) {
      return;
    }
    int slot = slot(ssrc, sequence);
    System.arraycopy(buf, off, bytes, slot * SLOT_BYTES, length);
    lengths[slot] = length;
    ssrcs[slot] = ssrc;
    sequences[slot] = sequence;
  }

  /** The slot holding ({@code ssrc}, {@code sequence}), or -1. */
  int find(int ssrc, int sequence) {
    int slot = slot(ssrc, sequence);
    return lengths[slot] > 0 && ssrcs[slot] == ssrc && sequences[slot] == sequence ? slot : -1;
  }

  /** Copies slot {@code slot}'s packet to {@code dst[off]}; returns its length. */
  int copy(int slot, byte[] dst, int off) {
    System.arraycopy(bytes, slot * SLOT_BYTES, dst, off, lengths[slot]);
    return lengths[slot];
  }

  // Streams of one subscriber interleave; mixing the SSRC in keeps their recent packets apart.
  private static int slot(int ssrc, int sequence) {
    return (sequence + ssrc * 0x9E37) & MASK;
  }
}
