package io.cheenhub.sfu.rtp;

/** View of a picture loss indication (RFC 4585 §6.3.1, PSFB FMT 1); it has no FCI. */
public final class RtcpPli extends RtcpFeedback {

  /** RFC 4585 §6.3.1: PLI feedback message type. */
  public static final int FORMAT = 1;

  public RtcpPli() {
    super(TYPE_PSFB, FORMAT);
  }

  @Override
  boolean parseFci(byte[] b, int at, int length) {
    // RFC 4585 §6.3.1 says the length field MUST be 2; trailing bytes are tolerated, not read.
    return true;
  }
}
