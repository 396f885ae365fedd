package io.cheenhub.sfu.transport.srtp;

import org.jitsi.utils.ByteArrayBuffer;

/**
 * jitsi-srtp's packet interface over a caller's array, reused for every packet of one direction.
 *
 * <p>It never reallocates: SRTP works in place, so {@link #grow} only checks that the tail room the
 * caller promised is there. {@link SrtpSession} checks the room before each call, so a failure here
 * is a bug, reported loudly. Not thread-safe.
 */
final class PacketBuffer implements ByteArrayBuffer {

  private static final byte[] EMPTY = new byte[0];

  private byte[] buf = EMPTY;
  private int off;
  private int len;

  /** Points at {@code buf[off, off + len)}; the array beyond is tail room. */
  PacketBuffer wrap(byte[] buf, int off, int len) {
    this.buf = buf;
    this.off = off;
    this.len = len;
    return this;
  }

  /** Drops the reference to the caller's array. */
  void release() {
    buf = EMPTY;
    off = 0;
    len = 0;
  }

  @Override
  public byte[] getBuffer() {
    return buf;
  }

  @Override
  public int getOffset() {
    return off;
  }

  @Override
  public int getLength() {
    return len;
  }

  @Override
  public void setLength(int len) {
    if (len < 0 || len > buf.length - off) {
      throw new IllegalArgumentException("length " + len + " outside the array");
    }
    this.len = len;
  }

  @Override
  public void setOffset(int off) {
    if (off < 0 || off > buf.length - len) {
      throw new IllegalArgumentException("offset " + off + " outside the array");
    }
    this.off = off;
  }

  @Override
  public boolean isInvalid() {
    return false;
  }

  @Override
  public void readRegionToBuff(int from, int count, byte[] out) {
    System.arraycopy(buf, off + from, out, 0, count);
  }

  @Override
  public void grow(int extra) {
    if (extra > buf.length - off - len) {
      throw new IllegalStateException("no tail room for " + extra + " more bytes");
    }
  }

  @Override
  public void append(byte[] data, int count) {
    grow(count);
    System.arraycopy(data, 0, buf, off + len, count);
    len += count;
  }

  @Override
  public void shrink(int count) {
    if (count < 0 || count > len) {
      throw new IllegalArgumentException("cannot shrink " + len + " bytes by " + count);
    }
    len -= count;
  }
}
