package io.cheenhub.sfu.loadgen.peer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One thread that owns many bot sockets: a selector reads every datagram (no thread per peer), and
 * a tick every {@link #TICK_MILLIS} ms drives ICE checks, consent and the bots' 20 ms voice clocks.
 * State touched here is confined to this thread; other threads hand work in with {@link #execute}.
 */
public final class MediaLoop implements Executor, AutoCloseable {

  /** Something that wants the loop's clock: a voice source. */
  public interface Ticker {
    void tick(long nowNanos);
  }

  public static final int TICK_MILLIS = 2;
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS);

  private final Selector selector;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final List<Peer> peers = new ArrayList<>();
  private final List<Ticker> tickers = new ArrayList<>();
  private final byte[] receive = new byte[2048];
  private final ByteBuffer receiveBuffer = ByteBuffer.wrap(receive);
  private final Thread thread;
  private volatile boolean running = true;

  public MediaLoop(String name) {
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Runs {@code task} on the loop's thread, soon. */
  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  /** Loop thread: adds a ticker, called every tick until {@link #removeTicker}. */
  public void addTicker(Ticker ticker) {
    tickers.add(ticker);
  }

  public void removeTicker(Ticker ticker) {
    tickers.remove(ticker);
  }

  void register(Peer peer) {
    try {
      peer.channel().register(selector, SelectionKey.OP_READ, peer);
      peers.add(peer);
    } catch (ClosedChannelException e) {
      // closed before it got here
    }
  }

  void unregister(Peer peer) {
    peers.remove(peer);
    SelectionKey key = peer.channel().keyFor(selector);
    if (key != null) {
      key.cancel();
    }
  }

  private void run() {
    long nextTick = System.nanoTime();
    while (running) {
      try {
        long wait = Math.max(1, (nextTick - System.nanoTime()) / 1_000_000);
        selector.select(wait);
        Runnable task;
        while ((task = tasks.poll()) != null) {
          task.run();
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          if (key.isValid()) {
            drain((Peer) key.attachment());
          }
        }
        long now = System.nanoTime();
        if (now >= nextTick) {
          for (int i = 0; i < peers.size(); i++) {
            peers.get(i).tick(now);
          }
          for (int i = 0; i < tickers.size(); i++) {
            tickers.get(i).tick(now);
          }
          nextTick += TICK_NANOS;
          if (now - nextTick > 50 * TICK_NANOS) {
            nextTick = now + TICK_NANOS; // stalled (GC, starved): do not replay missed ticks
          }
        }
      } catch (IOException | RuntimeException e) {
        if (running) {
          System.err.println(thread.getName() + ": " + e);
        }
      }
    }
  }

  private void drain(Peer peer) throws IOException {
    DatagramChannel channel = peer.channel();
    for (int i = 0; i < 64 && channel.isOpen(); i++) {
      receiveBuffer.clear();
      InetSocketAddress from = (InetSocketAddress) channel.receive(receiveBuffer);
      if (from == null) {
        return;
      }
      peer.onDatagram(receive, receiveBuffer.position(), from, System.nanoTime());
    }
  }

  /** Stops the thread; peers still registered are closed first. */
  @Override
  public void close() {
    execute(
        () -> {
          for (Peer peer : new ArrayList<>(peers)) {
            peer.close();
          }
        });
    execute(() -> running = false);
    try {
      thread.join(5_000);
      selector.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
