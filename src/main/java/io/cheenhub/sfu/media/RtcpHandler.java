package io.cheenhub.sfu.media;

/**
 * Where the RTCP a participant's transport received goes. RTCP is terminated at the server (design
 * §1): nothing is forwarded between participants; receiver reports toward publishers and the
 * reading of subscribers' reports plug in here.
 */
@FunctionalInterface
public interface RtcpHandler {

  /** A decrypted RTCP datagram (compound or not); valid only during the call, on a worker. */
  void onRtcp(byte[] buffer, int offset, int length);

  /** Ignores everything (the packets are still counted by the caller). */
  RtcpHandler NONE = (buffer, offset, length) -> {};
}
