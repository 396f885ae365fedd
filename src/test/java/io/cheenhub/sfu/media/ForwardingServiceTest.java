package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.rtp.RtpPacket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The service's totals: what {@code sfu_forwarding_*} reads at every scrape. */
class ForwardingServiceTest {

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final PacketWorkers workers = new PacketWorkers(executor, 1);
  private final ForwardingService service = new ForwardingService(64, () -> workers, 8);

  @AfterEach
  void stop() throws InterruptedException {
    workers.close();
    executor.shutdownNow();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /** A Prometheus counter must never go down: a publisher's drops stay counted after it left. */
  @Test
  void aPublishersDropsStayInTheTotalAfterItLeaves() {
    Publisher publisher = service.newPublisher("ada", TestRtp.PUBLISHER);
    byte[] bytes = TestRtp.packet(1, 1, 1, false, 0);
    bytes[1] = 13; // comfort noise: not a negotiated payload type
    var view = new RtpPacket();
    assertThat(view.wrap(bytes, 0, bytes.length)).isTrue();
    publisher.onRtp(view);
    publisher.onRtp(view);
    assertThat(service.dropped(Publisher.Drop.UNSUPPORTED_PAYLOAD_TYPE)).isEqualTo(2);

    service.forget(publisher);
    service.forget(publisher); // twice: counted once

    assertThat(service.publisherCount()).isZero();
    assertThat(service.dropped(Publisher.Drop.UNSUPPORTED_PAYLOAD_TYPE)).isEqualTo(2);
    Publisher bob = service.newPublisher("bob", TestRtp.PUBLISHER);
    bob.onRtp(view);
    assertThat(service.dropped(Publisher.Drop.UNSUPPORTED_PAYLOAD_TYPE)).isEqualTo(3);
  }
}
