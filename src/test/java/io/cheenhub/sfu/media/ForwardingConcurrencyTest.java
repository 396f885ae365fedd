package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.rtp.RtpPacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several rooms on shared workers and one shared pool, participants joining and leaving at random
 * while packets flow. Each listener's sender checks every packet against what the test has already
 * completed: nothing after its own removal, nothing on a stream whose publisher was removed,
 * nothing from itself.
 */
class ForwardingConcurrencyTest {

  private static final int ROOMS = 4;
  private static final int MAX_MEMBERS = 6;
  private static final long RUN_MILLIS = 2_000;

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final PacketWorkers workers = new PacketWorkers(executor, 4);
  private final PacketPool pool = new PacketPool(4_096);
  private final LatencyHistogram latency = new LatencyHistogram();
  private final Queue<String> violations = new ConcurrentLinkedQueue<>();
  private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private final AtomicInteger nextIndex = new AtomicInteger();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong changes = new AtomicLong();
  private volatile boolean running = true;

  @AfterEach
  void stop() throws InterruptedException {
    workers.close();
    executor.shutdown();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  /** Checks each packet a listener gets against what the test knows is finished. */
  private final class GuardedSender implements Subscriber.Sender {
    final int self;
    volatile boolean departed;
    final Set<Integer> retiredSsrcs = ConcurrentHashMap.newKeySet();

    GuardedSender(int self) {
      this.self = self;
    }

    @Override
    public boolean sendRtp(byte[] buffer, int offset, int length) {
      if (departed) {
        violations.add("packet to departed listener " + self);
      }
      var packet = TestRtp.Received.of(buffer, offset, length);
      if (retiredSsrcs.contains(packet.ssrc())) {
        violations.add("packet on removed stream " + packet.ssrc() + " to " + self);
      }
      if (packet.publisher() == self) {
        violations.add("listener " + self + " heard itself");
      }
      delivered.incrementAndGet();
      return true;
    }
  }

  private final class Member {
    final int index = nextIndex.getAndIncrement();
    final Publisher publisher = new Publisher("p" + index, TestRtp.PUBLISHER, pool);
    final Subscriber subscriber;
    final GuardedSender sender = new GuardedSender(index);
    final RtpPacket view = new RtpPacket();
    final byte[] buffer = new byte[1_500];
    int sequence;

    Member() {
      subscriber = new Subscriber("p" + index, TestRtp.SUBSCRIBER, workers, 64, latency);
      subscriber.setSender(sender);
    }

    void publish() {
      byte[] bytes = TestRtp.packet(0x1000 + index, sequence, sequence * 960L, false, index);
      System.arraycopy(bytes, 0, buffer, 0, bytes.length);
      view.wrap(buffer, 0, bytes.length);
      publisher.onRtp(view);
      sequence++;
    }
  }

  private final class Room {
    final ForwardingTable table;
    final List<Member> members = new CopyOnWriteArrayList<>();
    final Map<String, Member> byParticipant = new ConcurrentHashMap<>();
    final Random random;

    Room(int number) {
      table = new ForwardingTable("room-" + number);
      random = new Random(number);
    }

    void join() {
      var member = new Member();
      byParticipant.put(member.subscriber.participantId(), member);
      table.addSubscriber(member.subscriber).forEach(OutgoingStream::activate);
      table.addPublisher(member.publisher).forEach(OutgoingStream::activate);
      members.add(member);
      changes.incrementAndGet();
    }

    void leave(Member member) {
      members.remove(member);
      table.removeSubscriber(member.subscriber);
      member.sender.departed = true;
      for (OutgoingStream stream : table.removePublisher(member.publisher)) {
        byParticipant
            .get(stream.subscriber().participantId())
            .sender
            .retiredSsrcs
            .add(stream.ssrc());
      }
      changes.incrementAndGet();
    }

    /** The packet path of every member's publish transport (one thread, like a serial queue). */
    void flow() {
      while (running) {
        for (Member member : members) {
          member.publish();
        }
        sleepMillis(1);
      }
    }

    /** Signaling: joins and leaves every few milliseconds. */
    void churn() {
      while (running) {
        sleepMillis(1 + random.nextInt(4));
        if (members.size() < 2 || (members.size() < MAX_MEMBERS && random.nextBoolean())) {
          join();
        } else {
          leave(members.get(random.nextInt(members.size())));
        }
      }
    }
  }

  private static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Thread start(String name, Runnable body) {
    var thread =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (Throwable t) {
                failures.add(t);
              }
            },
            name);
    thread.start();
    return thread;
  }

  @Test
  void randomJoinsAndLeavesWhilePacketsFlowLoseNoBufferAndSendNothingStale() throws Exception {
    try (var log = new LogCapture()) {
      var rooms = new ArrayList<Room>();
      var threads = new ArrayList<Thread>();
      for (int i = 0; i < ROOMS; i++) {
        var room = new Room(i);
        rooms.add(room);
        threads.add(start("flow-" + i, room::flow));
        threads.add(start("churn-" + i, room::churn));
      }
      Thread.sleep(RUN_MILLIS);
      running = false;
      for (Thread thread : threads) {
        thread.join(10_000);
      }
      rooms.forEach(room -> room.table.clear());

      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> pool.inUse() == 0);
      assertThat(failures).isEmpty();
      assertThat(violations).isEmpty();
      assertThat(log.records()).isEmpty();
      assertThat(changes.get()).as("joins and leaves").isGreaterThan(100);
      assertThat(delivered.get()).as("packets delivered").isGreaterThan(10_000);
      assertThat(pool.created()).isLessThanOrEqualTo(pool.capacity());
    }
  }
}
