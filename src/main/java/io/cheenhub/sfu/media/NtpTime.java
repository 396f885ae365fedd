package io.cheenhub.sfu.media;

import java.time.Instant;

/**
 * The server's NTP clock (RFC 3550 §4): wall-clock time, read once at start-up, advanced by {@link
 * System#nanoTime()} so that it never steps; and conversions to the 32-bit short form (16.16
 * seconds) that LSR, DLSR and round-trip times use.
 */
final class NtpTime {

  // RFC 5905 §6: the NTP era starts in 1900, 2 208 988 800 s before the Unix epoch.
  private static final long UNIX_TO_NTP_SECONDS = 2_208_988_800L;
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final long SHORT_UNITS_PER_SECOND = 1L << 16;

  private static final long WALL_NANOS_AT_BASE;
  private static final long NANO_TIME_AT_BASE;

  static {
    Instant now = Instant.now();
    NANO_TIME_AT_BASE = System.nanoTime();
    WALL_NANOS_AT_BASE = now.getEpochSecond() * NANOS_PER_SECOND + now.getNano();
  }

  private NtpTime() {}

  /** The 64-bit NTP timestamp (32.32 seconds since 1900) at {@code nanoTime}. */
  static long ntp(long nanoTime) {
    long wallNanos = WALL_NANOS_AT_BASE + (nanoTime - NANO_TIME_AT_BASE);
    long seconds = Math.floorDiv(wallNanos, NANOS_PER_SECOND);
    long nanos = Math.floorMod(wallNanos, NANOS_PER_SECOND);
    return (seconds + UNIX_TO_NTP_SECONDS) << 32 | (nanos << 32) / NANOS_PER_SECOND;
  }

  /** RFC 3550 §6.4.1: the middle 32 bits of a 64-bit NTP timestamp (LSR's form). */
  static long middle32(long ntp) {
    return (ntp >>> 16) & 0xFFFF_FFFFL;
  }

  /** A duration in 1/65536 s (DLSR's unit), 0 if negative, capped at the 32-bit field. */
  static long toShortUnits(long nanos) {
    if (nanos <= 0) {
      return 0;
    }
    // Split so that the multiplication cannot overflow for any positive long.
    long seconds = nanos / NANOS_PER_SECOND;
    long rest = nanos % NANOS_PER_SECOND;
    long units =
        seconds * SHORT_UNITS_PER_SECOND + rest * SHORT_UNITS_PER_SECOND / NANOS_PER_SECOND;
    return Math.min(units, 0xFFFF_FFFFL);
  }

  /** A duration in 1/65536 s as nanoseconds. */
  static long fromShortUnits(long units) {
    return units * NANOS_PER_SECOND / SHORT_UNITS_PER_SECOND;
  }
}
