package io.cheenhub.sfu.transport.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Direct sends on the shared port's own sockets (surefire opens java.net and sun.nio.ch as Payara
 * Micro does): what leaves comes from the port the browser checked, from any thread.
 */
class DirectSendTest {

  @Test
  void theChannelsUnderIce4jsSocketsSendFromTheSharedPort() throws Exception {
    try (IcePort port = IcePort.bind("127.0.0.1", 0);
        var peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      DirectSend direct = port.directSend();
      assertThat(direct.available()).isTrue();
      assertThat(direct.unavailableReason()).isNull();
      DatagramChannel[] channels = channelsOf(port);
      assertThat(channels)
          .isNotEmpty()
          .allSatisfy(channel -> assertThat(channel.isOpen()).isTrue());

      var route =
          new DirectSend.Route(null, (InetSocketAddress) peer.getLocalSocketAddress(), channels);
      assertThat(route.direct()).isTrue();
      assertThat(route.serves(null)).isTrue();
      assertThat(route.toString()).contains(channels.length + " sockets");

      // Two senders at once (two packet workers): each datagram arrives whole, from the port.
      ExecutorService senders = Executors.newFixedThreadPool(2);
      try {
        Future<?>[] sent = new Future<?>[2];
        for (int t = 0; t < 2; t++) {
          byte marker = (byte) t;
          sent[t] =
              senders.submit(
                  () -> {
                    byte[] packet = new byte[IcePort.HEADROOM_BEFORE + 120];
                    for (int i = 0; i < 50; i++) {
                      Arrays.fill(packet, marker);
                      packet[IcePort.HEADROOM_BEFORE] = (byte) i;
                      route.send(packet, IcePort.HEADROOM_BEFORE, 120);
                    }
                    return null;
                  });
        }
        for (Future<?> future : sent) {
          future.get();
        }
      } finally {
        senders.shutdown();
      }
      Set<String> seen = new HashSet<>();
      peer.setSoTimeout(5_000);
      for (int i = 0; i < 100; i++) {
        var datagram = new DatagramPacket(new byte[1_500], 1_500);
        peer.receive(datagram);
        assertThat(datagram.getLength()).isEqualTo(120);
        assertThat(datagram.getPort()).isEqualTo(port.port());
        seen.add(datagram.getData()[1] + "/" + datagram.getData()[0]);
      }
      assertThat(seen).hasSize(100);
    }
  }

  /**
   * The send path allocates nothing per packet: 20 000 sends after a warm-up stay within a few
   * hundred bytes in all (one allocation per send would be at least 320 000 bytes).
   */
  @Test
  void sendingAllocatesNothingPerPacket() throws Exception {
    try (IcePort port = IcePort.bind("127.0.0.1", 0);
        var sink = java.nio.channels.DatagramChannel.open()) {
      sink.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      var route =
          new DirectSend.Route(null, (InetSocketAddress) sink.getLocalAddress(), channelsOf(port));
      byte[] packet = new byte[IcePort.HEADROOM_BEFORE + 160];
      var drain = java.nio.ByteBuffer.allocateDirect(2_048);
      for (int i = 0; i < 20_000; i++) { // warm-up: JIT, the thread's direct buffer
        route.send(packet, IcePort.HEADROOM_BEFORE, 160);
      }
      var threads =
          (com.sun.management.ThreadMXBean)
              java.lang.management.ManagementFactory.getThreadMXBean();
      long before = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < 20_000; i++) {
        route.send(packet, IcePort.HEADROOM_BEFORE, 160);
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertThat(allocated).isLessThan(4_096);
      sink.configureBlocking(false);
      while (sink.receive(drain.clear()) != null) {
        // the sink's buffer only has to hold what it can; nothing is asserted about it
      }
    }
  }

  @Test
  void aDatagramLargerThanAPacketIsRefusedNotTruncated() throws Exception {
    try (IcePort port = IcePort.bind("127.0.0.1", 0)) {
      var route =
          new DirectSend.Route(
              null, new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), channelsOf(port));
      byte[] huge = new byte[DirectSend.MAX_SEND_BYTES + 1];
      assertThatThrownBy(() -> route.send(huge, 0, huge.length))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("larger than " + DirectSend.MAX_SEND_BYTES);
    }
  }

  @Test
  void switchedOffOrOutOfReachMeansThroughIce4j() throws Exception {
    try (IcePort port = IcePort.bind("127.0.0.1", 0, false)) {
      assertThat(port.directSend().available()).isFalse();
      assertThat(port.directSend().unavailableReason()).contains("sfu.media.direct-send");
    }
    // A socket that is itself the JDK's adaptor has no delegate to find a channel in.
    try (var channel = DatagramChannel.open()) {
      assertThatThrownBy(() -> DirectSend.channelOf(channel.socket()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no delegate");
    }
  }

  @Test
  void aClosedPortsChannelsFailTheSendInsteadOfHanging() throws Exception {
    DatagramChannel[] channels;
    try (IcePort port = IcePort.bind("127.0.0.1", 0)) {
      channels = channelsOf(port);
    }
    var route =
        new DirectSend.Route(
            null, new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), channels);
    assertThatThrownBy(() -> route.send(new byte[40], 0, 40)).isInstanceOf(IOException.class);
  }

  private static DatagramChannel[] channelsOf(IcePort port) {
    return port.directSend()
        .channels(new InetSocketAddress(InetAddress.getLoopbackAddress(), port.port()));
  }
}
