package io.cheenhub.sfu.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopRoomsTest {

  @Test
  void theLargestRoomsGetLabelsAndTheRestAreSummedAsOther() {
    var top = TopRooms.of(Map.of("a", 3, "b", 10, "c", 1, "d", 7), 2);

    assertThat(top.largest()).containsExactly(Map.entry("b", 10), Map.entry("d", 7));
    assertThat(top.other()).isEqualTo(4);
  }

  @Test
  void cardinalityStaysBoundedWhateverTheNumberOfRooms() {
    var sizes = new HashMap<String, Integer>();
    for (int i = 0; i < 5_000; i++) {
      sizes.put("room-" + i, 1 + i % 7);
    }
    var top = TopRooms.of(sizes, 20);

    assertThat(top.largest()).hasSize(20).allSatisfy((room, size) -> assertThat(size).isEqualTo(7));
    int labelled = top.largest().values().stream().mapToInt(Integer::intValue).sum();
    int all = sizes.values().stream().mapToInt(Integer::intValue).sum();
    assertThat(top.other()).isEqualTo(all - labelled);
  }

  @Test
  void tiesAreBrokenByIdSoTheLabelsDoNotFlap() {
    var top = TopRooms.of(Map.of("zeta", 2, "alpha", 2, "mid", 2), 2);

    assertThat(top.largest()).containsExactly(Map.entry("alpha", 2), Map.entry("mid", 2));
    assertThat(top.other()).isEqualTo(2);
  }

  @Test
  void aRoomCalledOtherIsCountedInTheAggregateNotAsASecondSeries() {
    var top = TopRooms.of(Map.of("other", 9, "x", 1), 5);

    assertThat(top.largest()).containsExactly(Map.entry("x", 1));
    assertThat(top.other()).isEqualTo(9);
  }

  @Test
  void zeroLabelsPutsEveryoneInOther() {
    var top = TopRooms.of(Map.of("a", 2, "b", 3), 0);

    assertThat(top.largest()).isEmpty();
    assertThat(top.other()).isEqualTo(5);
    assertThatThrownBy(() -> TopRooms.of(Map.of(), -1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
