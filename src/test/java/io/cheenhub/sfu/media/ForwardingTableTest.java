package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.packet.PacketWorkers;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Who is routed to whom; the packets themselves are {@link ForwardingTest}'s job. */
class ForwardingTableTest {

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final PacketWorkers workers = new PacketWorkers(executor, 1);
  private final PacketPool pool = new PacketPool(16);
  private final LatencyHistogram latency = new LatencyHistogram();
  private final ForwardingTable table = new ForwardingTable("room");

  @AfterEach
  void stop() throws InterruptedException {
    table.clear();
    workers.close();
    executor.shutdown();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private Publisher publisher(String id) {
    return new Publisher(id, TestRtp.PUBLISHER, pool);
  }

  private Subscriber subscriber(String id) {
    return new Subscriber(id, TestRtp.SUBSCRIBER, workers, 8, latency);
  }

  @Test
  void everyPublisherReachesEveryOtherParticipantButNeverItsOwn() {
    for (String id : List.of("a", "b", "c")) {
      table.addSubscriber(subscriber(id)).forEach(OutgoingStream::activate);
    }
    var publisherA = publisher("a");
    var toOthers = table.addPublisher(publisherA);
    var publisherB = publisher("b");
    table.addPublisher(publisherB).forEach(OutgoingStream::activate);

    assertThat(toOthers)
        .extracting(s -> s.subscriber().participantId())
        .containsExactlyInAnyOrder("b", "c");
    var snapshot = table.snapshot();
    assertThat(snapshot.streams()).hasSize(4);
    assertThat(snapshot.streams())
        .allSatisfy(
            s ->
                assertThat(s.subscriber().participantId())
                    .isNotEqualTo(s.publisher().participantId()));
    assertThat(publisherA.routes()).containsExactlyElementsOf(snapshot.streamsFrom(publisherA));
    var toC = snapshot.streamsTo(snapshot.subscribers().get(2));
    assertThat(toC).extracting(OutgoingStream::ssrc).doesNotHaveDuplicates().doesNotContain(0);
  }

  @Test
  void aLateSubscriberGetsAStreamFromEachPublisherOfAnotherParticipant() {
    var a = publisher("a");
    var b = publisher("b");
    table.addPublisher(a).forEach(OutgoingStream::activate);
    table.addPublisher(b).forEach(OutgoingStream::activate);

    var streams = table.addSubscriber(subscriber("b"));

    assertThat(streams).singleElement().extracting(OutgoingStream::publisher).isSameAs(a);
    assertThat(a.routes()).containsExactlyElementsOf(streams);
    assertThat(b.routes()).isEmpty();
  }

  @Test
  void removingClosesTheStreamsAndEmptiesTheRows() {
    var a = publisher("a");
    var subscriberB = subscriber("b");
    var subscriberC = subscriber("c");
    table.addPublisher(a).forEach(OutgoingStream::activate);
    table.addSubscriber(subscriberB).forEach(OutgoingStream::activate);
    table.addSubscriber(subscriberC).forEach(OutgoingStream::activate);

    var gone = table.removeSubscriber(subscriberB);

    assertThat(gone).singleElement().satisfies(s -> assertThat(s.isClosed()).isTrue());
    assertThat(subscriberB.isClosed()).isTrue();
    assertThat(a.routes()).extracting(OutgoingStream::subscriber).containsExactly(subscriberC);
    assertThat(table.removeSubscriber(subscriberB)).isEmpty();

    var fromA = table.removePublisher(a);
    assertThat(fromA).singleElement().satisfies(s -> assertThat(s.isClosed()).isTrue());
    assertThat(a.routes()).isEmpty();
    assertThat(table.snapshot().streams()).isEmpty();
    assertThat(table.snapshot().subscribers()).containsExactly(subscriberC);
  }

  @Test
  void aPublisherOrSubscriberBelongsToOneTableOnce() {
    var a = publisher("a");
    var b = subscriber("b");
    table.addPublisher(a).forEach(OutgoingStream::activate);
    table.addSubscriber(b).forEach(OutgoingStream::activate);
    var other = new ForwardingTable("other");

    assertThatThrownBy(() -> other.addPublisher(a)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> table.addSubscriber(b)).isInstanceOf(IllegalStateException.class);
    var closed = subscriber("c");
    closed.close();
    assertThatThrownBy(() -> table.addSubscriber(closed)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void clearRemovesEveryone() {
    table.addPublisher(publisher("a")).forEach(OutgoingStream::activate);
    table.addSubscriber(subscriber("b")).forEach(OutgoingStream::activate);

    table.clear();

    assertThat(table.snapshot()).isEqualTo(ForwardingTable.Snapshot.EMPTY);
  }
}
