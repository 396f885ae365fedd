package io.cheenhub.sfu.media;

import io.cheenhub.sfu.packet.RingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounded pool of send buffers for forwarded packets (each one subscriber's copy). Buffers are made
 * on first need up to {@link #capacity()} and reused after that, so steady-state forwarding
 * allocates nothing; when all are in use, {@link #take()} returns null and the caller drops and
 * counts the packet instead of growing the heap. Lock-free ({@link RingQueue}); one pool can serve
 * every room.
 */
public final class PacketPool {

  /**
   * Default buffer count: 8192 × 1.5 KB ≈ 12.7 MB. Each subscriber holds at most its send queue
   * ({@link Subscriber#DEFAULT_QUEUE_PACKETS}), so 32 subscribers stuck at once cannot empty it.
   */
  public static final int DEFAULT_CAPACITY = 8_192;

  private final int capacity;
  private final RingQueue<OutgoingPacket> idle;
  private final AtomicInteger created = new AtomicInteger();

  /** A pool of at most {@code capacity} buffers. */
  public PacketPool(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, was " + capacity);
    }
    this.capacity = capacity;
    this.idle = new RingQueue<>(capacity);
  }

  /** A buffer, or null when {@link #capacity()} buffers are in use. */
  OutgoingPacket take() {
    OutgoingPacket packet = idle.poll();
    if (packet == null) {
      packet = create();
      if (packet == null) {
        return null;
      }
    }
    packet.pooled = false;
    return packet;
  }

  private OutgoingPacket create() {
    int count = created.get();
    while (count < capacity) {
      if (created.compareAndSet(count, count + 1)) {
        return new OutgoingPacket(this);
      }
      count = created.get();
    }
    return null;
  }

  /** Returns a buffer taken from this pool. */
  void give(OutgoingPacket packet) {
    if (packet.pooled) {
      throw new IllegalStateException("packet buffer released twice");
    }
    packet.pooled = true;
    packet.stream = null;
    packet.source = null;
    if (!idle.offer(packet)) {
      // Cannot happen: the ring holds at least capacity() buffers and no more exist.
      throw new IllegalStateException("packet pool overflow");
    }
  }

  /** Most buffers this pool hands out at once. */
  public int capacity() {
    return capacity;
  }

  /** Buffers made so far (they are never freed). */
  public int created() {
    return created.get();
  }

  /** Buffers out of the pool right now (approximate while packets flow). */
  public int inUse() {
    return created.get() - idle.size();
  }
}
