package io.cheenhub.sfu.signaling;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many room memberships each user holds across all its connections, for {@code
 * sfu.auth.max-rooms-per-user}. A user is a token's {@code sub}; without a token, the connection. A
 * membership counts from its join until it leaves for good (a suspended one still counts).
 */
final class UserRooms {

  private final int maxPerUser;
  private final Map<String, Integer> counts = new ConcurrentHashMap<>();

  UserRooms(int maxPerUser) {
    this.maxPerUser = maxPerUser;
  }

  /** Takes one membership for {@code user}; false if it already holds the maximum. */
  boolean tryAcquire(String user) {
    boolean[] taken = {false};
    counts.compute(
        user,
        (k, n) -> {
          int held = n == null ? 0 : n;
          if (held >= maxPerUser) {
            return n;
          }
          taken[0] = true;
          return held + 1;
        });
    return taken[0];
  }

  /** Gives one membership of {@code user} back. */
  void release(String user) {
    counts.computeIfPresent(user, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Memberships {@code user} holds. */
  int held(String user) {
    return counts.getOrDefault(user, 0);
  }

  int maxPerUser() {
    return maxPerUser;
  }
}
