package io.cheenhub.sfu.transport.srtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cheenhub.sfu.transport.srtp.Srtp.AesImplementation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code sfu.srtp.aes} setting: parsing, the once-per-process choice, and a real round trip of
 * both profiles with each implementation, each in a JVM of its own (jitsi-srtp cannot switch).
 */
class SrtpAesSettingTest {

  private static final long CHILD_TIMEOUT_SECONDS = 120;

  @ParameterizedTest
  @ValueSource(strings = {"auto", "AUTO", " auto "})
  void autoLetsTheServerChoose(String value) {
    assertThat(Srtp.parseAesSetting(value)).isEmpty();
  }

  @Test
  void implementationsParseByTheirFactoryNameInAnyCase() {
    assertThat(Srtp.parseAesSetting("OpenSSL")).contains(AesImplementation.OPENSSL);
    assertThat(Srtp.parseAesSetting("openssl")).contains(AesImplementation.OPENSSL);
    assertThat(Srtp.parseAesSetting("SunJCE")).contains(AesImplementation.SUN_JCE);
    assertThat(Srtp.parseAesSetting(" BouncyCastle\t")).contains(AesImplementation.BOUNCY_CASTLE);
    for (AesImplementation implementation : AesImplementation.values()) {
      assertThat(Srtp.parseAesSetting(implementation.factoryName())).contains(implementation);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "BC", "SunPKCS11", "Conscrypt", "OpenSSLCipherFactory", "SUN_JCE"})
  void anythingElseIsRefusedWithTheAcceptedValues(String value) {
    assertThatThrownBy(() -> Srtp.parseAesSetting(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "sfu.srtp.aes must be one of auto, OpenSSL, SunJCE, BouncyCastle; was '" + value + "'");
  }

  @Test
  void theChoiceIsMadeOncePerProcess() {
    AesImplementation chosen = Srtp.aesImplementation();
    assertThat(Srtp.choose(Optional.empty())).isEqualTo(chosen);
    assertThat(Srtp.choose(Optional.of(chosen))).isEqualTo(chosen);
    for (AesImplementation other : AesImplementation.values()) {
      if (other != chosen) {
        assertThatThrownBy(() -> Srtp.choose(Optional.of(other)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("already uses " + chosen.factoryName());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(AesImplementation.class)
  void eachImplementationRoundTripsBothProfilesAndAgreesWithThisJvm(AesImplementation aes)
      throws IOException, InterruptedException {
    if (aes == AesImplementation.OPENSSL) {
      assumeTrue(JitsiOpenSslProvider.isLoaded(), "jitsi-srtp native library not loaded");
    }
    List<String> output = runInOwnJvm(aes.factoryName());

    assertThat(output).contains("aes=" + aes.factoryName());
    // SRTP is deterministic for a key and an index: every implementation must give the bytes
    // this JVM's implementation gives.
    for (SrtpProfile profile : SrtpProfile.values()) {
      assertThat(output).contains(profile + "=" + AesRoundTrip.protectedHex(profile));
    }
  }

  private static List<String> runInOwnJvm(String setting) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    // Under surefire a manifest-only jar whose Class-Path names the test classpath.
    command.add(System.getProperty("java.class.path"));
    String logging = System.getProperty("java.util.logging.config.file");
    if (logging != null) {
      command.add("-Djava.util.logging.config.file=" + logging);
    }
    command.add(AesRoundTrip.class.getName());
    command.add(setting);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("round trip with " + setting + " timed out:\n" + output);
    }
    assertThat(process.exitValue()).as("exit status, output:%n%s", output).isZero();
    return output.lines().toList();
  }
}
