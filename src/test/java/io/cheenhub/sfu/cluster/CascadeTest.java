package io.cheenhub.sfu.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hazelcast.core.HazelcastInstance;
import io.cheenhub.sfu.admission.TestAdmission;
import io.cheenhub.sfu.config.CascadeSettings;
import io.cheenhub.sfu.config.ClusterSettings;
import io.cheenhub.sfu.config.RoomLimits;
import io.cheenhub.sfu.media.ForwardingService;
import io.cheenhub.sfu.media.ForwardingTable;
import io.cheenhub.sfu.media.NegotiatedRtp;
import io.cheenhub.sfu.media.OutgoingStream;
import io.cheenhub.sfu.media.Publisher;
import io.cheenhub.sfu.media.Subscriber;
import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.room.LeaveReason;
import io.cheenhub.sfu.room.Participant;
import io.cheenhub.sfu.room.ParticipantListener;
import io.cheenhub.sfu.room.Room;
import io.cheenhub.sfu.room.RoomRegistry;
import io.cheenhub.sfu.rtp.RtpPacket;
import io.cheenhub.sfu.transport.relay.RelayPort;
import java.net.DatagramSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cascaded rooms between two instances, each with a real embedded Data Grid member, a real relay
 * UDP port on loopback and real SRTP: presence on both sides, a speaker on one instance heard on
 * the other, only slot holders on the relay, leaves and a crashed instance cleaned up.
 */
class CascadeTest {

  private static final String SECRET = "cascade-test-cluster-secret-0123456789";
  private static final int BASE_PORT = 17_800 + (int) (Math.random() * 1_500);
  private static final int SLOTS = 2;
  private static final NegotiatedRtp BROWSER =
      NegotiatedRtp.of(109, Map.of(NegotiatedRtp.AUDIO_LEVEL_URI, 5));
  private static final NegotiatedRtp LISTENER =
      NegotiatedRtp.of(111, Map.of(NegotiatedRtp.AUDIO_LEVEL_URI, 1));
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private final String clusterName = "sfu-cascade-" + UUID.randomUUID();
  private final List<Instance> instances = new ArrayList<>();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final java.util.concurrent.ScheduledExecutorService heartbeats =
      Executors.newSingleThreadScheduledExecutor();

  /** One instance: grid member, rooms, forwarding, cluster part and cascade. */
  private final class Instance {
    final String name;
    final HazelcastInstance hazelcast;
    final RoomRegistry rooms = new RoomRegistry(new RoomLimits(50, 64));
    final ClusterService cluster = new ClusterService();
    final PacketWorkers workers = new PacketWorkers(executor, 1);
    final ForwardingService forwarding = new ForwardingService(2_048, () -> workers, 256);
    final Cascade cascade = new Cascade();
    volatile boolean alive = true;

    Instance(String name) throws Exception {
      this.name = name;
      hazelcast = TestGrid.member(clusterName, BASE_PORT);
      int relayPort;
      try (var probe = new DatagramSocket(0)) {
        relayPort = probe.getLocalPort();
      }
      cluster.settings =
          new ClusterSettings(
              true,
              name,
              URI.create("http://127.0.0.1:8080/" + name + "/"),
              SECRET,
              Duration.ofSeconds(1),
              Duration.ofSeconds(3));
      cluster.cascade = new CascadeSettings(true, "127.0.0.1", relayPort);
      cluster.rooms = rooms;
      cluster.admission = new TestAdmission();
      cascade.cluster = cluster;
      cascade.settings = cluster.cascade;
      cascade.rooms = rooms;
      cascade.executor = executor;
      cascade.attach(forwarding, this::spanned);
      cluster.join(hazelcast, false);
      instances.add(this);
    }

    /** What signaling does when a room starts to span: slots, and every listener on them. */
    void spanned(Room room) {
      ForwardingTable table = room.forwarding();
      table.enableSlots(SLOTS).forEach(OutgoingStream::activate);
      table.snapshot().subscribers().forEach(table::slotsActivated);
    }

    Member join(String room, String name) throws Exception {
      var member = new Member(this, rooms.join(room, name, ParticipantListener.NONE));
      cascade.localJoined(rooms.room(room).orElseThrow(), member.participant);
      return member;
    }

    Room room(String id) {
      return rooms.room(id).orElse(null);
    }

