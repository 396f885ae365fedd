package io.cheenhub.sfu.transport.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The SSRC context map behaves like an access-ordered LRU map of the same capacity. */
class SsrcMapTest {

  @Test
  void evictsTheLeastRecentlyUsed() {
    SsrcMap<String> map = new SsrcMap<>(2);
    map.put(1, "a");
    map.put(2, "b");
    assertThat(map.get(1)).isEqualTo("a");
    map.put(3, "c");
    assertThat(map.get(2)).isNull();
    assertThat(map.get(1)).isEqualTo("a");
    assertThat(map.get(3)).isEqualTo("c");
    assertThat(map.size()).isEqualTo(2);
    assertThat(map.evictions()).isEqualTo(1);
  }

  @Test
  void agreesWithAReferenceLruUnderRandomUse() {
    int capacity = 256;
    SsrcMap<Integer> map = new SsrcMap<>(capacity);
    Map<Integer, Integer> reference =
        new LinkedHashMap<>(16, 0.75f, true) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<Integer, Integer> eldest) {
            return size() > capacity;
          }
        };
    Random random = new Random(0x55C);
    for (int i = 0; i < 200_000; i++) {
      // A small key space (with colliding hashes likely) exercises hits, misses and evictions.
      int ssrc = random.nextInt(400) * 0x10000 - 200;
      Integer expected = reference.get(ssrc);
      assertThat(map.get(ssrc)).isEqualTo(expected);
      if (expected == null) {
        map.put(ssrc, i);
        reference.put(ssrc, i);
      }
      assertThat(map.size()).isEqualTo(reference.size());
    }
  }
}
