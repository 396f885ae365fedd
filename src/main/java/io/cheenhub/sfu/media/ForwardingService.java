package io.cheenhub.sfu.media;

import io.cheenhub.sfu.packet.PacketWorkers;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * What the forwarding of every room shares: the pool of packet copies and the packet workers; and
 * the server-wide view of forwarding (packets, drops, latency) summed from the per-subscriber
 * counters, so the packet path never touches a server-wide counter.
 *
 * <p>Not a CDI bean itself: the signaling service creates one per deployment, so unit tests can
 * build it with plain executors.
 */
public final class ForwardingService {

  private final PacketPool pool;
  private final Supplier<PacketWorkers> workers;
  private final int queuePackets;
  private final Set<Publisher> publishers = ConcurrentHashMap.newKeySet();
  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
  // The relay SSRCs of the publishers here (unique per server: a relay's receiver maps them).
  private final Set<Integer> relaySsrcs = ConcurrentHashMap.newKeySet();
  // Bumped on a layer switch (rare: at most one per stream every few seconds), never per packet.
  private final LongAdder layerSwitches = new LongAdder();
  // Only the one reporting thread uses it; sendRtcp is done with it when it returns.
  private final byte[] reportScratch = new byte[ReceiverReports.BUFFER_BYTES];
  private final QualityTick qualityTick;
  private volatile boolean publisherFeedback;
  private volatile boolean decryptSilent;
  // Counts of subscribers and publishers that are gone, so totals never go backwards. A leave
  // moves the counts and removes the member under this lock, and a reader sums under it: no read
  // sees a member's counts twice or not at all (control path and scrapes only, never a packet).
  private final Object retiredLock = new Object();
  private long retiredForwarded;
  private final Map<Subscriber.Drop, Long> retiredDrops = new EnumMap<>(Subscriber.Drop.class);
  private final Map<Publisher.Drop, Long> retiredPublisherDrops =
      new EnumMap<>(Publisher.Drop.class);
  private LatencyHistogram.Snapshot retiredLatency = LatencyHistogram.Snapshot.EMPTY;

  /**
   * @param poolCapacity packet copies in flight at most, e.g. {@link PacketPool#DEFAULT_CAPACITY}
   * @param workers the packet workers (looked up late: they start with the transports)
   * @param queuePackets each subscriber's send queue length
   */
  public ForwardingService(int poolCapacity, Supplier<PacketWorkers> workers, int queuePackets) {
    this.pool = new PacketPool(poolCapacity);
    this.qualityTick = new QualityTick(pool);
    this.workers = workers;
    this.queuePackets = queuePackets;
  }

  /**
   * A publisher for {@code participantId}, counted until {@link #forget(Publisher)}. It gets an
   * SSRC unique among this server's publishers for its audio on cascade relays.
   */
  public Publisher newPublisher(String participantId, NegotiatedRtp negotiated) {
    var publisher = new Publisher(participantId, negotiated, pool, layerSwitches, null);
    publisher.setTransportCcFeedback(publisherFeedback);
    publisher.setDecryptSilent(decryptSilent);
    while (true) {
      int ssrc = ThreadLocalRandom.current().nextInt();
      if (ssrc != 0 && relaySsrcs.add(ssrc)) {
        publisher.setRelaySsrc(ssrc);
        break;
      }
    }
    publishers.add(publisher);
    return publisher;
  }

  /**
   * A publisher whose audio comes over a cascade relay from instance {@code origin}: participant
   * {@code participantId} speaks there. Its packets never go on to another relay.
   */
  public Publisher newRemotePublisher(
      String participantId, NegotiatedRtp negotiated, String origin) {
    var publisher =
        new Publisher(
            participantId, negotiated, pool, layerSwitches, Objects.requireNonNull(origin));
    publisher.setTransportCcFeedback(false);
    publishers.add(publisher);
    return publisher;
  }

  /** A subscriber for {@code participantId}, counted until {@link #forget(Subscriber)}. */
  public Subscriber newSubscriber(String participantId, NegotiatedRtp negotiated) {
    var subscriber =
        new Subscriber(
            participantId, negotiated, workers.get(), queuePackets, new LatencyHistogram(), null);
    subscribers.add(subscriber);
    return subscriber;
  }

  /**
   * The subscriber that carries a room's selected speakers here to instance {@code instance} over
   * the cascade relay; counted until {@link #forget(Subscriber)}.
   */
  public Subscriber newRelaySubscriber(String instance, NegotiatedRtp negotiated) {
    var subscriber =
        new Subscriber(
            Subscriber.RELAY_PREFIX + instance,
            negotiated,
            workers.get(),
            queuePackets,
            new LatencyHistogram(),
            instance);
    subscribers.add(subscriber);
    return subscriber;
  }

  /** The publisher left its table for good: keep its counts in the totals. */
  public void forget(Publisher publisher) {
    relaySsrcs.remove(publisher.relaySsrc());
    synchronized (retiredLock) {
      if (publishers.remove(publisher)) {
        for (Publisher.Drop drop : Publisher.Drop.values()) {
          retiredPublisherDrops.merge(drop, publisher.dropped(drop), Long::sum);
        }
      }
    }
  }

