package io.cheenhub.sfu.rtp;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the zero-copy packet views on bytes a stranger sends (docs/quality.md,
 * "Fuzzing"), with the oracle of {@link HostileInputTest}: no view throws, none reads outside the
 * given range (the input sits at the very end of its array, so an over-read throws), each agrees
 * with the independent reference check on validity and lengths, rewrites keep a valid RTP packet
 * valid, and RTCP iteration terminates.
 *
 * <p>Seeds are {@link TestPackets} and the captured feedback of the RTCP tests, under {@code
 * RtpFuzzTestInputs/}; plain {@code mvn test} replays them as regression tests.
 */
class RtpFuzzTest {

  private final HostileInputTest views = new HostileInputTest();

  /** RTP view, RFC 8285 header extensions, in-place rewrites and the RED payload (RFC 2198). */
  @FuzzTest(maxDuration = "60s")
  void rtpHeaderExtensionsAndRed(byte[] input) {
    byte[] buf = HostileInputTest.tight(input, input.length);
    views.exerciseRed(buf, HostileInputTest.LEAD, input.length);
    views.exerciseRtp(buf, HostileInputTest.LEAD, input.length);
  }

  /**
   * RTCP compound iteration and every typed view on each packet it yields (SR, RR, SDES, BYE, NACK,
   * PLI, FIR, REMB, transport-cc with its cursor, XR), and on the whole datagram.
   */
  @FuzzTest(maxDuration = "60s")
  void rtcpCompoundAndViews(byte[] input) {
    byte[] buf = HostileInputTest.tight(input, input.length);
    views.exerciseRtcp(buf, HostileInputTest.LEAD, input.length);
    views.wrapAllTyped(buf, HostileInputTest.LEAD, input.length);
  }
}
