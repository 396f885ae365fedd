package io.cheenhub.sfu.transport.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import java.io.IOException;
import java.util.List;
import org.bouncycastle.tls.Certificate;
import org.junit.jupiter.api.Test;

/** RFC 5764 §4.1.1 profile choice and the certificate check, apart from a handshake. */
class HandshakeRulesTest {

  private static final List<SrtpProfile> GCM_FIRST = DtlsParameters.DEFAULT_SRTP_PROFILES;

  @Test
  void choosesByOurPreferenceNotTheOfferOrder() {
    // Chrome offers 1, 8, 7; Firefox 7, 8, 1, 2 (browser-interop.md §2).
    assertThat(HandshakeRules.chooseProfile(GCM_FIRST, new int[] {1, 8, 7}))
        .isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
    assertThat(HandshakeRules.chooseProfile(GCM_FIRST, new int[] {7, 8, 1, 2}))
        .isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
    assertThat(HandshakeRules.chooseProfile(GCM_FIRST, new int[] {2, 1}))
        .isEqualTo(SrtpProfile.AES128_CM_HMAC_SHA1_80);
    assertThat(HandshakeRules.chooseProfile(GCM_FIRST, new int[] {2, 8})).isNull();
    assertThat(HandshakeRules.chooseProfile(GCM_FIRST, new int[] {})).isNull();
  }

  @Test
  void anEmptyCertificateChainMatchesNothing() throws IOException {
    List<Fingerprint> any = List.of(DtlsCertificate.generate().fingerprint());
    assertThat(HandshakeRules.certificateMatches(Certificate.EMPTY_CHAIN, any)).isFalse();
    assertThat(HandshakeRules.certificateMatches(null, any)).isFalse();
  }

  @Test
  void ourOwnChainMatchesOurFingerprint() throws IOException {
    DtlsCertificate certificate = DtlsCertificate.generate();
    assertThat(
            HandshakeRules.certificateMatches(
                certificate.chain(), List.of(certificate.fingerprint())))
        .isTrue();
  }

  @Test
  void onlyTheStrongestHashFunctionOfferedCounts() throws IOException {
    DtlsCertificate certificate = DtlsCertificate.generate();
    byte[] der = certificate.chain().getCertificateAt(0).getEncoded();
    Fingerprint sha1 = Fingerprint.of("sha-1", der);
    Fingerprint sha256 = certificate.fingerprint();
    Fingerprint otherSha256 = DtlsCertificate.generate().fingerprint();
    Fingerprint otherSha512 = Fingerprint.of("sha-512", new byte[] {1, 2, 3});

    // RFC 8122 §5: a matching sha-1 does not help when the sha-256 one names another certificate.
    assertThat(HandshakeRules.certificateMatches(certificate.chain(), List.of(sha1, otherSha256)))
        .isFalse();
    assertThat(HandshakeRules.certificateMatches(certificate.chain(), List.of(sha256, otherSha512)))
        .isFalse();
    assertThat(HandshakeRules.certificateMatches(certificate.chain(), List.of(sha1, sha256)))
        .isTrue();
    assertThat(HandshakeRules.certificateMatches(certificate.chain(), List.of(sha1))).isTrue();
  }
}
