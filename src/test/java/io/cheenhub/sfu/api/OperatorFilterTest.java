package io.cheenhub.sfu.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OperatorFilterTest {

  @Test
  void readsTheTokenOfABearerAuthorization() {
    assertThat(OperatorFilter.bearerToken("Bearer abc.def.ghi")).isEqualTo("abc.def.ghi");
    assertThat(OperatorFilter.bearerToken("bearer  abc.def.ghi ")).isEqualTo("abc.def.ghi");
    assertThat(OperatorFilter.bearerToken(null)).isNull();
    assertThat(OperatorFilter.bearerToken("")).isNull();
    assertThat(OperatorFilter.bearerToken("Bearer")).isNull();
    assertThat(OperatorFilter.bearerToken("Bearer   ")).isNull();
    assertThat(OperatorFilter.bearerToken("Basic dXNlcjpwYXNz")).isNull();
  }
}