    /** One selection pass of every open room, as the speaker pass does every 100 ms. */
    void selectSpeakers(long now) {
      for (Room room : rooms.rooms()) {
        ForwardingTable.SlotMap map = room.forwarding().selectSpeakers(now);
        if (map != null) {
          room.forwarding().install(map);
        }
      }
    }

    void beat() {
      cluster.beat();
    }

    RelayPort relay() {
      return cascade.port();
    }
  }

  /** A participant here: publishes synthetic Opus packets with a level, listens on its slots. */
  private static final class Member {
    final Instance at;
    final Participant participant;
    Publisher publisher;
    Subscriber subscriber;
    final Heard heard = new Heard();
    final int ssrc = (int) (Math.random() * Integer.MAX_VALUE) + 1;
    int sequence;
    long timestamp;
    final RtpPacket view = new RtpPacket();

    Member(Instance at, Participant participant) {
      this.at = at;
      this.participant = participant;
    }

    Room room() {
      return at.room(participant.roomId());
    }

    void publish() {
      publisher = at.forwarding.newPublisher(participant.id(), BROWSER);
      room().forwarding().addPublisher(publisher);
      at.cascade.localPublished(participant, publisher);
    }

    void listen() {
      subscriber = at.forwarding.newSubscriber(participant.id(), LISTENER);
      subscriber.setSender(heard);
      room().forwarding().addSubscriber(subscriber).forEach(OutgoingStream::activate);
      room().forwarding().slotsActivated(subscriber);
    }

    /** One 20 ms packet: speech at -25 dBov, or room noise at -70 dBov without the voice flag. */
    void send(boolean speaking, long at) {
      ByteBuffer b = ByteBuffer.allocate(12 + 4 + 4 + 4);
      b.put((byte) 0x90).put((byte) 109);
      b.putShort((short) sequence).putInt((int) timestamp).putInt(ssrc);
      b.putShort((short) RtpPacket.ONE_BYTE_PROFILE).putShort((short) 1);
      b.put((byte) (5 << 4)).put((byte) (speaking ? 0x80 | 25 : 70)).put(new byte[2]);
      b.putInt(participant.id().hashCode());
      byte[] buffer = new byte[1_500];
      System.arraycopy(b.array(), 0, buffer, 16, b.capacity());
      assertThat(view.wrap(buffer, 16, b.capacity())).isTrue();
      publisher.onRtp(view, at);
      sequence = (sequence + 1) & 0xFFFF;
      timestamp += 960;
    }
  }

  /** What a listener received: the payload's speaker tag per packet. */
  private static final class Heard implements Subscriber.Sender {
    final List<Integer> speakers = new CopyOnWriteArrayList<>();

    @Override
    public boolean sendRtp(byte[] buffer, int offset, int length) {
      var packet = new RtpPacket();
      if (packet.wrap(buffer, offset, length) && packet.payloadLength() >= 4) {
        speakers.add(ByteBuffer.wrap(buffer, packet.payloadOffset(), 4).getInt());
      }
      return true;
    }

    long from(Member speaker) {
      int tag = speaker.participant.id().hashCode();
      return speakers.stream().filter(s -> s == tag).count();
    }
  }

  @AfterEach
  void stop() throws Exception {
    heartbeats.shutdownNow();
    heartbeats.awaitTermination(5, TimeUnit.SECONDS);
    for (Instance instance : instances) {
      instance.cascade.stop();
      instance.hazelcast.getLifecycleService().terminate();
    }
    instances.forEach(i -> i.workers.close());
    executor.shutdownNow();
  }

  /**
   * Every member talks for {@code ms} of real time (the speakers speak), one packet each per 20 ms,
   * with a selection pass on both instances every 100 ms. Real time: the relayed packets are
   * stamped when they arrive over UDP, and the selection must see them as recent.
   */
  private long talk(long from, int ms, List<Member> everyone, List<Member> speakers) {
    long end = System.nanoTime() + ms * MS;
    long at = System.nanoTime();
    for (int round = 1; at < end; round++) {
      at = System.nanoTime();
      for (Member member : everyone) {
        if (member.publisher != null) {
          member.send(speakers.contains(member), at);
        }
      }
      if (round % 5 == 0) {
        for (Instance instance : instances) {
          if (instance.alive) {
            instance.selectSpeakers(at);
          }
        }
      }
      java.util.concurrent.locks.LockSupport.parkNanos(20 * MS - (System.nanoTime() - at));
    }
    return at;
  }

