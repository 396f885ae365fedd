package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.rtp.RtpPacket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A large room on speaker slots, through the real packet workers: the selector's speakers reach
 * every other listener on fixed slot streams, one continuous stream per slot whoever speaks, and
 * joins of non-speakers touch nobody else (docs/architecture.md, "Large rooms").
 */
class SlotForwardingTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final int OFFSET = 16;

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final PacketWorkers workers = new PacketWorkers(executor, 2);
  private final PacketPool pool = new PacketPool(4_096);
  private final ForwardingTable table = new ForwardingTable("room");
  private final LogCapture log = new LogCapture();
  private final RtpPacket view = new RtpPacket();

  private final class Member {
    final int index;
    final Publisher publisher;
    final Subscriber subscriber;
    final CapturingSender sender = new CapturingSender();
    final int ssrc;
    int sequence;
    long timestamp;
    final Random noise;

    Member(int index) {
      this.index = index;
      publisher = new Publisher("p" + index, TestRtp.PUBLISHER, pool);
      subscriber =
          new Subscriber("p" + index, TestRtp.SUBSCRIBER, workers, 512, new LatencyHistogram());
      subscriber.setSender(sender);
      ssrc = 0x1000 + index;
      sequence = 1000 * index;
      timestamp = 100_000L * index;
      noise = new Random(index);
    }

    /** When set, packets go the way an SRTP packet nobody needs does: header only. */
    boolean encrypted;

    /**
     * One 20 ms packet at {@code at}: speech at about -25 dBov, or room noise at about -70 dBov
     * without the voice flag (what a browser sends between words when DTX is off).
     */
    void publish(boolean speaking, long at) {
      int level = speaking ? 22 + noise.nextInt(8) : 68 + noise.nextInt(4);
      ByteBuffer b = ByteBuffer.allocate(12 + 4 + 4 + 8);
      b.put((byte) 0x90).put((byte) TestRtp.PUBLISHER_PT);
      b.putShort((short) sequence).putInt((int) timestamp).putInt(ssrc);
      b.putShort((short) RtpPacket.ONE_BYTE_PROFILE).putShort((short) 1);
      b.put((byte) (TestRtp.PUBLISHER_AUDIO_LEVEL_ID << 4))
          .put((byte) ((speaking ? 0x80 : 0) | level));
      b.put(new byte[2]);
      b.putInt(index).putInt(sequence);
      byte[] buffer = new byte[1_500];
      System.arraycopy(b.array(), 0, buffer, OFFSET, b.capacity());
      assertThat(view.wrap(buffer, OFFSET, b.capacity())).isTrue();
      if (encrypted && publisher.skipsDecryption(view)) {
        publisher.onUndecrypted(view);
      } else {
        publisher.onRtp(view, at);
      }
      sequence = (sequence + 1) & 0xFFFF;
      timestamp = (timestamp + TestRtp.TICKS_PER_PACKET) & 0xFFFF_FFFFL;
    }
  }

  private final List<Member> members = new ArrayList<>();

  private Member join() {
    var member = new Member(members.size());
    table.addPublisher(member.publisher).forEach(OutgoingStream::activate);
    table.addSubscriber(member.subscriber).forEach(OutgoingStream::activate);
    members.add(member);
    return member;
  }

  /** Every member publishes {@code ms} of audio, {@code speakers} speaking, with passes. */
  private long talk(long from, int ms, List<Member> speakers) {
    long at = from;
    for (; at < from + ms * MS; at += 20 * MS) {
      for (Member member : members) {
        member.publish(speakers.contains(member), at);
      }
      if ((at / MS) % 100 == 0) {
        ForwardingTable.SlotMap map = table.selectSpeakers(at);
        if (map != null) {
          table.install(map);
        }
      }
      await(() -> pool.inUse() == 0);
    }
    return at;
  }

  private void await(java.util.concurrent.Callable<Boolean> condition) {
    ForwardingTest.await().atMost(WAIT).until(condition);
  }

  /** Every member's browser answered the offer with its slots. */
  private void answerSlots(List<OutgoingStream> slotStreams) {
    for (Member member : members) {
      slotStreams.stream()
          .filter(stream -> stream.subscriber() == member.subscriber)
          .forEach(OutgoingStream::activate);
      table.slotsActivated(member.subscriber);
    }
  }

  private static int publisherOf(TestRtp.Received packet) {
    return ByteBuffer.wrap(packet.payload()).getInt(0);
  }

  @AfterEach
  void stop() throws InterruptedException {
    table.clear();
    await(() -> pool.inUse() == 0);
    log.close();
    assertThat(log.records()).isEmpty();
    workers.close();
    executor.shutdown();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aLargeRoomForwardsTheSpeakerOnFixedSlotsToEveryoneElse() {
    for (int i = 0; i < 10; i++) {
      join();
    }
    List<OutgoingStream> slotStreams = table.enableSlots(3);
    assertThat(slotStreams).hasSize(30);
    // Make before break: until a listener's slots are active, it keeps its per-publisher streams.
    Member ada = members.get(0);
    Member bob = members.get(1);
    long at = talk(0, 200, List.of()); // room noise first, as browsers send
    assertThat(bob.sender.received())
        .as("per-publisher streams until the slots are answered")
        .extracting(SlotForwardingTest::publisherOf)
        .contains(0, 2, 9);
    for (Member member : members) {
      slotStreams.stream()
          .filter(s -> s.subscriber() == member.subscriber)
          .forEach(OutgoingStream::activate);
      assertThat(table.slotsActivated(member.subscriber)).hasSize(9);
    }
    assertThat(table.snapshot().streams()).allMatch(OutgoingStream::isSlot).hasSize(30);
    int before = bob.sender.count();
    int[] counts = members.stream().mapToInt(m -> m.sender.count()).toArray();

    at = talk(at, 1_000, List.of(ada));

    assertThat(table.snapshot().slots()).contains(ada.publisher);
    int adaSlot = table.snapshot().slots().indexOf(ada.publisher);
    List<TestRtp.Received> bobGot = bob.sender.received().subList(before, bob.sender.count());
    assertThat(bobGot).isNotEmpty().allMatch(p -> publisherOf(p) == 0);
    OutgoingStream bobSlot =
        table.snapshot().streamsTo(bob.subscriber).stream()
            .filter(s -> s.slot() == adaSlot)
            .findFirst()
            .orElseThrow();
    assertThat(bobGot).allMatch(p -> p.ssrc() == bobSlot.ssrc());
    assertThat(ada.sender.received().stream().filter(p -> publisherOf(p) == 0))
        .as("a speaker never hears itself")
        .isEmpty();
    // Nine listeners, nobody else talking: only Ada's audio went anywhere.
    for (Member member : members.subList(1, 10)) {
      List<TestRtp.Received> got = member.sender.received();
      assertThat(got.subList(counts[member.index], got.size()))
          .isNotEmpty()
          .allMatch(p -> publisherOf(p) == 0);
    }
  }

  @Test
  void aNewSpeakerInASlotIsOneContinuousStreamWithAMarkedFirstPacket() {
    for (int i = 0; i < 10; i++) {
      join();
    }
    List<OutgoingStream> slotStreams = table.enableSlots(1);
    for (Member member : members) {
      slotStreams.stream()
          .filter(s -> s.subscriber() == member.subscriber)
          .forEach(OutgoingStream::activate);
      table.slotsActivated(member.subscriber);
    }
    Member ada = members.get(0);
    Member cy = members.get(2);
    Member bob = members.get(1);

    long at = talk(0, 200, List.of());
    at = talk(at, 2_000, List.of(ada));
    assertThat(table.snapshot().slots()).containsExactly(ada.publisher);
    at = talk(at, 2_000, List.of()); // Ada stops: she keeps the slot while nobody else talks
    assertThat(table.snapshot().slots()).containsExactly(ada.publisher);
    int before = bob.sender.count();
    at = talk(at, 2_000, List.of(cy));

    assertThat(table.snapshot().slots()).containsExactly(cy.publisher);
    List<TestRtp.Received> got = bob.sender.received();
    int firstOfCy = -1;
    for (int i = 0; i < got.size(); i++) {
      if (publisherOf(got.get(i)) == 2) {
        firstOfCy = i;
        break;
      }
    }
    assertThat(firstOfCy).isPositive();
    assertThat(got.get(firstOfCy).marker()).as("a new talkspurt is marked").isTrue();
    assertThat(got.stream().map(TestRtp.Received::ssrc).distinct()).hasSize(1);
    for (int i = 1; i < got.size(); i++) {
      assertThat(got.get(i).sequence())
          .as("packet %d", i)
          .isEqualTo((got.get(i - 1).sequence() + 1) & 0xFFFF);
      long step = (got.get(i).timestamp() - got.get(i - 1).timestamp()) & 0xFFFF_FFFFL;
      assertThat(step % 960).isZero();
      assertThat(step).isPositive();
    }
    assertThat(before).isPositive();
  }

  /**
   * A packet worker may still hold the row it read before a slot changed hands (install publishes
   * new rows but does not wait for fan-outs in flight): the old speaker's packet must not go into
   * the slot its successor now fills.
   */
  @Test
  void aSpeakerWhoJustLostItsSlotSendsNothingMoreIntoIt() {
    for (int i = 0; i < 10; i++) {
      join();
    }
    answerSlots(table.enableSlots(1));
    Member ada = members.get(0);
    Member bob = members.get(1);
    Member cy = members.get(2);
    long at = talk(0, 200, List.of());
    at = talk(at, 2_000, List.of(ada));
    assertThat(table.snapshot().slots()).containsExactly(ada.publisher);
    OutgoingStream[] rowInFlight = ada.publisher.routes();
    assertThat(rowInFlight).isNotEmpty();
    at = talk(at, 2_000, List.of(cy));
    assertThat(table.snapshot().slots()).containsExactly(cy.publisher);
    int before = bob.sender.count();

    ada.publisher.setRoutes(rowInFlight); // the old row, as a worker in the middle of it sees it
    ada.publish(true, at);
    await(() -> pool.inUse() == 0);

    List<TestRtp.Received> got = bob.sender.received();
    assertThat(got.subList(before, got.size()))
        .as("packets of Ada after she lost the slot")
        .noneMatch(packet -> publisherOf(packet) == 0);
  }

  @Test
  void aSlotCarriesLayeredSpeakersOneAfterTheOtherWithoutCountingALayerSwitch() {
    for (int i = 0; i < 10; i++) {
      join();
    }
    Member ada = members.get(0);
    Member bob = members.get(1);
    Member cy = members.get(2);
    // Ada sends only her h layer, Cy only her m layer (the others paused, as dynacast does).
    ada.publisher.setLayers(layeredOn(ada.ssrc, 0));
    cy.publisher.setLayers(layeredOn(cy.ssrc, 1));
    List<OutgoingStream> slotStreams = table.enableSlots(1);
    answerSlots(slotStreams);

    long at = talk(0, 200, List.of());
    at = talk(at, 2_000, List.of(ada));
    assertThat(table.snapshot().slots()).containsExactly(ada.publisher);
    at = talk(at, 2_000, List.of(cy));

    assertThat(table.snapshot().slots()).containsExactly(cy.publisher);
    List<TestRtp.Received> got = bob.sender.received();
    assertThat(got).extracting(SlotForwardingTest::publisherOf).contains(0, 2);
    assertThat(got.stream().map(TestRtp.Received::ssrc).distinct()).hasSize(1);
    for (int i = 1; i < got.size(); i++) {
      assertThat(got.get(i).sequence())
          .as("packet %d", i)
          .isEqualTo((got.get(i - 1).sequence() + 1) & 0xFFFF);
    }
    OutgoingStream bobSlot = table.snapshot().streamsTo(bob.subscriber).get(0);
    assertThat(bobSlot.layerSwitches()).as("a new speaker is not a layer switch").isZero();
  }

  /** A three-layer map whose layer {@code layer} is sent on {@code ssrc}. */
  private static LayerMap layeredOn(int ssrc, int layer) {
    List<LayerMap.Entry> entries = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      List<Long> ssrcs = i == layer ? List.of(Integer.toUnsignedLong(ssrc)) : List.of(0x7000L + i);
      entries.add(new LayerMap.Entry(String.valueOf(i), null, ssrcs, i, 64_000 >> i));
    }
    return LayerMap.of(entries);
  }

  @Test
  void theInstalledMapIsWhatALateJoinerIsToldAndForgetsAPublisherThatLeft() {
    for (int i = 0; i < 10; i++) {
      join();
    }
    assertThat(table.installedMap()).as("not on slots yet").isNull();
    answerSlots(table.enableSlots(2));
    assertThat(table.installedMap()).as("no pass installed a map yet").isNull();
    Member ada = members.get(0);
    talk(talk(0, 200, List.of()), 1_000, List.of(ada));

    ForwardingTable.SlotMap now = table.installedMap();
    int slot = now.holders().indexOf(ada.publisher);
    assertThat(slot).isNotNegative();
    assertThat(now.level(slot)).isPositive();
    assertThat(now.dominantSlot()).isEqualTo(slot);

    table.removePublisher(ada.publisher);
    ForwardingTable.SlotMap after = table.installedMap();
    assertThat(after.holders()).doesNotContain(ada.publisher);
    assertThat(after.level(slot)).isZero();
    assertThat(after.dominantSlot()).isEqualTo(-1);
  }

  @Test
  void aMutedSpeakerLeavesItsSlotAtTheNextPass() {
    for (int i = 0; i < 10; i++) {
      join();
    }
    table.enableSlots(2);
    Member ada = members.get(0);
    long at = talk(0, 200, List.of());
    at = talk(at, 1_000, List.of(ada));
    assertThat(table.snapshot().slots()).contains(ada.publisher);

    table.setMuted(ada.publisher, true);
    at = talk(at, 100, List.of(ada)); // one pass; her packets may still come (not yet muted)

    assertThat(table.snapshot().slots()).doesNotContain(ada.publisher);
    at = talk(at, 1_000, List.of(ada));
    assertThat(table.snapshot().slots()).as("muted: never selected").doesNotContain(ada.publisher);
    table.setMuted(ada.publisher, false);
    talk(at, 1_000, List.of(ada));
    assertThat(table.snapshot().slots()).contains(ada.publisher);
  }

  @Test
  void aPublisherMutedBeforeTheRoomGrewIsNotSelected() {
    for (int i = 0; i < 10; i++) {
      join();
    }
    Member ada = members.get(0);
    table.setMuted(ada.publisher, true);
    table.enableSlots(2);
    long at = talk(0, 200, List.of());
    talk(at, 1_500, List.of(ada));
    assertThat(table.snapshot().slots()).doesNotContain(ada.publisher);
  }

  @Test
  void publishersOutsideTheSlotsAreNotDecryptedAndStillWinASlotWhenTheySpeak() {
    for (int i = 0; i < 10; i++) {
      join();
    }
    answerSlots(table.enableSlots(2));
    members.forEach(m -> m.encrypted = true);
    Member ada = members.get(0);
    Member cy = members.get(2);
    long at = talk(0, 200, List.of());
    at = talk(at, 1_000, List.of(ada));
    assertThat(table.snapshot().slots()).contains(ada.publisher);
    long adaUndecrypted = ada.publisher.packetsUndecrypted();
    for (Member member : members) {
      if (!table.snapshot().slots().contains(member.publisher)) {
        assertThat(member.publisher.packetsUndecrypted())
            .as("%s, in no slot", member.publisher)
            .isGreaterThan(member.publisher.packetsReceived() * 9 / 10);
      }
    }

    // Cy speaks: her level reads from the clear header, so she takes the free slot.
    at = talk(at, 1_000, List.of(ada, cy));
    assertThat(table.snapshot().slots()).contains(ada.publisher, cy.publisher);
    long bobHeardCy =
        members.get(1).sender.received().stream().filter(p -> publisherOf(p) == 2).count();
    assertThat(bobHeardCy).isPositive();
    assertThat(ada.publisher.packetsUndecrypted())
        .as("a speaker in a slot is decrypted")
        .isEqualTo(adaUndecrypted);
  }

  @Test
  void oneSkippedPacketInDecryptEveryIsDecryptedAnyway() {
    for (int i = 0; i < 10; i++) {
      join();
    }
    answerSlots(table.enableSlots(1));
    Member quiet = members.get(5);
    quiet.encrypted = true;
    int packets = 3 * Publisher.DECRYPT_EVERY;
    for (int i = 0; i < packets; i++) {
      quiet.publish(false, i * 20 * MS);
    }
    assertThat(quiet.publisher.packetsReceived()).isEqualTo(packets);
    assertThat(packets - quiet.publisher.packetsUndecrypted()).isEqualTo(3);
  }

  @Test
  void withDecryptSilentEveryPacketIsDecrypted() {
    for (int i = 0; i < 10; i++) {
      join();
    }
    answerSlots(table.enableSlots(1));
    Member quiet = members.get(5);
    quiet.publisher.setDecryptSilent(true);
    quiet.encrypted = true;
    for (int i = 0; i < 100; i++) {
      quiet.publish(false, i * 20 * MS);
    }
    assertThat(quiet.publisher.packetsReceived()).isEqualTo(100);
    assertThat(quiet.publisher.packetsUndecrypted()).isZero();
  }

  @Test
  void joinsAndLeavesOfListenersTouchNobodyElsesStreams() {
    for (int i = 0; i < 10; i++) {
      join();
    }
    table.enableSlots(3);
    List<OutgoingStream> bobsBefore = table.snapshot().streamsTo(members.get(1).subscriber);

    Member late = new Member(10);
    assertThat(table.addPublisher(late.publisher)).as("a new publisher gets no streams").isEmpty();
    List<OutgoingStream> own = table.addSubscriber(late.subscriber);
    assertThat(own).hasSize(3).allMatch(s -> s.subscriber() == late.subscriber && s.isSlot());
    table.removeSubscriber(late.subscriber);
    table.removePublisher(late.publisher);

    assertThat(table.snapshot().streamsTo(members.get(1).subscriber)).isEqualTo(bobsBefore);
  }

  @Test
  void aListenerWhoComesAfterTheSpeakersWereChosenHearsThemAtOnce() {
    for (int i = 0; i < 10; i++) {
      join();
    }
    answerSlots(table.enableSlots(3));
    Member ada = members.get(0);
    long at = talk(0, 200, List.of());
    at = talk(at, 1_000, List.of(ada));
    int adaSlot = table.snapshot().slots().indexOf(ada.publisher);
    assertThat(adaSlot).isNotNegative();

    // Found by the cascade browser test: the late listener's slot streams had no speaker, and the
    // fan-out skips a stream its publisher does not hold, so it heard nothing until the next
    // change.
    Member late = join();
    OutgoingStream lateSlot =
        table.snapshot().streamsTo(late.subscriber).stream()
            .filter(s -> s.slot() == adaSlot)
            .findFirst()
            .orElseThrow();
    assertThat(lateSlot.publisher()).isSameAs(ada.publisher);
    talk(at, 200, List.of(ada));
    assertThat(late.sender.received())
        .isNotEmpty()
        .allMatch(p -> publisherOf(p) == 0 && p.ssrc() == lateSlot.ssrc());
  }

  @Test
  void aRelayGetsTheLocalSpeakersOnlyAndOnlyWhileTheyHoldASlot() {
    for (int i = 0; i < 4; i++) {
      join();
    }
    var relayed = new Publisher("from-b", TestRtp.PUBLISHER, pool, new LongAdder(), "b");
    table.addPublisher(relayed);
    var relaySender = new CapturingSender();
    var relay =
        new Subscriber(
            Subscriber.RELAY_PREFIX + "b",
            TestRtp.SUBSCRIBER,
            workers,
            512,
            new LatencyHistogram(),
            "b");
    relay.setSender(relaySender);
    List<OutgoingStream> relayStreams = table.addSubscriber(relay);
    assertThat(relayStreams)
        .as("one per speaker connected here, none for the one relayed from b")
        .hasSize(4)
        .allMatch(OutgoingStream::isActive)
        .noneMatch(stream -> stream.publisher() == relayed);

    answerSlots(table.enableSlots(2));
    assertThat(table.slotsActivated(relay)).as("a relay has no slots to move to").isEmpty();
    assertThat(table.snapshot().streamsTo(relay)).hasSize(4).noneMatch(OutgoingStream::isSlot);

    Member ada = members.get(0);
    long at = talk(0, 200, List.of());
    int before = relaySender.count();
    talk(at, 1_000, List.of(ada));
    assertThat(table.snapshot().slots()).contains(ada.publisher);
    List<TestRtp.Received> crossed = relaySender.received().subList(before, relaySender.count());
    assertThat(crossed)
        .as("only the slot holder's packets, under its relay SSRC")
        .isNotEmpty()
        .allMatch(p -> publisherOf(p) == 0);
    table.removeSubscriber(relay);
    table.removePublisher(relayed);
  }
}
