package io.cheenhub.sfu.transport.relay;

import io.cheenhub.sfu.transport.srtp.SrtpSession;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One room's relay with one other instance: its SRTP session ({@link RelayKeys}) and where the
 * other instance's relay port is. Sending is single-threaded (the relay subscriber's queue);
 * receiving happens on the port's receive thread. Closed by its owner after both stopped.
 */
public final class RelayLink implements AutoCloseable {

  private final RelayPort port;
  private final InetSocketAddress peer;
  private final SrtpSession srtp;
  // The send path copies each encrypted packet here: a direct buffer sends without a JDK copy.
  private final ByteBuffer out = ByteBuffer.allocateDirect(RelayPort.MAX_DATAGRAM_BYTES);

  public RelayLink(RelayPort port, InetSocketAddress peer, SrtpSession srtp) {
    this.port = port;
    this.peer = peer;
    this.srtp = srtp;
  }

  /** Where the other instance's relay port is. */
  public InetSocketAddress peer() {
    return peer;
  }

  /**
   * Encrypts one RTP packet in place (the buffer has tail room for the tag) and sends it; false
   * (counted) if it could not.
   */
  public boolean sendRtp(byte[] buf, int off, int len) {
    int protectedLength = srtp.protectRtp(buf, off, len);
    if (protectedLength < 0 || protectedLength > out.capacity()) {
      port.drop(RelayPort.Drop.SEND_FAILED);
      return false;
    }
    out.clear();
    out.put(buf, off, protectedLength);
    out.flip();
    return port.send(out, peer);
  }

  /**
   * Authenticates and decrypts one relay packet in place.
   *
   * @return the RTP length, or negative (counted as {@link RelayPort.Drop#AUTH_FAILED})
   */
  public int unprotect(byte[] buf, int off, int len) {
    int length = srtp.unprotectRtp(buf, off, len);
    if (length < 0) {
      port.drop(RelayPort.Drop.AUTH_FAILED);
    }
    return length;
  }

  @Override
  public void close() {
    srtp.close();
  }
}