  /** Two instances in one grid, with heartbeats every 500 ms as the cluster scheduler runs them. */
  private Instance[] twoInstances() throws Exception {
    Instance a = new Instance("a");
    Instance b = new Instance("b");
    await().atMost(Duration.ofSeconds(30)).until(() -> a.cluster.members() == 2);
    a.beat();
    b.beat();
    heartbeats.scheduleWithFixedDelay(
        () -> instances.stream().filter(i -> i.alive).forEach(Instance::beat),
        500,
        500,
        TimeUnit.MILLISECONDS);
    return new Instance[] {a, b};
  }

  @Test
  void aRoomSpansTwoInstancesBothSeeEveryoneAndHearTheSpeakerOverTheRelay() throws Exception {
    Instance[] ab = twoInstances();
    Instance a = ab[0];
    Instance b = ab[1];
    Member ada = a.join("standup", "Ada");
    Member bob = b.join("standup", "Bob");

    await("b has Ada, a has Bob")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                hasRemote(b.room("standup"), ada.participant.id(), "a")
                    && hasRemote(a.room("standup"), bob.participant.id(), "b"));
    assertThat(b.room("standup").forwarding().snapshot().slotted()).as("spanning: slots").isTrue();
    assertThat(a.rooms.participantCount()).as("a counts its own only").isEqualTo(1);

