package io.cheenhub.sfu.transport.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ice4j.util.Buffer;
import org.junit.jupiter.api.Test;

class IcePortTest {

  @Test
  void aPortHeldByAnotherProcessIsRefusedInsteadOfShared() throws IOException {
    try (var other =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      int taken = other.getLocalPort();
      assertThatThrownBy(() -> IcePort.bind("127.0.0.1", taken))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("UDP port " + taken + " is in use");
    }
  }

  @Test
  void aSecondServerOnTheSamePortIsRefused() throws IOException {
    try (IcePort first = IcePort.bind("127.0.0.1", 0)) {
      int port = first.port();
      assertThatThrownBy(() -> IcePort.bind("127.0.0.1", port)).isInstanceOf(IOException.class);
      assertThat(first.boundAddresses()).containsExactly("127.0.0.1:" + port + "/udp");
    }
  }

  @Test
  void closingUnbindsThePort() throws Exception {
    int port;
    try (IcePort first = IcePort.bind("127.0.0.1", 0)) {
      port = first.port();
    }
    // ice4j's receive thread lets go of its socket right after close() returns; a redeploy binding
    // the same port must get it within moments, not never.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try (IcePort again = IcePort.bind("127.0.0.1", port)) {
        assertThat(again.port()).isEqualTo(port);
        return;
      } catch (IOException stillHeld) {
        if (System.nanoTime() > deadline) {
          throw stillHeld;
        }
        Thread.sleep(20);
      }
    }
  }

  @Test
  void receiveBuffersComeBackToThePool() {
    Buffer buffer = IcePort.take(1_500);
    byte[] array = buffer.getBuffer();
    buffer.setLength(200);
    IcePort.give(buffer);

    // The pool is first in, first out and the process's: buffers that earlier tests' transports
    // received into may be queued ahead of this one (seen in CI: a DTLS record came back instead).
    List<Buffer> ahead = new ArrayList<>();
    Buffer again = IcePort.take(1_500);
    while (again.getBuffer() != array && ahead.size() < IcePort.POOLED_BUFFERS) {
      ahead.add(again);
      again = IcePort.take(1_500);
    }
    ahead.forEach(IcePort::give);
    assertThat(again.getBuffer()).isSameAs(array);
    assertThat(again.getLength()).isZero();
    assertThat(array.length)
        .isEqualTo(IcePort.HEADROOM_BEFORE + IcePort.MAX_DATAGRAM_BYTES + IcePort.HEADROOM_AFTER);
  }
}
