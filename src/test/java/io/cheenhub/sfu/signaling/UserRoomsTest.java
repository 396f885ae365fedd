package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UserRoomsTest {

  @Test
  void eachUserHoldsAtMostTheLimitAndGetsSeatsBack() {
    var rooms = new UserRooms(2);
    assertThat(rooms.tryAcquire("sub:ada")).isTrue();
    assertThat(rooms.tryAcquire("sub:ada")).isTrue();
    assertThat(rooms.tryAcquire("sub:ada")).isFalse();
    assertThat(rooms.tryAcquire("sub:bob")).isTrue();
    assertThat(rooms.held("sub:ada")).isEqualTo(2);
    rooms.release("sub:ada");
    assertThat(rooms.tryAcquire("sub:ada")).isTrue();
    rooms.release("sub:ada");
    rooms.release("sub:ada");
    rooms.release("sub:ada"); // more releases than seats: never negative
    assertThat(rooms.held("sub:ada")).isZero();
    assertThat(rooms.tryAcquire("sub:ada")).isTrue();
  }
}
