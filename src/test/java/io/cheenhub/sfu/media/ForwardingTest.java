package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.rtp.RtpPacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Packets through publishers, the real packet workers and subscribers' send queues. */
class ForwardingTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final int PACKET_OFFSET = 16;

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final PacketWorkers workers = new PacketWorkers(executor, 4);
  private final PacketPool pool = new PacketPool(2_048);
  private final LatencyHistogram latency = new LatencyHistogram();
  private final ForwardingTable table = new ForwardingTable("room");
  private final LogCapture log = new LogCapture();
  private final RtpPacket view = new RtpPacket();

  /** Awaitility polling every millisecond: the default 100 ms would dominate the run time. */
  static ConditionFactory await() {
    return org.awaitility.Awaitility.await()
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1));
  }

  /** A test participant: publishes with its own SSRC and counters, listens through a capture. */
  private final class Member {
    final int index;
    final Publisher publisher;
    final Subscriber subscriber;
    final CapturingSender sender = new CapturingSender();
    int ssrc;
    int sequence;
    long timestamp;

    Member(int index, int queuePackets) {
      this.index = index;
      String id = "p" + index;
      publisher = new Publisher(id, TestRtp.PUBLISHER, pool);
      subscriber = new Subscriber(id, TestRtp.SUBSCRIBER, workers, queuePackets, latency);
      subscriber.setSender(sender);
      var random = new Random(index);
      ssrc = random.nextInt();
      sequence = random.nextInt(65_536);
      timestamp = random.nextInt() & 0xFFFF_FFFFL;
    }

    /** Publishes the next 20 ms packet, received at {@code at}. */
    void publish(long at) {
      byte[] bytes = TestRtp.packet(ssrc, sequence, timestamp, false, index);
      byte[] buffer = new byte[1_500];
      System.arraycopy(bytes, 0, buffer, PACKET_OFFSET, bytes.length);
      assertThat(view.wrap(buffer, PACKET_OFFSET, bytes.length)).isTrue();
      publisher.onRtp(view, at);
      sequence = (sequence + 1) & 0xFFFF;
      timestamp = (timestamp + TestRtp.TICKS_PER_PACKET) & 0xFFFF_FFFFL;
    }

    void publish() {
      publish(System.nanoTime());
    }
  }

  private List<Member> join(int count, int queuePackets) {
    var members = new ArrayList<Member>();
    for (int i = 0; i < count; i++) {
      var member = new Member(i, queuePackets);
      table.addSubscriber(member.subscriber).forEach(OutgoingStream::activate);
      table.addPublisher(member.publisher).forEach(OutgoingStream::activate);
      members.add(member);
    }
    return members;
  }

  @AfterEach
  void stop() throws InterruptedException {
    table.clear();
    await().atMost(WAIT).until(() -> pool.inUse() == 0);
    log.close();
    assertThat(log.records()).isEmpty();
    workers.close();
    executor.shutdown();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void fivePublishersFiveListenersEachHearsTheOtherFourNeverItself() {
    var members = join(5, Subscriber.DEFAULT_QUEUE_PACKETS);
    int rounds = 200;
    for (int round = 0; round < rounds; round++) {
      members.forEach(Member::publish);
      // Real publishers send every 20 ms; a room of five at full speed would just test the queues.
      if (round % 40 == 39) {
        int sent = 4 * (round + 1);
        await().atMost(WAIT).until(() -> members.stream().allMatch(m -> m.sender.count() == sent));
      }
    }

    await()
        .atMost(WAIT)
        .until(() -> members.stream().allMatch(m -> m.sender.count() == 4 * rounds));
    for (Member listener : members) {
      Map<Integer, List<TestRtp.Received>> byStream =
          listener.sender.received().stream()
              .collect(Collectors.groupingBy(TestRtp.Received::ssrc));
      var announced =
          table.snapshot().streamsTo(listener.subscriber).stream()
              .map(OutgoingStream::ssrc)
              .toList();
      assertThat(byStream.keySet()).containsExactlyInAnyOrderElementsOf(announced);
      var heard = new ArrayList<Integer>();
      for (var stream : byStream.values()) {
        assertThat(stream).hasSize(rounds);
        int publisher = stream.get(0).publisher();
        heard.add(publisher);
        var source = members.get(publisher);
        for (int i = 0; i < rounds; i++) {
          var packet = stream.get(i);
          assertThat(packet.publisher()).isEqualTo(publisher);
          assertThat(packet.sequence())
              .isEqualTo((stream.get(0).sequence() + i) & 0xFFFF)
              .isEqualTo((source.sequence - rounds + i) & 0xFFFF);
          assertThat(packet.timestamp())
              .isEqualTo((stream.get(0).timestamp() + (long) i * 960) & 0xFFFF_FFFFL);
          assertThat(packet.payloadType()).isEqualTo(TestRtp.SUBSCRIBER_PT);
          assertThat(packet.audioLevel()).isEqualTo(0x80 | 42);
          assertThat(packet.audioLevelAtPublisherId()).isEqualTo(-1);
          assertThat(packet.midAtAnyId()).isEqualTo(-1);
          assertThat(packet.payload())
              .isEqualTo(TestRtp.Received.of(packetBytes(source, i, rounds), 0, 36).payload());
        }
      }
      assertThat(heard).doesNotContain(listener.index).doesNotHaveDuplicates().hasSize(4);
      assertThat(listener.subscriber.forwarded()).isEqualTo(4L * rounds);
      for (Subscriber.Drop reason : Subscriber.Drop.values()) {
        assertThat(listener.subscriber.dropped(reason)).as(reason.wireValue()).isZero();
      }
      assertThat(listener.publisher.copiesQueued()).isEqualTo(4L * rounds);
    }
    assertThat(latency.snapshot().count()).isEqualTo(5L * 4 * rounds);
  }

  /** The bytes {@code source} published as its packet {@code i} of {@code rounds}. */
  private static byte[] packetBytes(Member source, int i, int rounds) {
    return TestRtp.packet(
        source.ssrc,
        (source.sequence - rounds + i) & 0xFFFF,
        (source.timestamp - (long) (rounds - i) * 960) & 0xFFFF_FFFFL,
        false,
        source.index);
  }

  @Test
  void aPublisherThatRestartsItsStreamStaysOneContinuousStreamForTheListener() {
    var members = join(2, Subscriber.DEFAULT_QUEUE_PACKETS);
    var talker = members.get(0);
    var listener = members.get(1);
    long start = System.nanoTime();
    for (int i = 0; i < 50; i++) {
      talker.publish(start + i * 20 * MS);
    }
    // Reconnect: a new SSRC, its own random sequence and timestamp, 730 ms of silence.
    talker.ssrc ^= 0x5A5A5A5A;
    talker.sequence = (talker.sequence + 31_000) & 0xFFFF;
    talker.timestamp = (talker.timestamp + 1_234_567_890L) & 0xFFFF_FFFFL;
    for (int i = 0; i < 50; i++) {
      talker.publish(start + 49 * 20 * MS + 730 * MS + i * 20 * MS);
    }

    await().atMost(WAIT).until(() -> listener.sender.count() == 100);
    var received = listener.sender.received();
    assertThat(received).extracting(TestRtp.Received::ssrc).containsOnly(received.get(0).ssrc());
    for (int i = 1; i < 100; i++) {
      long step = i == 50 ? 37 * 960 : 960; // 730 ms: 36.5 frames of 20 ms, rounded to whole
      assertThat(received.get(i).sequence())
          .as("packet %d", i)
          .isEqualTo((received.get(i - 1).sequence() + 1) & 0xFFFF);
      assertThat(received.get(i).timestamp())
          .as("packet %d", i)
          .isEqualTo((received.get(i - 1).timestamp() + step) & 0xFFFF_FFFFL);
    }
    var stream = table.snapshot().streamsTo(listener.subscriber).get(0);
    assertThat(stream.sourceRestarts()).isEqualTo(1);
    assertThat(stream.packetsSent()).isEqualTo(100);
    assertThat(stream.payloadBytesSent()).isEqualTo(100 * 8);
  }

  @Test
  void aListenerWhoLeavesMidStreamGetsNothingMoreAndTheOthersCarryOn() {
    var members = join(3, Subscriber.DEFAULT_QUEUE_PACKETS);
    var leaver = members.get(2);
    for (int i = 0; i < 50; i++) {
      members.forEach(Member::publish);
    }

    var removed = table.removeSubscriber(leaver.subscriber);
    int atRemoval = leaver.sender.count();
    for (int i = 0; i < 50; i++) {
      members.forEach(Member::publish);
    }

    assertThat(removed).hasSize(2);
    await().atMost(WAIT).until(() -> members.get(0).sender.count() == 200);
    await().atMost(WAIT).until(() -> members.get(1).sender.count() == 200);
    await().atMost(WAIT).until(() -> pool.inUse() == 0);
    assertThat(leaver.sender.count()).isEqualTo(atRemoval).isLessThanOrEqualTo(100);
    assertThat(leaver.subscriber.isClosed()).isTrue();
    // Its publisher still reaches the other two.
    assertThat(members.get(0).sender.received()).filteredOn(p -> p.publisher() == 2).hasSize(100);
  }

  @Test
  void aPublisherWhoLeavesMidStreamIsHeardNoMoreAndItsQueuedCopiesAreReturned() {
    var members = join(3, Subscriber.DEFAULT_QUEUE_PACKETS);
    var leaver = members.get(0);
    for (int i = 0; i < 50; i++) {
      members.forEach(Member::publish);
    }

    var removed = table.removePublisher(leaver.publisher);
    int heardByOne = countFrom(members.get(1), 0);
    int heardByTwo = countFrom(members.get(2), 0);
    for (int i = 0; i < 50; i++) {
      members.forEach(Member::publish); // its transport may deliver a few more
    }

    assertThat(removed).hasSize(2).allSatisfy(s -> assertThat(s.isClosed()).isTrue());
    await().atMost(WAIT).until(() -> countFrom(members.get(1), 2) == 100);
    await().atMost(WAIT).until(() -> countFrom(members.get(2), 1) == 100);
    await().atMost(WAIT).until(() -> pool.inUse() == 0);
    assertThat(countFrom(members.get(1), 0)).isEqualTo(heardByOne);
    assertThat(countFrom(members.get(2), 0)).isEqualTo(heardByTwo);
    assertThat(leaver.publisher.packetsReceived()).isEqualTo(100);
    // The leaver still listens to the others.
    assertThat(leaver.sender.count()).isEqualTo(200);
  }

  private static int countFrom(Member listener, int publisher) {
    return (int)
        listener.sender.received().stream().filter(p -> p.publisher() == publisher).count();
  }

  @Test
  void aStuckListenerDropsItsOwnCopiesAndDelaysNoOne() throws Exception {
    int queuePackets = 32;
    var members = join(4, queuePackets);
    var talker = members.get(0);
    var stuck = members.get(3);
    var gate = new CountDownLatch(1);
    stuck.sender.blockOn(gate);
    try {
      talker.publish();
      // A worker has taken the first copy and is stuck in the send.
      await().atMost(WAIT).until(() -> stuck.subscriber.queued() == 0);
      for (int burst = 1; burst <= 30; burst++) {
        for (int i = burst == 1 ? 1 : 0; i < 10; i++) {
          talker.publish();
        }
        int expected = burst * 10;
        // Each burst reaches the healthy listeners promptly while the stuck one holds a worker.
        await()
            .atMost(Duration.ofSeconds(2))
            .until(
                () ->
                    members.get(1).sender.count() == expected
                        && members.get(2).sender.count() == expected);
      }
      assertThat(stuck.sender.count()).isZero();
      // One copy is in the blocked send, queuePackets wait, the rest were refused.
      assertThat(stuck.subscriber.dropped(Subscriber.Drop.QUEUE_FULL))
          .isEqualTo(300 - 1 - queuePackets);
      assertThat(members.get(1).subscriber.dropped(Subscriber.Drop.QUEUE_FULL)).isZero();
      await().atMost(WAIT).until(() -> pool.inUse() == 1 + queuePackets);
    } finally {
      gate.countDown();
    }
    await().atMost(WAIT).until(() -> stuck.sender.count() == 1 + queuePackets);
    await().atMost(WAIT).until(() -> pool.inUse() == 0);
  }

  @Test
  void anEmptyPoolDropsAndCountsPerSubscriber() {
    var tinyPool = new PacketPool(1);
    var publisher = new Publisher("a", TestRtp.PUBLISHER, tinyPool);
    var gate = new CountDownLatch(1);
    var senders = new ArrayList<CapturingSender>();
    table.addPublisher(publisher).forEach(OutgoingStream::activate);
    for (String id : List.of("b", "c")) {
      var subscriber = new Subscriber(id, TestRtp.SUBSCRIBER, workers, 8, latency);
      var sender = new CapturingSender();
      sender.blockOn(gate);
      subscriber.setSender(sender);
      senders.add(sender);
      table.addSubscriber(subscriber).forEach(OutgoingStream::activate);
    }

    byte[] bytes = TestRtp.packet(1, 1, 1, false, 0);
    view.wrap(bytes, 0, bytes.length);
    publisher.onRtp(view);
    var subscribers = table.snapshot().subscribers();
    long poolEmpty =
        subscribers.stream().mapToLong(s -> s.dropped(Subscriber.Drop.POOL_EMPTY)).sum();
    gate.countDown();

    assertThat(poolEmpty).isEqualTo(1);
    await().atMost(WAIT).until(() -> senders.stream().mapToInt(CapturingSender::count).sum() == 1);
    await().atMost(WAIT).until(() -> tinyPool.inUse() == 0);
  }

  @Test
  void aStreamIsForwardedOnlyOnceItsSubscriberAnsweredForIt() {
    var publisher = new Publisher("a", TestRtp.PUBLISHER, pool);
    var subscriber = new Subscriber("b", TestRtp.SUBSCRIBER, workers, 8, latency);
    var sender = new CapturingSender();
    subscriber.setSender(sender);
    table.addPublisher(publisher);
    List<OutgoingStream> streams = table.addSubscriber(subscriber);
    byte[] bytes = TestRtp.packet(1, 1, 1, false, 0);
    view.wrap(bytes, 0, bytes.length);

    publisher.onRtp(view); // offered, not answered yet: the browser does not know the SSRC
    assertThat(publisher.copiesQueued()).isZero();
    assertThat(pool.inUse()).isZero();

    streams.forEach(OutgoingStream::activate);
    publisher.onRtp(view);
    assertThat(publisher.copiesQueued()).isEqualTo(1);
    await().atMost(WAIT).until(() -> sender.count() == 1);
  }

  /**
   * A NACKed packet goes out again byte for byte, its transport-wide number included: SRTP takes
   * its nonce from SSRC and sequence number, so any changed header byte under the same nonce would
   * reuse an AES-GCM nonce with different data (RFC 7714 §8.1).
   */
  @Test
  void aResentPacketIsTheSamePacketByteForByte() {
    var publisher = new Publisher("talker", TestRtp.PUBLISHER, pool);
    var subscriber =
        new Subscriber("listener", TestRtp.SUBSCRIBER.withNack(true), workers, 64, latency);
    var sender = new CapturingSender();
    subscriber.setSender(sender);
    table.addPublisher(publisher);
    table.addSubscriber(subscriber);
    table.snapshot().streams().forEach(OutgoingStream::activate);
    for (int sequence = 1; sequence <= 3; sequence++) {
      byte[] bytes = TestRtp.packet(7, sequence, sequence * TestRtp.TICKS_PER_PACKET, false, 0);
      assertThat(view.wrap(bytes, 0, bytes.length)).isTrue();
      publisher.onRtp(view, System.nanoTime());
    }
    await().atMost(WAIT).until(() -> sender.count() == 3);
    TestRtp.Received second = sender.received().get(1);

    subscriber.requestResend(pool, second.ssrc(), new int[] {second.sequence()}, 1);
    await().atMost(WAIT).until(() -> sender.count() == 4);

    assertThat(subscriber.resent()).isEqualTo(1);
    assertThat(sender.raw().get(3)).containsExactly(sender.raw().get(1));
    // Not trivially: the transport-wide numbers of the first sends differ from packet to packet.
    assertThat(sender.raw().get(2)).isNotEqualTo(sender.raw().get(1));
  }

  @Test
  void otherPayloadTypesAreNotForwardedAndCounted() {
    var members = join(2, 8);
    byte[] bytes = TestRtp.packet(1, 1, 1, false, 0);
    bytes[1] = 63; // RED, not negotiated for forwarding
    view.wrap(bytes, 0, bytes.length);

    members.get(0).publisher.onRtp(view);

    assertThat(members.get(0).publisher.dropped(Publisher.Drop.UNSUPPORTED_PAYLOAD_TYPE))
        .isEqualTo(1);
    assertThat(members.get(0).publisher.copiesQueued()).isZero();
  }

  @Test
  void aSubscriberWithoutTransportCountsSendFailures() {
    var members = join(2, 8);
    members.get(1).subscriber.setSender(Subscriber.Sender.NONE);

    members.get(0).publish();

    await()
        .atMost(WAIT)
        .until(() -> members.get(1).subscriber.dropped(Subscriber.Drop.SEND_FAILED) == 1);
    assertThat(latency.snapshot().count()).isZero();
  }

  @Test
  void rtcpIsTerminatedAtTheHooksAndNeverForwarded() {
    var members = join(2, 8);
    var fromPublisher = new ArrayList<Integer>();
    var fromSubscriber = new ArrayList<Integer>();
    members.get(0).publisher.setRtcpHandler((b, o, l) -> fromPublisher.add(l));
    members.get(1).subscriber.setRtcpHandler((b, o, l) -> fromSubscriber.add(l));
    byte[] receiverReport = {(byte) 0x80, (byte) 201, 0, 1, 1, 2, 3, 4};

    members.get(0).publisher.onRtcp(receiverReport, 0, 8);
    members.get(1).subscriber.onRtcp(receiverReport, 0, 8);
    view.wrap(TestRtp.packet(1, 1, 1, false, 1), 0, 36);
    members.get(1).subscriber.onRtp(view);

    assertThat(fromPublisher).containsExactly(8);
    assertThat(fromSubscriber).containsExactly(8);
    assertThat(members.get(0).publisher.rtcpReceived()).isEqualTo(1);
    assertThat(members.get(1).subscriber.unexpectedRtp()).isEqualTo(1);
    assertThat(members.get(1).subscriber.queued()).isZero();
    assertThat(members).allSatisfy(m -> assertThat(m.sender.count()).isZero());
  }
}
