package io.cheenhub.sfu.rtp;

/** Network byte order (big-endian) reads and writes of 8..64-bit fields in a byte array. */
final class BigEndian {

  private BigEndian() {}

  static int u8(byte[] b, int i) {
    return b[i] & 0xFF;
  }

  static int u16(byte[] b, int i) {
    return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
  }

  static int u24(byte[] b, int i) {
    return (b[i] & 0xFF) << 16 | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF);
  }

  /** A 24-bit two's complement field, sign-extended. */
  static int s24(byte[] b, int i) {
    return u24(b, i) << 8 >> 8;
  }

  static int i32(byte[] b, int i) {
    return (b[i] & 0xFF) << 24
        | (b[i + 1] & 0xFF) << 16
        | (b[i + 2] & 0xFF) << 8
        | (b[i + 3] & 0xFF);
  }

  static long u32(byte[] b, int i) {
    return i32(b, i) & 0xFFFF_FFFFL;
  }

  static long i64(byte[] b, int i) {
    return (long) i32(b, i) << 32 | u32(b, i + 4);
  }

  static void put8(byte[] b, int i, int v) {
    b[i] = (byte) v;
  }

  static void put16(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 8);
    b[i + 1] = (byte) v;
  }

  static void put24(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 16);
    b[i + 1] = (byte) (v >>> 8);
    b[i + 2] = (byte) v;
  }

  static void put32(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 24);
    b[i + 1] = (byte) (v >>> 16);
    b[i + 2] = (byte) (v >>> 8);
    b[i + 3] = (byte) v;
  }

  static void put64(byte[] b, int i, long v) {
    put32(b, i, (int) (v >>> 32));
    put32(b, i + 4, (int) v);
  }

  /** True when {@code [off, off + len)} is a readable range of {@code b}. */
  static boolean inBounds(byte[] b, int off, int len) {
    return b != null && off >= 0 && len >= 0 && off <= b.length - len;
  }
}