    ada.publish();
    bob.publish();
    bob.listen();
    ada.listen();
    await("Ada's relay SSRC reached b")
        .atMost(Duration.ofSeconds(10))
        .until(() -> remotePublisher(b.room("standup"), ada.participant.id()) != null);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> remotePublisher(a.room("standup"), bob.participant.id()) != null);

    List<Member> everyone = List.of(ada, bob);
    long now = talk(System.nanoTime(), 500, everyone, List.of()); // room noise: the floors
    now = talk(now, 1_000, everyone, List.of(ada));
    await("Bob hears Ada over the relay")
        .atMost(Duration.ofSeconds(10))
        .until(() -> bob.heard.from(ada) > 10);
    assertThat(ada.heard.from(ada)).as("never her own voice back").isZero();
    assertThat(a.relay().sent()).isPositive();
    assertThat(b.relay().received()).isPositive();
    assertThat(b.relay().dropped(RelayPort.Drop.AUTH_FAILED)).isZero();
    assertThat(b.relay().dropped(RelayPort.Drop.UNKNOWN_SSRC)).isZero();

    talk(now, 1_000, everyone, List.of(bob));
    await("Ada hears Bob").atMost(Duration.ofSeconds(10)).until(() -> ada.heard.from(bob) > 10);
  }

  @Test
  void garbageOnTheRelayPortIsCountedAndTheRelayGoesOn() throws Exception {
    Instance[] ab = twoInstances();
    Instance a = ab[0];
    Instance b = ab[1];
    Member ada = a.join("r", "Ada");
    Member bob = b.join("r", "Bob");
    ada.publish();
    bob.listen();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> remotePublisher(b.room("r"), ada.participant.id()) != null);
    int adaRelaySsrc = ada.publisher.relaySsrc();

    var random = new java.util.Random(18);
    try (var stranger = new DatagramSocket()) {
      var to = new java.net.InetSocketAddress("127.0.0.1", b.relay().port());
      for (int i = 0; i < 300; i++) {
        byte[] junk = new byte[1 + random.nextInt(300)];
        random.nextBytes(junk);
        if (i % 3 == 1 && junk.length >= 40) { // RTP with an SSRC nobody relays
          junk[0] = (byte) 0x80;
          junk[1] = 111;
        }
        if (i % 3 == 2 && junk.length >= 40) { // Ada's relay SSRC, forged: wrong key
          junk[0] = (byte) 0x80;
          junk[1] = 111;
          ByteBuffer.wrap(junk, 8, 4).putInt(adaRelaySsrc);
        }
        stranger.send(new java.net.DatagramPacket(junk, junk.length, to));
      }
    }
    await("every stray datagram counted")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                b.relay().dropped(RelayPort.Drop.NOT_RTP)
                        + b.relay().dropped(RelayPort.Drop.UNKNOWN_SSRC)
                        + b.relay().dropped(RelayPort.Drop.AUTH_FAILED)
                    == 300);
    assertThat(b.relay().dropped(RelayPort.Drop.AUTH_FAILED)).isPositive();
    assertThat(b.relay().dropped(RelayPort.Drop.UNKNOWN_SSRC)).isPositive();

    List<Member> everyone = List.of(ada);
    long now = talk(System.nanoTime(), 500, everyone, List.of());
    talk(now, 1_000, everyone, List.of(ada));
    await("the relay still works")
        .atMost(Duration.ofSeconds(10))
        .until(() -> bob.heard.from(ada) > 10);
  }

  @Test
  void theRelayCarriesOnlyTheSpeakersInSlots() throws Exception {
    Instance[] ab = twoInstances();
    Instance a = ab[0];
    Instance b = ab[1];
    List<Member> onA = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      onA.add(a.join("town-hall", "a" + i));
    }
    Member bob = b.join("town-hall", "Bob");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> b.room("town-hall") != null && b.room("town-hall").participants().size() == 6);
    onA.forEach(Member::publish);
    bob.publish();
    bob.listen();
    await("all five relayed speakers known on b")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                onA.stream()
                    .allMatch(
                        m -> remotePublisher(b.room("town-hall"), m.participant.id()) != null));
    List<Member> everyone = new ArrayList<>(onA);
    everyone.add(bob);
    long now = talk(System.nanoTime(), 500, everyone, List.of()); // room noise: the floors
    now = talk(now, 1_000, everyone, List.of(onA.get(0)));

    long sentBefore = a.relay().sent();
    int rounds = 50; // one second: 5 publishers on a send 250 packets
    talk(now, rounds * 20, everyone, List.of(onA.get(0)));
    long sent = a.relay().sent() - sentBefore;
    assertThat(sent)
        .as("at most the %d slot holders' packets cross, not all five publishers'", SLOTS)
        .isLessThanOrEqualTo((long) SLOTS * rounds)
        .isGreaterThanOrEqualTo(rounds / 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> bob.heard.from(onA.get(0)) > 10);
  }

  @Test
  void leavingAndCrashingInstancesLeaveNothingBehind() throws Exception {
    Instance[] ab = twoInstances();
    Instance a = ab[0];
    Instance b = ab[1];
    Member ada = a.join("r", "Ada");
    Member bob = b.join("r", "Bob");
    Member bea = b.join("r", "Bea");
    bob.publish();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> remotePublisher(a.room("r"), bob.participant.id()) != null);
    int subscribersOnA = a.forwarding.subscriberCount();
    assertThat(subscribersOnA).as("a's relay to b").isEqualTo(1);

    // Bob leaves b: gone on a, his publisher too.
    Room onB = b.room("r");
    b.rooms.leave(bob.participant, LeaveReason.LEFT);
    onB.forwarding().removePublisher(bob.publisher);
    b.cascade.localLeft(onB, bob.participant);
    await("Bob gone on a")
        .atMost(Duration.ofSeconds(10))
        .until(() -> !has(a.room("r"), bob.participant.id()));
    assertThat(remotePublisher(a.room("r"), bob.participant.id())).isNull();
    assertThat(a.forwarding.publisherCount()).isZero();

    // b crashes: Bea leaves the room on a, the relay goes, and b's entries leave the grid.
    b.alive = false;
    b.hazelcast.getLifecycleService().terminate();
    await("b's participants gone on a")
        .atMost(Duration.ofSeconds(30))
        .until(() -> !has(a.room("r"), bea.participant.id()));
    assertThat(a.forwarding.subscriberCount()).as("the relay to b is gone").isZero();
    assertThat(a.room("r").participants())
        .extracting(Participant::id)
        .containsExactly(ada.participant.id());
    await("b's entries gone from the grid")
        .atMost(Duration.ofSeconds(30))
        .until(() -> a.hazelcast.getMap(Cascade.PRESENCE_MAP).size() == 1);

    // Ada leaves: the room closes on a.
    Room room = a.room("r");
    a.rooms.leave(ada.participant, LeaveReason.LEFT);
    a.cascade.localLeft(room, ada.participant);
    assertThat(a.rooms.roomCount()).isZero();
  }

  private static boolean has(Room room, String id) {
    return room != null && room.participants().stream().anyMatch(p -> p.id().equals(id));
  }

  private static boolean hasRemote(Room room, String id, String origin) {
    return room != null
        && room.participants().stream()
            .anyMatch(p -> p.id().equals(id) && origin.equals(p.origin()));
  }

  private static Publisher remotePublisher(Room room, String id) {
    if (room == null) {
      return null;
    }
    return room.forwarding().snapshot().publishers().stream()
        .filter(p -> !p.isLocal() && p.participantId().equals(id))
        .findFirst()
        .orElse(null);
  }
}
