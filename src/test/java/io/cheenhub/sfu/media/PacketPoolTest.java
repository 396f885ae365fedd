package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.transport.ice.IcePort;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class PacketPoolTest {

  @Test
  void buffersAreMadeOnDemandUpToTheCapacityThenReused() {
    var pool = new PacketPool(3);
    var taken = new ArrayList<OutgoingPacket>();
    for (int i = 0; i < 3; i++) {
      taken.add(pool.take());
    }

    assertThat(taken).doesNotContainNull().doesNotHaveDuplicates();
    assertThat(pool.take()).as("all in use").isNull();
    assertThat(pool.inUse()).isEqualTo(3);

    taken.forEach(OutgoingPacket::release);
    assertThat(pool.inUse()).isZero();
    assertThat(pool.take()).isIn(taken);
    assertThat(pool.created()).isEqualTo(3);
  }

  @Test
  void buffersHaveTheReceivePathsHeadroomAndTailRoomForTheSrtpTag() {
    var packet = new PacketPool(1).take();

    assertThat(OutgoingPacket.OFFSET).isEqualTo(IcePort.HEADROOM_BEFORE);
    assertThat(packet.buffer.length - OutgoingPacket.OFFSET - OutgoingPacket.MAX_PACKET_BYTES)
        .as("tail room ≥ the 16-byte AES-GCM tag")
        .isGreaterThanOrEqualTo(16);
  }

  @Test
  void aSecondReleaseFailsLoudly() {
    var pool = new PacketPool(2);
    var packet = pool.take();
    packet.release();

    assertThatThrownBy(packet::release).isInstanceOf(IllegalStateException.class);
    assertThat(pool.inUse()).isZero();
  }

  @Test
  void releasingForgetsTheStream() {
    var pool = new PacketPool(1);
    var packet = pool.take();
    packet.fill(new byte[12], 0, 12, 1, null, TestRtp.PUBLISHER);
    packet.release();

    assertThat(packet.source).isNull();
    assertThat(packet.stream).isNull();
  }
}
