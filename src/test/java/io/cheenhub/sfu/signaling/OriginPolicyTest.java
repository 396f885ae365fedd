package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

  @Test
  void anonymousDefaultAllowsOnlyTheServersOwnOrigin() {
    var policy = new OriginPolicy(List.of(), true);
    assertThat(policy.allows("http://127.0.0.1:8080", "127.0.0.1:8080")).isTrue();
    assertThat(policy.allows("HTTPS://Voice.Example.com", "voice.example.com")).isTrue();
    assertThat(policy.allows("https://voice.example.com", "voice.example.com:443")).isTrue();
    assertThat(policy.allows("http://voice.example.com:80", "voice.example.com")).isTrue();
    assertThat(policy.allows("https://evil.example", "voice.example.com")).isFalse();
    assertThat(policy.allows("http://127.0.0.1:9999", "127.0.0.1:8080")).isFalse();
    assertThat(policy.allows("null", "127.0.0.1:8080")).isFalse();
    assertThat(policy.allows("http://127.0.0.1:8080", null)).isFalse();
  }

  @Test
  void noOriginIsANonBrowserClientAndAllowed() {
    assertThat(new OriginPolicy(List.of(), true).allows(null, "127.0.0.1:8080")).isTrue();
    assertThat(new OriginPolicy(List.of("https://a.example"), true).allows(null, "x")).isTrue();
  }

  @Test
  void configuredListReplacesSameOrigin() {
    var policy =
        new OriginPolicy(List.of("https://app.example.com", "http://localhost:3000"), true);
    assertThat(policy.allows("https://app.example.com", "sfu.example.com")).isTrue();
    assertThat(policy.allows("https://app.example.com:443", "sfu.example.com")).isTrue();
    assertThat(policy.allows("http://localhost:3000", "sfu.example.com")).isTrue();
    assertThat(policy.allows("https://sfu.example.com", "sfu.example.com")).isFalse();
    assertThat(policy.allows("http://app.example.com", "sfu.example.com")).isFalse();
  }

  @Test
  void starAllowsAnyOrigin() {
    var policy = new OriginPolicy(List.of("*"), false);
    assertThat(policy.allows("https://anything.example", "sfu.example.com")).isTrue();
    assertThat(policy.allows("null", "sfu.example.com")).isTrue();
  }

  @Test
  void whereTokensAreRequiredOnlyConfiguredOriginsPassWhateverTheHost() {
    var policy = new OriginPolicy(List.of("https://voice.example.com"), false);
    assertThat(policy.allows("https://voice.example.com", "voice.example.com")).isTrue();
    assertThat(policy.allows("https://voice.example.com:443", "10.0.0.5:8080")).isTrue();
    // DNS rebinding: evil.example re-bound to this server's address sends Host: evil.example.
    assertThat(policy.allows("http://evil.example", "evil.example")).isFalse();
    assertThat(policy.allows(null, "evil.example")).as("no Origin: not a browser").isTrue();
  }

  @Test
  void whereTokensAreRequiredAnEmptyListRefusesEveryBrowserPage() {
    var policy = new OriginPolicy(List.of(), false);
    assertThat(policy.allows("http://evil.example", "evil.example")).isFalse();
    assertThat(policy.allows("http://127.0.0.1:8080", "127.0.0.1:8080")).isFalse();
    assertThat(policy.allows("https://voice.example.com", "voice.example.com")).isFalse();
    assertThat(policy.allows(null, "127.0.0.1:8080")).isTrue();
  }

  @Test
  void anonymousSameOriginStillTrustsHost() {
    // The behaviour of the local run, kept: there anyone may join anyway.
    assertThat(new OriginPolicy(List.of(), true).allows("http://evil.example", "evil.example"))
        .isTrue();
  }
}
