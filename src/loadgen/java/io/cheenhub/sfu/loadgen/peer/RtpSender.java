package io.cheenhub.sfu.loadgen.peer;

/** Where a media source writes and sends its RTP packets: a {@link Peer}, or a test's capture. */
public interface RtpSender {

  /** A scratch buffer to build one packet in, with room for the SRTP tag after it. */
  byte[] sendBuffer();

  /** Sends the plain RTP packet in {@code packet[0..length)}; false if it could not. */
  boolean sendRtp(byte[] packet, int length);
}