  /** The subscriber left its table for good (and is closed): keep its counts in the totals. */
  public void forget(Subscriber subscriber) {
    synchronized (retiredLock) {
      if (subscribers.remove(subscriber)) {
        retiredForwarded += subscriber.forwarded();
        for (Subscriber.Drop drop : Subscriber.Drop.values()) {
          retiredDrops.merge(drop, subscriber.dropped(drop), Long::sum);
        }
        retiredLatency = retiredLatency.plus(subscriber.latency().snapshot());
      }
    }
  }

  /** Publishers in any table. */
  public int publisherCount() {
    return publishers.size();
  }

  /** Subscribers in any table. */
  public int subscriberCount() {
    return subscribers.size();
  }

  /** RTP packets sent to subscribers since start. */
  public long packetsForwarded() {
    synchronized (retiredLock) {
      long total = retiredForwarded;
      for (Subscriber subscriber : subscribers) {
        total += subscriber.forwarded();
      }
      return total;
    }
  }

  /** Copies not sent for {@code reason} since start. */
  public long dropped(Subscriber.Drop reason) {
    synchronized (retiredLock) {
      long total = retiredDrops.getOrDefault(reason, 0L);
      for (Subscriber subscriber : subscribers) {
        total += subscriber.dropped(reason);
      }
      return total;
    }
  }

  /** Packets publishers did not forward for {@code reason} since start. */
  public long dropped(Publisher.Drop reason) {
    synchronized (retiredLock) {
      long total = retiredPublisherDrops.getOrDefault(reason, 0L);
      for (Publisher publisher : publishers) {
        total += publisher.dropped(reason);
      }
      return total;
    }
  }

  /** Forwarding latency (packet in → packet out) of every packet sent since start. */
  public LatencyHistogram.Snapshot latency() {
    synchronized (retiredLock) {
      LatencyHistogram.Snapshot total = retiredLatency;
      for (Subscriber subscriber : subscribers) {
        total = total.plus(subscriber.latency().snapshot());
      }
      return total;
    }
  }

  /**
   * Sends every publisher its receiver report; called once a second from one scheduler thread (RFC
   * 3550 §6.2 allows any interval for a receiver with this little RTCP).
   */
  public void sendReceiverReports() {
    long now = System.nanoTime();
    for (Publisher publisher : publishers) {
      publisher.sendReceiverReport(reportScratch, now);
    }
  }

  /**
   * Whether new publishers get transport-wide feedback ({@code sfu.quality.publisher-feedback}).
   */
  /**
   * Whether publishers in no speaker slot are decrypted all the same ({@code
   * sfu.room.decrypt-silent}, default false); for publishers created from now on.
   */
  public void setDecryptSilent(boolean enabled) {
    decryptSilent = enabled;
  }

  public void setPublisherFeedback(boolean enabled) {
    publisherFeedback = enabled;
  }

  /** Whether lossy subscribers get the server's RED ({@code sfu.quality.red}). */
  public void setRedEnabled(boolean enabled) {
    qualityTick.setRedEnabled(enabled);
  }

  /**
   * Once a second, after {@link #sendReceiverReports()} on the same thread: sender reports, loss,
   * quality levels and RED decisions for one room's table (see {@link QualityTick}).
   */
  public void tick(ForwardingTable table, QualityTick.Listener listener) {
    qualityTick.run(table, System.nanoTime(), listener);
  }

  /** Publishers currently asked to send at {@code level}. */
  public int publishersAt(QualityLevel level) {
    int count = 0;
    for (Publisher publisher : publishers) {
      if (publisher.level() == level) {
        count++;
      }
    }
    return count;
  }

  /** The highest uplink loss (0..1) any publisher had in its last report interval, 0 if none. */
  public double maxUplinkLoss() {
    double max = 0;
    for (Publisher publisher : publishers) {
      double loss = publisher.uplinkLoss();
      if (loss > max) {
        max = loss;
      }
    }
    return max;
  }

  /**
   * The highest loss (0..1) a subscriber reported on any stream within {@link
   * QualityTick#LISTENER_LOSS_HOLD_NANOS}, 0 if none.
   */
  public double maxDownlinkLoss() {
    long now = System.nanoTime();
    double max = 0;
    for (Publisher publisher : publishers) {
      for (OutgoingStream stream : publisher.routes()) {
        double loss = stream.heldDownlinkLoss(now);
        if (loss > max) { // NaN (none, or expired) compares false
          max = loss;
        }
      }
    }
    return max;
  }

  /** Streams of layered publishers whose listener now gets layer {@code index}. */
  public int streamsReceiving(int index) {
    int count = 0;
    for (Publisher publisher : publishers) {
      if (publisher.layers().isLayered()) {
        for (OutgoingStream stream : publisher.routes()) {
          if (stream.receivedLayer() == index) {
            count++;
          }
        }
      }
    }
    return count;
  }

  /** Layered publishers asked to send layer {@code index}. */
  public int publishersSending(int index) {
    int count = 0;
    for (Publisher publisher : publishers) {
      if (publisher.layers().isLayered() && (publisher.activeLayers() & (1 << index)) != 0) {
        count++;
      }
    }
    return count;
  }

  /** Layer switches of every stream since start. */
  public long layerSwitches() {
    return layerSwitches.sum();
  }

  /** Streams whose subscriber currently gets RED kept. */
  public int redStreams() {
    int count = 0;
    for (Publisher publisher : publishers) {
      for (OutgoingStream stream : publisher.routes()) {
        if (stream.isRedKept()) {
          count++;
        }
      }
    }
    return count;
  }

  /** The shared pool of packet copies. */
  public PacketPool pool() {
    return pool;
  }
}
