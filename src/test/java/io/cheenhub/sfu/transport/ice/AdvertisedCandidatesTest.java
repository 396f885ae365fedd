package io.cheenhub.sfu.transport.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.sdp.Attribute;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdvertisedCandidatesTest {

  @Test
  void addressesWithAndWithoutPortsBecomeHostCandidatesInPreferenceOrder() throws Exception {
    List<String> lines =
        AdvertisedCandidates.lines(
            List.of("203.0.113.7", "198.51.100.2:40000", "[2001:db8::1]:5"), 10_000);

    assertThat(lines)
        .containsExactly(
            "1 1 udp 2130706431 203.0.113.7 10000 typ host",
            "2 1 udp 2130706175 198.51.100.2 40000 typ host",
            "3 1 udp 2130705919 2001:db8::1 5 typ host");
    for (String line : lines) {
      Attribute.Candidate candidate = Attribute.Candidate.parse(line);
      assertThat(candidate.component()).isEqualTo(1);
      assertThat(candidate.transport()).isEqualToIgnoringCase("udp");
    }
  }

  @Test
  void nonsenseIsRefusedAtStartNotInABrowser() {
    assertThatThrownBy(() -> AdvertisedCandidates.lines(List.of("host:0"), 10_000))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AdvertisedCandidates.lines(List.of("host:port"), 10_000))
        .isInstanceOf(NumberFormatException.class);
    assertThatThrownBy(() -> AdvertisedCandidates.lines(List.of(":5"), 10_000))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
