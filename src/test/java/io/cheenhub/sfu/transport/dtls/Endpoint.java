package io.cheenhub.sfu.transport.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.transport.dtls.HandshakeOutcome.Established;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome.Failed;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One side of an in-memory DTLS link: its session, what its listener heard, and a sender that
 * delivers to the other side through a {@link Wire} (which may drop, inject or pass datagrams).
 */
final class Endpoint implements DtlsSession.Listener {

  /** What happens to each datagram on its way to the peer. */
  @FunctionalInterface
  interface Wire {
    void carry(byte[] datagram, Endpoint to);

    Wire DIRECT = (datagram, to) -> to.session.offerDatagram(datagram, 0, datagram.length);
    Wire SILENT = (datagram, to) -> {};
  }

  static final long AWAIT_SECONDS = 20;

  final CompletableFuture<HandshakeOutcome> outcome = new CompletableFuture<>();
  final CompletableFuture<Void> closedByPeer = new CompletableFuture<>();
  volatile DtlsSession session;

  @Override
  public void onHandshakeOutcome(DtlsSession session, HandshakeOutcome outcome) {
    if (!this.outcome.complete(outcome)) {
      throw new AssertionError("second outcome " + outcome);
    }
  }

  @Override
  public void onClosedByPeer(DtlsSession session) {
    closedByPeer.complete(null);
  }

  /** A sender toward {@code peer} through {@code wire} (the datagram is copied first). */
  static DtlsSession.Sender toward(Endpoint peer, Wire wire) {
    return (buf, off, len) -> wire.carry(Arrays.copyOfRange(buf, off, off + len), peer);
  }

  HandshakeOutcome awaitOutcome() throws Exception {
    return outcome.get(AWAIT_SECONDS, TimeUnit.SECONDS);
  }

  Established awaitEstablished() throws Exception {
    HandshakeOutcome result = awaitOutcome();
    assertThat(result).isInstanceOf(Established.class);
    return (Established) result;
  }

  Failed awaitFailed() throws Exception {
    HandshakeOutcome result = awaitOutcome();
    assertThat(result).isInstanceOf(Failed.class);
    return (Failed) result;
  }

  void awaitTerminated() throws Exception {
    session.whenTerminated().toCompletableFuture().get(AWAIT_SECONDS, TimeUnit.SECONDS);
  }
}
