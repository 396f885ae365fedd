package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.auth.AuthFailure;
import io.cheenhub.sfu.sdp.SdpErrorCode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ErrorCodeTest {

  @Test
  void wireValuesAreDistinctLowerKebabCase() {
    assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::wireValue))
        .doesNotHaveDuplicates()
        .allMatch(value -> value.matches("[a-z]+(-[a-z]+)*"));
  }

  @ParameterizedTest
  @EnumSource(SdpErrorCode.class)
  void everySdpErrorHasItsOwnSdpCode(SdpErrorCode code) {
    ErrorCode mapped = ErrorCode.of(code);
    assertThat(mapped.wireValue()).startsWith("sdp-");
    assertThat(mapped.name()).isEqualTo("SDP_" + code.name());
  }

  @ParameterizedTest
  @EnumSource(AuthFailure.class)
  void everyAuthFailureHasItsOwnAuthCode(AuthFailure failure) {
    ErrorCode mapped = ErrorCode.of(failure);
    assertThat(mapped.name()).isEqualTo("AUTH_" + failure.name());
  }
}
