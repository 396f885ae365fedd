package io.cheenhub.sfu.transport.srtp;

import java.util.Arrays;

/**
 * A bounded map from SSRC to a crypto context that evicts the least recently used entry when full.
 *
 * <p>Open addressing with linear probing over {@code int} keys, so a lookup neither boxes nor
 * allocates. Eviction scans for the oldest use stamp: O(capacity), but it only happens when a new
 * SSRC arrives at a full map. Not thread-safe.
 */
final class SsrcMap<V> {

  private final int capacity;
  private final int mask;
  private final int[] keys;
  private final Object[] values;
  private final long[] lastUse;
  private long clock;
  private int size;
  private long evictions;

  SsrcMap(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity " + capacity);
    }
    this.capacity = capacity;
    // At most half full keeps probe runs short.
    int slots = Integer.highestOneBit(capacity * 2 - 1) << 1;
    this.mask = slots - 1;
    this.keys = new int[slots];
    this.values = new Object[slots];
    this.lastUse = new long[slots];
  }

  /** The value for {@code ssrc}, marked as just used, or null. */
  V get(int ssrc) {
    int slot = find(ssrc);
    if (slot < 0) {
      return null;
    }
    lastUse[slot] = ++clock;
    return valueAt(slot);
  }

  /** Adds {@code ssrc} (absent), evicting the least recently used entry if the map is full. */
  void put(int ssrc, V value) {
    if (value == null) {
      throw new IllegalArgumentException("null value");
    }
    if (find(ssrc) >= 0) {
      throw new IllegalStateException("SSRC already mapped");
    }
    if (size == capacity) {
      remove(oldestSlot());
      evictions++;
    }
    int slot = home(ssrc);
    while (values[slot] != null) {
      slot = (slot + 1) & mask;
    }
    keys[slot] = ssrc;
    values[slot] = value;
    lastUse[slot] = ++clock;
    size++;
  }

  int size() {
    return size;
  }

  long evictions() {
    return evictions;
  }

  void clear() {
    Arrays.fill(values, null);
    size = 0;
  }

  @SuppressWarnings("unchecked") // Only put(int, V) stores values.
  private V valueAt(int slot) {
    return (V) values[slot];
  }

  private int find(int ssrc) {
    int slot = home(ssrc);
    while (values[slot] != null) {
      if (keys[slot] == ssrc) {
        return slot;
      }
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  private int oldestSlot() {
    int oldest = -1;
    for (int slot = 0; slot < values.length; slot++) {
      if (values[slot] != null && (oldest < 0 || lastUse[slot] < lastUse[oldest])) {
        oldest = slot;
      }
    }
    return oldest;
  }

  // Knuth's algorithm R (TAOCP vol. 3, 6.4): delete without tombstones by moving later entries of
  // the same probe run back into the hole.
  private void remove(int slot) {
    values[slot] = null;
    size--;
    int hole = slot;
    int next = (slot + 1) & mask;
    while (values[next] != null) {
      int home = home(keys[next]);
      boolean movable = hole <= next ? home <= hole || home > next : home <= hole && home > next;
      if (movable) {
        keys[hole] = keys[next];
        values[hole] = values[next];
        lastUse[hole] = lastUse[next];
        values[next] = null;
        hole = next;
      }
      next = (next + 1) & mask;
    }
  }

  // MurmurHash3 fmix32: SSRCs are random, but an attacker may pick them.
  private int home(int ssrc) {
    int h = ssrc;
    h ^= h >>> 16;
    h *= 0x85EBCA6B;
    h ^= h >>> 13;
    h *= 0xC2B2AE35;
    h ^= h >>> 16;
    return h & mask;
  }
}
