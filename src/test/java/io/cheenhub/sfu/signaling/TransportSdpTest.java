package io.cheenhub.sfu.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.sdp.Attribute;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransportSdpTest {

  private static final String SHA_256 = "AB:" + "00:".repeat(30) + "CD";

  @Test
  void acceptsTheHashFunctionsTheDtlsCheckKnows() throws SignalingException {
    var remote =
        TransportSdp.remote(
            "u", "p", List.of(new Attribute.Fingerprint("SHA-256", SHA_256.toLowerCase())), "r1");

    assertThat(remote.fingerprints())
        .singleElement()
        .satisfies(f -> assertThat(f.sdpValue()).startsWith("sha-256 AB:"));
  }

  @Test
  void refusesFingerprintsItCannotCheckWithATypedError() {
    // RFC 8122 §5 forbids md5; a sha-256 digest of 20 bytes is no sha-256 digest. Both used to
    // surface as internal-error (an IllegalArgumentException) after a transport was opened.
    for (Attribute.Fingerprint f :
        List.of(
            new Attribute.Fingerprint("md5", "00:".repeat(15) + "00"),
            new Attribute.Fingerprint("sha-256", "00:".repeat(19) + "00"),
            new Attribute.Fingerprint("x".repeat(1000), SHA_256))) {
      assertThatThrownBy(() -> TransportSdp.remote("u", "p", List.of(f), "r2"))
          .isInstanceOfSatisfying(
              SignalingException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.SDP_BAD_FINGERPRINT);
                assertThat(e.requestId()).isEqualTo("r2");
                assertThat(e.getMessage()).hasSizeLessThan(200);
              });
    }
  }
}
