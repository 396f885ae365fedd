package io.cheenhub.sfu.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-room participant gauge with bounded label cardinality: the {@code limit} largest rooms by
 * their id, everyone else summed as {@code room="other"} ({@code sfu.metrics.max-room-labels}).
 *
 * @param largest room id → participants, largest first (ties by id, so the choice is stable)
 * @param other participants of every room not in {@code largest}
 */
record TopRooms(Map<String, Integer> largest, int other) {

  /** The label value of the aggregate series. */
  static final String OTHER = "other";

  /** Picks the {@code limit} largest of {@code sizes} (room id → participants). */
  static TopRooms of(Map<String, Integer> sizes, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0, was " + limit);
    }
    List<Map.Entry<String, Integer>> rooms = new ArrayList<>(sizes.entrySet());
    rooms.sort(
        Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
            .thenComparing(Map.Entry.comparingByKey()));
    var largest = new LinkedHashMap<String, Integer>();
    int other = 0;
    for (Map.Entry<String, Integer> room : rooms) {
      // A room literally named "other" would collide with the aggregate: it counts there.
      if (largest.size() < limit && !room.getKey().equals(OTHER)) {
        largest.put(room.getKey(), room.getValue());
      } else {
        other += room.getValue();
      }
    }
    return new TopRooms(java.util.Collections.unmodifiableMap(largest), other);
  }
}
