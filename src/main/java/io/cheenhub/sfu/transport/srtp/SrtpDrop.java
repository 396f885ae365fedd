package io.cheenhub.sfu.transport.srtp;

/** Why {@link SrtpSession} refused a packet; each reason has a negative status and a counter. */
public enum SrtpDrop {
  /** The authentication tag did not verify (tampered, truncated, or keyed for someone else). */
  AUTH,
  /** RFC 3711 §3.3.2: already received, or older than the 64-packet replay window. */
  REPLAY,
  /** Too short, not version 2, header runs past the end, or RTP and RTCP mixed up. */
  MALFORMED,
  /** An unknown SSRC arrived while the budget for trying new SSRCs was spent (flood guard). */
  UNKNOWN_SSRC_LIMIT,
  /** The caller's array has no room after the packet for the tag (a caller bug). */
  NO_ROOM,
  /** The cipher failed for another reason; jitsi-srtp logs the detail. */
  CRYPTO_FAILED,
  /** The session was closed. */
  CLOSED;

  private static final SrtpDrop[] VALUES = values();

  /** The negative value {@link SrtpSession} methods return for this reason. */
  public int status() {
    return -1 - ordinal();
  }

  /** The reason for a negative status returned by {@link SrtpSession}. */
  public static SrtpDrop ofStatus(int status) {
    int index = -1 - status;
    if (index < 0 || index >= VALUES.length) {
      throw new IllegalArgumentException("not an SRTP drop status: " + status);
    }
    return VALUES[index];
  }
}
