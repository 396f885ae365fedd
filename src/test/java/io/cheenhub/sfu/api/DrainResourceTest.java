package io.cheenhub.sfu.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DrainResourceTest {

  @Test
  void onlyLoopbackAddressesMayDrain() {
    assertThat(DrainResource.fromLoopback("127.0.0.1")).isTrue();
    assertThat(DrainResource.fromLoopback("127.0.0.2")).isTrue();
    assertThat(DrainResource.fromLoopback("::1")).isTrue();
    assertThat(DrainResource.fromLoopback("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(DrainResource.fromLoopback("192.0.2.2")).isFalse();
    assertThat(DrainResource.fromLoopback("10.0.0.1")).isFalse();
    assertThat(DrainResource.fromLoopback("::ffff:10.0.0.1")).isFalse();
    assertThat(DrainResource.fromLoopback(null)).isFalse();
    assertThat(DrainResource.fromLoopback("")).as("InetAddress reads \"\" as localhost").isFalse();
  }
}
