package io.cheenhub.sfu.media;

import io.cheenhub.sfu.transport.ice.IcePort;

/**
 * One subscriber's copy of a forwarded RTP packet, in a pooled buffer laid out like the receive
 * buffers: headroom before, room after for the SRTP tag, because the send path rewrites and then
 * encrypts in place.
 *
 * <p>Owned by one thread at a time: filled by the publisher's receive worker, then handed through
 * the subscriber's send queue (whose ring publishes the fields) to its send worker, which returns
 * it with {@link #release()}.
 */
final class OutgoingPacket {

  /** Where the packet starts in {@link #buffer}: the same headroom the receive buffers keep. */
  static final int OFFSET = IcePort.HEADROOM_BEFORE;

  /** Largest packet copied; larger ones cannot come out of the 1500-byte receive path anyway. */
  static final int MAX_PACKET_BYTES = IcePort.MAX_DATAGRAM_BYTES;

  /** Bytes per buffer: headroom, packet, tail room for the SRTP tag (16 bytes for AES-GCM). */
  static final int BUFFER_BYTES = OFFSET + MAX_PACKET_BYTES + IcePort.HEADROOM_AFTER;

  final byte[] buffer = new byte[BUFFER_BYTES];
  private final PacketPool pool;

  /** Packet length from {@link #OFFSET}. */
  int length;

  /** {@link System#nanoTime()} when the publisher's packet arrived, for the latency histogram. */
  long receivedNanos;

  /** The (publisher, subscriber) stream this copy belongs to. */
  OutgoingStream stream;

  /** The publisher's payload type and extension ids when the packet arrived. */
  NegotiatedRtp source;

  /** An RTCP packet of the server's own (a sender report), sent as it is; no stream. */
  boolean rtcp;

  /**
   * A resend request from the subscriber's NACK, no packet: {@link #length} (SSRC, sequence) pairs
   * of 6 bytes each at {@link #OFFSET}, served from the subscriber's {@link SentPackets}.
   */
  boolean resend;

  /** Bytes per (SSRC, sequence number) pair of a resend request. */
  static final int RESEND_ENTRY_BYTES = 6;

  /** Pairs one resend request holds. */
  static final int MAX_RESEND_ENTRIES = MAX_PACKET_BYTES / RESEND_ENTRY_BYTES;

  /**
   * A RED packet the server encoded for this stream ({@link RecentFrames}): its block headers name
   * the publisher's Opus payload type, {@link #redBlocks} redundant ones before the primary.
   */
  boolean serverRed;

  int redBlocks;

  /** Set while the buffer sits in the pool, to catch a double release. */
  boolean pooled;

  OutgoingPacket(PacketPool pool) {
    this.pool = pool;
  }

  /** Copies {@code from[offset, offset + length)} in; the caller checked the length. */
  void fill(
      byte[] from,
      int offset,
      int length,
      long receivedNanos,
      OutgoingStream stream,
      NegotiatedRtp source) {
    System.arraycopy(from, offset, buffer, OFFSET, length);
    this.rtcp = false;
    this.resend = false;
    this.serverRed = false;
    this.length = length;
    this.receivedNanos = receivedNanos;
    this.stream = stream;
    this.source = source;
  }

  /** Writes the RTP sequence number of the filled copy (RFC 3550 §5.1: bytes 2–3). */
  void setSequenceNumber(int sequence) {
    buffer[OFFSET + 2] = (byte) (sequence >>> 8);
    buffer[OFFSET + 3] = (byte) sequence;
  }

  /** Marks a filled copy as the server's RED with {@code blocks} redundant blocks. */
  void setServerRed(int blocks) {
    this.serverRed = true;
    this.redBlocks = blocks;
  }

  /** Marks {@code buffer[OFFSET, OFFSET + length)}, written by the caller, as server RTCP. */
  void setRtcp(int length) {
    control(true, false, length);
  }

  /** Marks the buffer as a resend request of {@code entries} pairs, written by the caller. */
  void setResend(int entries) {
    control(false, true, entries);
  }

  /** A buffer that is no stream's packet: server RTCP or a resend request. */
  private void control(boolean rtcp, boolean resend, int length) {
    this.rtcp = rtcp;
    this.resend = resend;
    this.serverRed = false;
    this.length = length;
    this.receivedNanos = 0;
    this.stream = null;
    this.source = null;
  }

  /** Gives the buffer back to its pool; it must not be used afterwards. */
  void release() {
    pool.give(this);
  }
}
