package io.cheenhub.sfu.loadgen.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A user-space network impairment between clients and a server (the kernel here has no netem):
 * clients send to {@link #address()}, which the server advertises as its candidate ({@code
 * sfu.media.advertised-addresses}); for every client the relay opens a socket of its own toward the
 * server, like a NAT, so the server sees one source per client. Each direction has its own {@link
 * Impairment}, replaceable while running, applied to every client's path on its own: a bandwidth
 * cap and its queue, and the Gilbert–Elliott burst state, belong to one client's access link (as
 * netem on each client's interface would), not to a bottleneck all clients share. One thread;
 * datagrams wait in a queue ordered by departure time.
 */
public final class ImpairmentRelay implements AutoCloseable {

  /** Which way a datagram travels. */
  public enum Direction {
    /** Client to server. */
    UP,
    /** Server to client. */
    DOWN
  }

  /** Counts for one direction since the relay started. */
  public record Stats(
      long received,
      long forwarded,
      long droppedRandom,
      long droppedBurst,
      long droppedQueue,
      long reordered,
      double meanDelayMillis,
      double maxDelayMillis) {

    public long dropped() {
      return droppedRandom + droppedBurst + droppedQueue;
    }
  }

  private static final int MAX_DATAGRAM = 2048;

  private final Selector selector;
  private final DatagramChannel front;
  private final InetSocketAddress server;
  private final Map<InetSocketAddress, ClientPath> clients = new ConcurrentHashMap<>();
  private final PriorityQueue<Pending> pending = new PriorityQueue<>();
  private final Link up = new Link(1);
  private final Link down = new Link(2);
  private final ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
  private final Thread thread;
  private volatile boolean running = true;
  private long sequence;

  /** Listens on {@code listen} (port 0 for any) and relays to {@code server}. */
  public ImpairmentRelay(InetSocketAddress listen, InetSocketAddress server) throws IOException {
    this.server = server;
    this.selector = Selector.open();
    this.front = DatagramChannel.open();
    front.bind(listen);
    front.configureBlocking(false);
    front.register(selector, SelectionKey.OP_READ, null);
    this.thread = new Thread(this::run, "impairment-relay-" + address().getPort());
    thread.setDaemon(true);
    thread.start();
  }

  /** Where clients send: the address to advertise in the server's candidates. */
  public InetSocketAddress address() {
    try {
      return (InetSocketAddress) front.getLocalAddress();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Replaces what {@code direction} does from the next datagram on. */
  public void set(Direction direction, Impairment impairment) {
    link(direction).impairment = impairment;
  }

  /** The same impairment both ways. */
  public void setBoth(Impairment impairment) {
    set(Direction.UP, impairment);
    set(Direction.DOWN, impairment);
  }

  public Stats stats(Direction direction) {
    return link(direction).stats();
  }

  /** What {@code direction} does now. */
  public Impairment impairment(Direction direction) {
    return link(direction).impairment;
  }

  /** Clients seen so far (one upstream socket each). */
  public int clients() {
    return clients.size();
  }

  private Link link(Direction direction) {
    return direction == Direction.UP ? up : down;
  }

  private void run() {
    while (running) {
      try {
        long wait = 0;
        Pending next = pending.peek();
        if (next != null) {
          wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(next.departNanos - System.nanoTime()));
        }
        selector.select(wait);
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          if (key.isValid() && key.isReadable()) {
            drain((DatagramChannel) key.channel(), (ClientPath) key.attachment());
          }
        }
        long now = System.nanoTime();
        while ((next = pending.peek()) != null && next.departNanos <= now) {
          pending.poll();
          try {
            next.channel.send(ByteBuffer.wrap(next.data), next.target);
            next.link.forwarded.incrementAndGet();
          } catch (IOException e) {
            // the client or the server went away; counted as not forwarded
          }
        }
      } catch (IOException | RuntimeException e) {
        if (running) {
          System.err.println("impairment relay: " + e);
        }
      }
    }
  }

  /** {@code path} is null for the front socket, else the client an upstream socket serves. */
  private void drain(DatagramChannel channel, ClientPath path) throws IOException {
    for (int i = 0; i < 64; i++) {
      buffer.clear();
      InetSocketAddress from = (InetSocketAddress) channel.receive(buffer);
      if (from == null) {
        return;
      }
      buffer.flip();
      byte[] data = new byte[buffer.remaining()];
      buffer.get(data);
      if (path == null) {
        ClientPath client = clients.get(from);
        if (client == null) {
          DatagramChannel upstream = DatagramChannel.open();
          upstream.bind(new InetSocketAddress(address().getAddress(), 0));
          upstream.configureBlocking(false);
          client = new ClientPath(from, upstream);
          upstream.register(selector, SelectionKey.OP_READ, client);
          clients.put(from, client);
        }
        up.offer(client.up, data, client.upstream, server);
      } else {
        down.offer(path.down, data, front, path.client);
      }
    }
  }

