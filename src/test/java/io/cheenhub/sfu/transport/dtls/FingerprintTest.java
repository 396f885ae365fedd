package io.cheenhub.sfu.transport.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing SDP {@code a=fingerprint} values (RFC 8122 §5) and matching certificates. */
class FingerprintTest {

  private static final DtlsCertificate CERTIFICATE = DtlsCertificate.generate();

  @Test
  void parsesWhatChromeSignals() {
    String value =
        "sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:"
            + "6F:AF:52:CE:E6:0F";
    Fingerprint fingerprint = Fingerprint.parse(value);
    assertThat(fingerprint.algorithm()).isEqualTo("sha-256");
    assertThat(fingerprint.value()).startsWith("D2:FA:0E");
    assertThat(fingerprint.sdpValue()).isEqualTo(value);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sha-1", "sha-256", "sha-384", "sha-512"})
  void matchesTheCertificateWithEveryAcceptedHash(String algorithm) throws Exception {
    String jca = algorithm.toUpperCase(Locale.ROOT);
    byte[] digest = MessageDigest.getInstance(jca).digest(CERTIFICATE.encoded());
    String upper = HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);

    assertThat(Fingerprint.parse(algorithm + " " + upper).matches(CERTIFICATE.encoded())).isTrue();
    // Case-insensitive in both parts, as RFC 8122 §5 hex and hash-func tokens may come either way.
    Fingerprint lower =
        Fingerprint.parse(
            algorithm.toUpperCase(Locale.ROOT) + "  " + upper.toLowerCase(Locale.ROOT));
    assertThat(lower.matches(CERTIFICATE.encoded())).isTrue();
    assertThat(lower).isEqualTo(Fingerprint.of(algorithm, CERTIFICATE.encoded()));
  }

  @Test
  void doesNotMatchAnotherCertificate() {
    DtlsCertificate other = DtlsCertificate.generate();
    assertThat(CERTIFICATE.fingerprint().matches(other.encoded())).isFalse();
    assertThat(CERTIFICATE.fingerprint().matches(CERTIFICATE.encoded())).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "md5 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24",
        "md2 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24",
        "sha-224 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F",
        "sha-256 D2:FA:0E",
        "sha-256 D2FA0EC322595E149569923D13B484242CC2A2C03EFD348E5EEA6FAF52CEE60F",
        "sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0G",
        "sha-256",
        "",
        "sha-256 AA:BB extra"
      })
  void refusesMalformedAndWeakFingerprints(String value) {
    assertThatThrownBy(() -> Fingerprint.parse(value)).isInstanceOf(IllegalArgumentException.class);
  }
}
