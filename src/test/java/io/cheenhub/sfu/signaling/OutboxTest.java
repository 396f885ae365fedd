package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cheenhub.sfu.packet.PacketWorkers;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The outbox on a fake socket, written by real writer threads. */
class OutboxTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final PacketWorkers writers = new PacketWorkers(executor, 2);
  private final MessageCodec codec = new MessageCodec(65_536);
  private final FakeSession session = new FakeSession();
  private final AtomicInteger overflows = new AtomicInteger();

  @AfterEach
  void stopWriters() throws InterruptedException {
    writers.close();
    executor.shutdownNow();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private Outbox outbox(int capacity) {
    return new Outbox(session, writers, codec::encode, capacity, overflows::incrementAndGet);
  }

  /**
   * An outbox whose writer stays on its first frame (counting down {@code writing}) until {@code
   * release} opens: the frames queued meanwhile wait behind it.
   */
  private Outbox busyOnItsFirstFrame(CountDownLatch writing, CountDownLatch release) {
    var first = new AtomicBoolean(true);
    return new Outbox(
        session,
        writers,
        message -> {
          if (first.getAndSet(false)) {
            writing.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return codec.encode(message);
        },
        100,
        overflows::incrementAndGet);
  }

  private static Message.Pong pong(int i) {
    return new Message.Pong("r" + i, null, i);
  }

  @Test
  void framesGoOutInTheOrderTheyWereQueued() {
    Outbox outbox = outbox(1_000);
    for (int i = 0; i < 200; i++) {
      assertThat(outbox.send(pong(i))).isTrue();
    }

    await().atMost(WAIT).until(() -> session.texts().size() == 200);
    assertThat(session.texts())
        .extracting(f -> f.field("requestId"))
        .containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(i -> "r" + i).toList());
    assertThat(session.closes()).isEmpty();
  }

  @Test
  void closeAfterPendingWritesTheQueuedFramesThenClosesWithTheReason() {
    Outbox outbox = outbox(100);
    outbox.send(pong(1));
    outbox.send(pong(2));
    outbox.send(new Message.ErrorMessage("r3", "rate-limited", "slow down"));
    var reason = new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "rate limit exceeded");

    outbox.closeAfterPending(reason);
    outbox.closeAfterPending(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "second close"));

    await().atMost(WAIT).until(() -> !session.closes().isEmpty());
    assertThat(session.frames())
        .extracting(FakeSession.Frame::kind)
        .containsExactly(
            FakeSession.Kind.TEXT,
            FakeSession.Kind.TEXT,
            FakeSession.Kind.TEXT,
            FakeSession.Kind.CLOSE);
    assertThat(session.types()).containsExactly("pong", "pong", "error");
    CloseReason sent = session.closes().get(0).reason();
    assertThat(sent.getCloseCode()).isEqualTo(CloseReason.CloseCodes.VIOLATED_POLICY);
    assertThat(sent.getReasonPhrase()).isEqualTo("rate limit exceeded");
    assertThat(outbox.send(pong(4))).isFalse();
    assertThat(outbox.ping()).isFalse();
  }

  /**
   * A cluster drain queues each moved room's {@code redirect}, then writes {@code reconnect} with
   * {@code sendNow}, which stops the queue: waiting for {@code flushed} first keeps a redirect that
   * a busy writer has not reached yet from being thrown away.
   */
  @Test
  void framesQueuedBeforeADrainAreWrittenBeforeItsMessageWhenItWaitsForTheFlush() throws Exception {
    var writing = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    Outbox outbox = busyOnItsFirstFrame(writing, release);
    outbox.send(pong(1));
    assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
    outbox.send(pong(2)); // the redirect, still queued

    var flushed = outbox.flushed();
    Thread.sleep(50);
    assertThat(flushed).isNotDone();
    release.countDown();
    flushed.get(10, TimeUnit.SECONDS);
    outbox.sendNow("{\"type\":\"reconnect\",\"reason\":\"shutdown\",\"delayMs\":1000}");

    assertThat(session.types()).containsExactly("pong", "pong", "reconnect");
  }

  @Test
  void aFlushIsOverWhenTheQueueClosesOrWasClosedAlready() throws Exception {
    var release = new CountDownLatch(1);
    Outbox outbox = busyOnItsFirstFrame(new CountDownLatch(1), release);
    outbox.send(pong(1));
    outbox.send(pong(2));
    var flushed = outbox.flushed();

    outbox.closedByContainer(); // the socket went away: pong 2 and the flush are released
    flushed.get(10, TimeUnit.SECONDS);
    assertThat(outbox.flushed()).isDone();
    release.countDown();
  }

  @Test
  void afterTheContainersCloseNothingIsWritten() throws Exception {
    Outbox outbox = outbox(100);
    outbox.send(pong(1));
    await().atMost(WAIT).until(() -> session.texts().size() == 1);

    session.closeByPeer();
    outbox.closedByContainer();

    assertThat(outbox.send(pong(2))).isFalse();
    assertThat(outbox.ping()).isFalse();
    outbox.closeAfterPending(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "late"));
    Future<Void> drained = outbox.sendNow("{\"type\":\"reconnect\"}");
    assertThat(drained).isDone();
    outbox.closeNow(new CloseReason(CloseReason.CloseCodes.SERVICE_RESTART, "late"));
    Thread.sleep(100); // give a wrongly queued frame time to be written
    assertThat(session.frames()).hasSize(1);
  }

  /**
   * Issue 13: once {@code closedByContainer} has returned, the container recycles the socket's
   * output; a frame written after that lands in another connection's response.
   */
  @Test
  void noFrameIsWrittenAfterTheContainersCloseReturnsWhileProducersKeepSending() throws Exception {
    Outbox outbox = outbox(100_000);
    int producers = 4;
    var started = new CountDownLatch(producers);
    var pool = Executors.newFixedThreadPool(producers);
    try {
      var sends = new ArrayList<Future<?>>();
      for (int p = 0; p < producers; p++) {
        sends.add(
            pool.submit(
                () -> {
                  started.countDown();
                  for (int i = 0; i < 20_000; i++) {
                    outbox.send(pong(i));
                    if (i % 4 == 0) {
                      outbox.ping();
                    }
                  }
                }));
      }
      started.await();
      await().atMost(WAIT).until(() -> session.texts().size() >= 200);

      session.closeByPeer();
      outbox.closedByContainer();
      long closeReturned = session.mark();

      for (Future<?> send : sends) {
        send.get(30, TimeUnit.SECONDS);
      }
      Thread.sleep(200); // let the writers drain whatever is still queued
      List<FakeSession.Frame> late =
          session.frames().stream().filter(f -> f.seq() > closeReturned).toList();
      assertThat(late).isEmpty();
      assertThat(session.texts()).hasSizeGreaterThanOrEqualTo(200);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aClientThatDoesNotAcknowledgeIsClosedAsTooSlowOnceCapacityFramesWait() {
    session.acknowledge(false);
    Outbox outbox = outbox(4);
    int accepted = 0;
    for (int i = 0; i < 20; i++) {
      if (outbox.send(pong(i))) {
        accepted++;
      }
      if (i < 4) {
        // One frame in flight at a time, so the limit counts unacknowledged frames too.
        int written = i + 1;
        await().atMost(WAIT).until(() -> session.texts().size() == written);
      }
    }

    await().atMost(WAIT).until(() -> !session.closes().isEmpty());
    assertThat(accepted).isEqualTo(4);
    assertThat(session.texts()).hasSize(4);
    CloseReason reason = session.closes().get(0).reason();
    assertThat(reason.getCloseCode()).isEqualTo(CloseReason.CloseCodes.TRY_AGAIN_LATER);
    assertThat(reason.getReasonPhrase()).isEqualTo("too slow: outbound queue full");
    assertThat(overflows).hasValue(1);
    assertThat(outbox.send(pong(99))).isFalse();
    assertThat(session.closes()).hasSize(1);
  }

  @Test
  void framesQueuedBeforeTheOverflowAreSkippedForTheClose() {
    session.acknowledge(false);
    Outbox outbox = outbox(3);
    outbox.send(pong(0));
    await().atMost(WAIT).until(() -> session.texts().size() == 1);
    // The writers cannot run between these sends often enough to matter: whatever is queued when
    // the overflow is decided is dropped, only the close follows.
    for (int i = 1; i < 50; i++) {
      outbox.send(pong(i));
    }

    await().atMost(WAIT).until(() -> !session.closes().isEmpty());
    assertThat(session.texts().size()).isLessThanOrEqualTo(3);
    assertThat(session.frames().get(session.frames().size() - 1).kind())
        .isEqualTo(FakeSession.Kind.CLOSE);
    assertThat(overflows).hasValue(1);
  }

  @Test
  void acknowledgedOrFailedFramesNoLongerCountAgainstTheLimit() {
    session.acknowledge(false);
    Outbox outbox = outbox(4);
    for (int i = 0; i < 4; i++) {
      assertThat(outbox.send(pong(i))).isTrue();
    }
    await().atMost(WAIT).until(() -> session.texts().size() == 4);

    assertThat(session.ackAll(new SendResult())).isEqualTo(4);
    for (int i = 4; i < 8; i++) {
      assertThat(outbox.send(pong(i))).isTrue();
    }
    await().atMost(WAIT).until(() -> session.texts().size() == 8);
    // A frame that failed (the socket went away under it) is no longer waiting either.
    assertThat(session.ackAll(new SendResult(new IOException("reset")))).isEqualTo(4);
    assertThat(outbox.send(pong(8))).isTrue();

    await().atMost(WAIT).until(() -> session.texts().size() == 9);
    assertThat(session.closes()).isEmpty();
    assertThat(overflows).hasValue(0);
  }

  @Test
  void aWriteThatThrowsIsDroppedAndLaterFramesStillGoOut() {
    Outbox outbox = outbox(10);
    session.refuseWrites();
    outbox.send(pong(1));
    outbox.ping();

    await().atMost(WAIT).until(() -> session.pings() == 1);
    assertThat(session.texts()).isEmpty();
    outbox.closeAfterPending(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "bye"));
    await().atMost(WAIT).until(() -> session.closes().size() == 1);
  }

  @Test
  void drainWritesAtOnceStopsTheQueueAndClosesNow() throws Exception {
    Outbox outbox = outbox(10);
    Future<Void> sent = outbox.sendNow("{\"type\":\"reconnect\",\"reason\":\"shutdown\"}");

    assertThat(sent.get(1, TimeUnit.SECONDS)).isNull();
    assertThat(session.types()).containsExactly("reconnect");
    assertThat(outbox.send(pong(1))).isFalse();

    outbox.closeNow(new CloseReason(CloseReason.CloseCodes.SERVICE_RESTART, "server restarting"));
    outbox.closeNow(new CloseReason(CloseReason.CloseCodes.SERVICE_RESTART, "twice"));

    assertThat(session.closes()).hasSize(1);
    assertThat(session.closes().get(0).reason().getCloseCode())
        .isEqualTo(CloseReason.CloseCodes.SERVICE_RESTART);
    Thread.sleep(100);
    assertThat(session.texts()).hasSize(1);
  }

  @Test
  void aDrainMessageTheSocketRefusesIsGivenUpNotThrown() throws Exception {
    Outbox outbox = outbox(10);
    session.refuseWrites();

    Future<Void> sent = outbox.sendNow("{\"type\":\"reconnect\"}");

    assertThat(sent.get(1, TimeUnit.SECONDS)).isNull();
    assertThat(session.frames()).isEmpty();
  }

  @Test
  void pingsAreSentAsPingFrames() {
    Outbox outbox = outbox(10);
    assertThat(outbox.ping()).isTrue();
    outbox.send(pong(1));

    await().atMost(WAIT).until(() -> session.frames().size() == 2);
    assertThat(session.frames())
        .extracting(FakeSession.Frame::kind)
        .containsExactly(FakeSession.Kind.PING, FakeSession.Kind.TEXT);
  }

  @Test
  void aSocketTheContainerAlreadyClosedIsNotClosedAgain() throws Exception {
    Outbox outbox = outbox(10);
    session.closeByPeer();
    outbox.closeAfterPending(new CloseReason(CloseReason.CloseCodes.GOING_AWAY, "bye"));

    // The outbox records its close but does not call close() on a socket that is not open.
    Thread.sleep(100);
    assertThat(session.closes()).isEmpty();
    assertThat(outbox.send(pong(1))).isFalse();
  }
}
