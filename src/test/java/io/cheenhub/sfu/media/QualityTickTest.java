package io.cheenhub.sfu.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.rtp.ReportBlock;
import io.cheenhub.sfu.rtp.RtcpCompound;
import io.cheenhub.sfu.rtp.RtcpPacket;
import io.cheenhub.sfu.rtp.RtcpSenderReport;
import io.cheenhub.sfu.rtp.RtcpWriter;
import io.cheenhub.sfu.rtp.RtpPacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The once-a-second quality pass over a real table, real packet workers and send queues. */
class QualityTickTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final int BROWSER_SSRC = 0x0B0B_0B0B;

  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final PacketWorkers workers = new PacketWorkers(executor, 2);
  private final PacketPool pool = new PacketPool(1_024);
  private final ForwardingTable table = new ForwardingTable("room");
  private final QualityTick tick = new QualityTick(pool);
  private final List<String> changes = new ArrayList<>();
  private final QualityTick.Listener listener =
      (publisher, previous, level) ->
          changes.add(publisher.participantId() + ":" + previous + "->" + level);
  private final RtpPacket view = new RtpPacket();
  private final byte[] scratch = new byte[ReceiverReports.BUFFER_BYTES];

  /** One participant: publisher, subscriber (with a capture) and its own RTP numbering. */
  private final class Member {
    final Publisher publisher;
    final Subscriber subscriber;
    final CapturingSender sender = new CapturingSender();
    final SubscriberReports reports;
    final int ssrc;
    int sequence;

    Member(String id, int ssrc) {
      publisher = new Publisher(id, TestRtp.PUBLISHER, pool);
      subscriber = new Subscriber(id, TestRtp.SUBSCRIBER, workers, 256, new LatencyHistogram());
      subscriber.setSender(sender);
      reports = new SubscriberReports(subscriber, table);
      this.ssrc = ssrc;
    }

    /** Publishes {@code count} packets, skipping every {@code lossEvery}-th (0: none). */
    void publish(int count, int lossEvery, long at) {
      for (int i = 0; i < count; i++, sequence++) {
        if (lossEvery > 0 && i % lossEvery == 0) {
          continue;
        }
        byte[] bytes =
            TestRtp.packet(ssrc, sequence, sequence * (long) TestRtp.TICKS_PER_PACKET, false, 1);
        assertThat(view.wrap(bytes, 0, bytes.length)).isTrue();
        publisher.onRtp(view, at);
      }
    }

    /** The receiver report the server would send this second (which measures the interval). */
    void receiverReport(long at) {
      publisher.writeReceiverReport(scratch, 0, at);
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    workers.close();
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
  }

  private Member[] room(int size) {
    var members = new Member[size];
    for (int i = 0; i < size; i++) {
      members[i] = new Member("p" + i, 1000 + i);
      table.addPublisher(members[i].publisher);
      table.addSubscriber(members[i].subscriber).forEach(OutgoingStream::activate);
    }
    table.snapshot().streams().forEach(OutgoingStream::activate);
    return members;
  }

  @Test
  void everySubscriberGetsOneSenderReportPerStreamItReceives() {
    Member[] members = room(3);
    long now = System.nanoTime();
    for (Member m : members) {
      m.publish(10, 0, now);
    }
    ForwardingTest.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> members[0].sender.count() == 20 && members[2].sender.count() == 20);

    tick.run(table, now + SECOND, listener);

    ForwardingTest.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> members[0].sender.rtcp().size() == 1);
    byte[] rtcp = members[0].sender.rtcp().get(0);
    var compound = new RtcpCompound();
    compound.wrap(rtcp, 0, rtcp.length);
    var sr = new RtcpSenderReport();
    var ssrcs = new ArrayList<Integer>();
    boolean sdes = false;
    while (compound.next()) {
      if (compound.packetType() == RtcpPacket.TYPE_SR) {
        assertThat(sr.wrap(compound)).isTrue();
        ssrcs.add(sr.senderSsrc());
        assertThat(sr.packetCount()).isEqualTo(10);
      } else {
        sdes |= compound.packetType() == RtcpPacket.TYPE_SDES;
      }
    }
    assertThat(compound.problem()).isEqualTo(RtcpCompound.Problem.NONE);
    assertThat(sdes).as("RFC 3550 §6.1: compound carries an SDES CNAME").isTrue();
    assertThat(ssrcs)
        .containsExactlyInAnyOrderElementsOf(
            table.snapshot().streamsTo(members[0].subscriber).stream()
                .map(OutgoingStream::ssrc)
                .toList());
  }

  @Test
  void uplinkLossAboveTenPercentStepsThePublisherDownAndKeepsRed() {
    Member[] members = room(2);
    long now = System.nanoTime();
    members[0].publish(50, 0, now); // the first report: a clean second
    members[0].receiverReport(now + SECOND);
    tick.run(table, now + SECOND, listener);
    assertThat(changes).isEmpty();

    members[0].publish(50, 4, now + SECOND); // 25 % lost on the way in
    members[0].receiverReport(now + 2 * SECOND);
    tick.run(table, now + 2 * SECOND, listener);

    assertThat(members[0].publisher.uplinkLoss()).isBetween(0.2, 0.3);
    assertThat(changes).containsExactly("p0:HIGH->MEDIUM");
    assertThat(members[0].publisher.level()).isEqualTo(QualityLevel.MEDIUM);
    OutgoingStream toListener =
        table.snapshot().stream(members[0].publisher, members[1].subscriber).orElseThrow();
    assertThat(toListener.isRedKept()).as("a lossy path gets RED").isTrue();
    OutgoingStream clean =
        table.snapshot().stream(members[1].publisher, members[0].subscriber).orElseThrow();
    assertThat(clean.isRedKept()).isFalse();
    assertThat(members[1].publisher.level()).isEqualTo(QualityLevel.HIGH);
  }

  @Test
  void aListenersReportedLossStepsThePublisherDown() {
    Member[] members = room(2);
    OutgoingStream stream =
        table.snapshot().stream(members[0].publisher, members[1].subscriber).orElseThrow();
    long now = System.nanoTime();
    byte[] buf = new byte[256];
    int length =
        RtcpWriter.receiverReport(
            buf, 0, BROWSER_SSRC, new ReportBlock[] {block(stream, 1_000, 0)}, 1);
    members[1].reports.onRtcp(buf, 0, length, now);
    tick.run(table, now + SECOND, listener);
    assertThat(stream.downlinkLoss()).isZero();
    assertThat(changes).isEmpty();

    // Five seconds later (libwebrtc's audio RR interval): 250 expected, 40 lost = 16 %.
    length =
        RtcpWriter.receiverReport(
            buf, 0, BROWSER_SSRC, new ReportBlock[] {block(stream, 1_250, 40)}, 1);
    members[1].reports.onRtcp(buf, 0, length, now + 5 * SECOND);
    tick.run(table, now + 6 * SECOND, listener);
    assertThat(stream.downlinkLoss()).isEqualTo(40 / 250.0);
    assertThat(stream.isRedKept()).isTrue();
    // The report stands for the next seconds: with the clean tick before it, the 3-tick window
    // passes 10 % on the second tick after it.
    tick.run(table, now + 7 * SECOND, listener);
    assertThat(changes).containsExactly("p0:HIGH->MEDIUM");

    // It keeps standing until 7.5 s after it arrived: one more step, 5 s after the first.
    for (int s = 8; s <= 12; s++) {
      tick.run(table, now + s * SECOND, listener);
    }
    assertThat(changes).containsExactly("p0:HIGH->MEDIUM", "p0:MEDIUM->LOW");
    // Then it expires: no information, the level holds (no step up without clean reports).
    for (int s = 13; s < 40; s++) {
      tick.run(table, now + s * SECOND, listener);
    }
    assertThat(changes).hasSize(2);
  }

  @Test
  void withLayersAListenersLossLowersOnlyWhatThatListenerGets() {
    Member[] members = room(3);
    Publisher speaker = members[0].publisher;
    speaker.setLayers(
        LayerMap.of(
            List.of(
                new LayerMap.Entry("0", null, List.of(1000L), 0, 64_000),
                new LayerMap.Entry("1", null, List.of(1001L), 1, 32_000),
                new LayerMap.Entry("2", null, List.of(1002L), 2, 16_000))));
    OutgoingStream lossy = table.snapshot().stream(speaker, members[1].subscriber).orElseThrow();
    OutgoingStream clean = table.snapshot().stream(speaker, members[2].subscriber).orElseThrow();
    var activeMasks = new ArrayList<Integer>();
    QualityTick.Listener layers =
        new QualityTick.Listener() {
          @Override
          public void onLevelChanged(Publisher p, QualityLevel previous, QualityLevel level) {
            changes.add(p.participantId() + ":" + previous + "->" + level);
          }

          @Override
          public void onLayersChanged(Publisher publisher, int activeMask) {
            activeMasks.add(activeMask);
          }
        };
    long now = System.nanoTime();
    byte[] buf = new byte[256];
    long highest = 1_000;
    int lost = 0;
    for (int s = 1; s <= 6; s++) {
      // Every second a report from the lossy listener: 50 expected, 15 lost (30 %).
      highest += 50;
      lost += s == 1 ? 0 : 15;
      int length =
          RtcpWriter.receiverReport(
              buf, 0, BROWSER_SSRC, new ReportBlock[] {block(lossy, highest, lost)}, 1);
      members[1].reports.onRtcp(buf, 0, length, now + s * SECOND);
      tick.run(table, now + s * SECOND, layers);
    }

    assertThat(lossy.targetLayer()).as("the lossy listener's layer").isPositive();
    assertThat(clean.targetLayer()).as("the clean listener keeps h").isZero();
    assertThat(changes).as("the speaker is not stepped down for one listener").isEmpty();
    assertThat(speaker.level()).isEqualTo(QualityLevel.HIGH);
    assertThat(activeMasks).as("the speaker is asked for the lower layer too").isNotEmpty();
    assertThat(activeMasks.get(activeMasks.size() - 1) & 1).as("h still needed").isOne();
    assertThat(activeMasks.get(activeMasks.size() - 1) & (1 << lossy.targetLayer())).isPositive();
  }

  @Test
  void singleLossySecondsOfRandomLossNeverMakeTheEstimateABudget() {
    // Seconds of a 5 % random-loss link: now and then one reads above 10 %, never two in a row.
    double[] trace = {0.04, 0.12, 0.06, 0.02, 0.14, 0.04, Double.NaN, 0.08, 0.12, 0.0, 0.06, 0.12};
    int lossy = 0;
    for (double loss : trace) {
      lossy = QualityTick.lossyTicks(lossy, loss);
      assertThat(QualityTick.budgetTrusted(loss, lossy)).as("a second at %s", loss).isFalse();
    }
  }

  @Test
  void sustainedOrHeavyLossMakesTheEstimateABudget() {
    int lossy = QualityTick.lossyTicks(0, 0.12);
    assertThat(QualityTick.budgetTrusted(0.12, lossy)).as("the first lossy second").isFalse();
    lossy = QualityTick.lossyTicks(lossy, 0.15);
    assertThat(QualityTick.budgetTrusted(0.15, lossy)).as("the second in a row").isTrue();
    // A second without feedback holds the count; a clean one ends the run.
    assertThat(QualityTick.lossyTicks(lossy, Double.NaN)).isEqualTo(2);
    assertThat(QualityTick.lossyTicks(lossy, 0.01)).isZero();
    // A link that drops most of what is sent (a cap far below the layers) counts at once.
    assertThat(QualityTick.budgetTrusted(0.7, QualityTick.lossyTicks(0, 0.7))).isTrue();
    assertThat(QualityTick.budgetTrusted(0.26, 1)).isTrue();
    assertThat(QualityTick.budgetTrusted(Double.NaN, 5)).as("no feedback this second").isFalse();
  }

  @Test
  void aReceiverReportIsLayerEvidenceOnceNotOnEveryTickWhileItIsHeld() {
    Member[] members = room(2);
    Publisher speaker = members[0].publisher;
    speaker.setLayers(
        LayerMap.of(
            List.of(
                new LayerMap.Entry("0", null, List.of(1000L), 0, 64_000),
                new LayerMap.Entry("1", null, List.of(1001L), 1, 32_000),
                new LayerMap.Entry("2", null, List.of(1002L), 2, 16_000))));
    OutgoingStream listener = table.snapshot().stream(speaker, members[1].subscriber).orElseThrow();
    long now = System.nanoTime();
    byte[] buf = new byte[256];
    // A listener without transport-wide feedback reports every 5 s (libwebrtc's audio interval):
    // a clean report, then one whose 5 s lost 30 % of the packets.
    long highest = 1_000;
    int length =
        RtcpWriter.receiverReport(
            buf, 0, BROWSER_SSRC, new ReportBlock[] {block(listener, highest, 0)}, 1);
    members[1].reports.onRtcp(buf, 0, length, now);
    tick.run(table, now, listener());
    highest += 250;
    length =
        RtcpWriter.receiverReport(
            buf, 0, BROWSER_SSRC, new ReportBlock[] {block(listener, highest, 75)}, 1);
    members[1].reports.onRtcp(buf, 0, length, now + 5 * SECOND);
    for (int s = 5; s <= 10; s++) {
      tick.run(table, now + s * SECOND, listener());
    }

    // That report is heavy loss, once: one step down. It still stands for RED and the listener's
    // loss in the stats until the next is due, but fed to the selector again three ticks later it
    // would count as a second lossy interval and take the listener to l on no evidence about m.
    assertThat(listener.targetLayer()).as("the listener's layer").isEqualTo(1);
    assertThat(listener.selector.switches()).isEqualTo(1);
    assertThat(listener.heldDownlinkLoss(now + 10 * SECOND)).isEqualTo(0.3);
  }

  private QualityTick.Listener listener() {
    return (publisher, previous, level) -> {};
  }

  private static ReportBlock block(OutgoingStream stream, long highest, int cumulativeLost) {
    return new ReportBlock().set(stream.ssrc(), 0, cumulativeLost, highest, 0, 0, 0);
  }
}
