package io.cheenhub.sfu.packet;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded multi-producer multi-consumer queue that neither locks nor allocates per element
 * (Dmitry Vyukov's bounded MPMC queue: each slot carries a sequence number telling whether it is
 * free for the producer or filled for the consumer of a given lap).
 *
 * <p>Used for packet queues and buffer pools on the packet path, where a {@code
 * ConcurrentLinkedQueue} would allocate a node per packet and an {@code ArrayBlockingQueue} would
 * put one lock between every room that shares it.
 */
public final class RingQueue<E> {

  private final int mask;
  private final AtomicReferenceArray<E> slots;
  private final AtomicLongArray sequences;
  private final AtomicLong enqueuePosition = new AtomicLong();
  private final AtomicLong dequeuePosition = new AtomicLong();

  /**
   * A queue holding up to {@code capacity} elements, rounded up to a power of two and at least 2
   * (with one slot, "filled in lap n" and "free in lap n+1" would be the same sequence number).
   */
  public RingQueue(int capacity) {
    if (capacity < 1 || capacity > (1 << 30)) {
      throw new IllegalArgumentException("capacity must be 1..2^30, was " + capacity);
    }
    int size = capacity <= 2 ? 2 : Integer.highestOneBit(capacity - 1) << 1;
    mask = size - 1;
    slots = new AtomicReferenceArray<>(size);
    sequences = new AtomicLongArray(size);
    for (int i = 0; i < size; i++) {
      sequences.set(i, i);
    }
  }

  /** Number of slots. */
  public int capacity() {
    return mask + 1;
  }

  /** Adds {@code element} unless the queue is full. */
  public boolean offer(E element) {
    long position = enqueuePosition.get();
    int index;
    while (true) {
      index = (int) (position & mask);
      long difference = sequences.get(index) - position;
      if (difference == 0) {
        if (enqueuePosition.compareAndSet(position, position + 1)) {
          break;
        }
        position = enqueuePosition.get();
      } else if (difference < 0) {
        return false;
      } else {
        position = enqueuePosition.get();
      }
    }
    slots.lazySet(index, element);
    sequences.set(index, position + 1);
    return true;
  }

  /** Removes and returns the oldest element, or null if the queue is empty. */
  public E poll() {
    long position = dequeuePosition.get();
    int index;
    while (true) {
      index = (int) (position & mask);
      long difference = sequences.get(index) - (position + 1);
      if (difference == 0) {
        if (dequeuePosition.compareAndSet(position, position + 1)) {
          break;
        }
        position = dequeuePosition.get();
      } else if (difference < 0) {
        return null;
      } else {
        position = dequeuePosition.get();
      }
    }
    E element = slots.get(index);
    slots.lazySet(index, null);
    sequences.set(index, position + mask + 1);
    return element;
  }

  /** Approximate number of elements (exact when no one else is using the queue). */
  public int size() {
    long size = enqueuePosition.get() - dequeuePosition.get();
    return (int) Math.max(0, Math.min(size, capacity()));
  }

  /** Whether the queue is (approximately) empty. */
  public boolean isEmpty() {
    return size() == 0;
  }
}