  /** A datagram waiting for its departure time. */
  private final class Pending implements Comparable<Pending> {
    final byte[] data;
    final DatagramChannel channel;
    final InetSocketAddress target;
    final long departNanos;
    final long order = sequence++;
    final Link link;

    Pending(
        Link link, byte[] data, DatagramChannel channel, InetSocketAddress target, long depart) {
      this.link = link;
      this.data = data;
      this.channel = channel;
      this.target = target;
      this.departNanos = depart;
    }

    @Override
    public int compareTo(Pending other) {
      int byTime = Long.compare(departNanos, other.departNanos);
      return byTime != 0 ? byTime : Long.compare(order, other.order);
    }
  }

  /** One client: its socket toward the server and the state of its access link each way. */
  private static final class ClientPath {
    final InetSocketAddress client;
    final DatagramChannel upstream;
    final PathState up = new PathState();
    final PathState down = new PathState();

    ClientPath(InetSocketAddress client, DatagramChannel upstream) {
      this.client = client;
      this.upstream = upstream;
    }
  }

  /** One client's link in one direction: Gilbert–Elliott state and when the capped link is free. */
  private static final class PathState {
    boolean bad;
    long linkFreeNanos;
  }

  /** One direction: its impairment, its randomness, its counts over all clients. */
  private final class Link {
    volatile Impairment impairment = Impairment.NONE;
    final SplittableRandom random;
    final AtomicLong received = new AtomicLong();
    final AtomicLong forwarded = new AtomicLong();
    final AtomicLong droppedRandom = new AtomicLong();
    final AtomicLong droppedBurst = new AtomicLong();
    final AtomicLong droppedQueue = new AtomicLong();
    final AtomicLong reordered = new AtomicLong();
    final AtomicLong delayedNanos = new AtomicLong();
    final AtomicLong delayedCount = new AtomicLong();
    final AtomicLong maxDelayNanos = new AtomicLong();

    Link(long seed) {
      this.random = new SplittableRandom(seed);
    }

    void offer(PathState path, byte[] data, DatagramChannel channel, InetSocketAddress target) {
      received.incrementAndGet();
      Impairment imp = impairment;
      long now = System.nanoTime();
      // Gilbert–Elliott: move between the states, then drop with the state's probability.
      path.bad =
          path.bad
              ? random.nextDouble() >= imp.burstExit()
              : random.nextDouble() < imp.burstEnter();
      if (path.bad && random.nextDouble() < imp.burstLoss()) {
        droppedBurst.incrementAndGet();
        return;
      }
      if (random.nextDouble() < imp.loss()) {
        droppedRandom.incrementAndGet();
        return;
      }
      long start = now;
      if (imp.bitsPerSecond() > 0) {
        // The queue holds what still waits for the cap (not what waits in the delay line).
        long backlogBytes =
            Math.max(0, path.linkFreeNanos - now) * imp.bitsPerSecond() / 8 / 1_000_000_000L;
        if (backlogBytes > 0 && backlogBytes + data.length > imp.queueBytes()) {
          droppedQueue.incrementAndGet();
          return;
        }
        start = Math.max(now, path.linkFreeNanos);
        path.linkFreeNanos = start + data.length * 8L * 1_000_000_000L / imp.bitsPerSecond();
        start = path.linkFreeNanos;
      }
      long delay = TimeUnit.MILLISECONDS.toNanos(imp.delayMillis());
      if (imp.jitterMillis() > 0) {
        long jitter = TimeUnit.MILLISECONDS.toNanos(imp.jitterMillis());
        delay = Math.max(0, delay + random.nextLong(-jitter, jitter + 1));
      }
      if (imp.reorder() > 0 && random.nextDouble() < imp.reorder()) {
        delay += TimeUnit.MILLISECONDS.toNanos(Impairment.REORDER_EXTRA_MILLIS);
        reordered.incrementAndGet();
      }
      long depart = start + delay;
      long total = depart - now;
      delayedNanos.addAndGet(total);
      delayedCount.incrementAndGet();
      maxDelayNanos.accumulateAndGet(total, Math::max);
      pending.add(new Pending(this, data, channel, target, depart));
    }

    Stats stats() {
      long count = delayedCount.get();
      return new Stats(
          received.get(),
          forwarded.get(),
          droppedRandom.get(),
          droppedBurst.get(),
          droppedQueue.get(),
          reordered.get(),
          count == 0 ? 0 : delayedNanos.get() / 1e6 / count,
          maxDelayNanos.get() / 1e6);
    }
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      thread.join(2_000);
      for (ClientPath client : clients.values()) {
        client.upstream.close();
      }
      front.close();
      selector.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
