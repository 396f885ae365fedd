package io.cheenhub.sfu.transport.dtls;

import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import java.io.IOException;
import java.util.List;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;

/** What our DTLS server and client both insist on, so the two roles cannot drift apart. */
final class HandshakeRules {

  /**
   * ECDSA suites only (our certificate is P-256); browsers list 0xC02B first. BC's default server
   * list has no ECDSA suite at all, so this list is mandatory.
   */
  private static final int[] CIPHER_SUITES = {
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
  };

  private HandshakeRules() {}

  /** DTLS 1.2 only: browsers offering 1.3 fall back to it (browser-interop.md §2). */
  static ProtocolVersion[] versions() {
    return ProtocolVersion.DTLSv12.only();
  }

  static int[] cipherSuites() {
    return CIPHER_SUITES.clone();
  }

  /** RFC 5764 §4.1.1: the first profile of {@code preference} that the client offered, or null. */
  static SrtpProfile chooseProfile(List<SrtpProfile> preference, int[] offered) {
    for (SrtpProfile profile : preference) {
      for (int id : offered) {
        if (id == profile.dtlsId()) {
          return profile;
        }
      }
    }
    return null;
  }

  /** A use_srtp extension listing {@code profiles} with no MKI (RFC 5764 §4.1.1). */
  static UseSRTPData useSrtp(int... profiles) {
    return new UseSRTPData(profiles, TlsUtils.EMPTY_BYTES);
  }

  static int[] codePoints(List<SrtpProfile> profiles) {
    return profiles.stream().mapToInt(SrtpProfile::dtlsId).toArray();
  }

  /**
   * RFC 8122 §5 / RFC 5763 §5: the end-entity certificate the peer presented must match one of the
   * fingerprints it signalled with the strongest hash function among them ("select the set of
   * fingerprints that use its most preferred hash function ... and verify that each certificate
   * used matches one fingerprint out of that set"), so a weaker digest next to a stronger one
   * cannot widen what is accepted. Its CertificateVerify then proves it holds the key.
   */
  static boolean certificateMatches(Certificate chain, List<Fingerprint> fingerprints)
      throws IOException {
    if (chain == null || chain.isEmpty()) {
      return false;
    }
    int strongest = 0;
    for (Fingerprint fingerprint : fingerprints) {
      strongest = Math.max(strongest, fingerprint.digestBytes());
    }
    byte[] der = chain.getCertificateAt(0).getEncoded();
    for (Fingerprint fingerprint : fingerprints) {
      if (fingerprint.digestBytes() == strongest && fingerprint.matches(der)) {
        return true;
      }
    }
    return false;
  }
}
