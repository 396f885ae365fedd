package io.cheenhub.sfu.transport.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.security.Security;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/** The certificate browsers will see, and its rotation. */
class DtlsCertificateTest {

  @Test
  void isASelfSignedP256CertificateValidFromYesterdayForThirtyDays() throws Exception {
    Instant now = Instant.parse("2026-05-01T12:00:00Z");
    DtlsCertificate certificate = DtlsCertificate.generate(now);

    X509Certificate x509 =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certificate.encoded()));
    x509.verify(x509.getPublicKey());
    assertThat(x509.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(((ECPublicKey) x509.getPublicKey()).getParams().getCurve().getField().getFieldSize())
        .isEqualTo(256);
    assertThat(x509.getNotBefore().toInstant()).isEqualTo(now.minus(Duration.ofDays(1)));
    assertThat(x509.getNotAfter().toInstant()).isEqualTo(now.plus(Duration.ofDays(30)));
    assertThat(certificate.notAfter()).isEqualTo(now.plus(Duration.ofDays(30)));
    assertThat(certificate.chain().getLength()).isEqualTo(1);
    assertThat(Security.getProvider("BC")).as("no JVM-wide BouncyCastle provider").isNull();
  }

  @Test
  void fingerprintIsUpperCaseColonHexSha256OfTheDer() {
    DtlsCertificate certificate = DtlsCertificate.generate();
    Fingerprint fingerprint = certificate.fingerprint();
    assertThat(fingerprint.algorithm()).isEqualTo("sha-256");
    assertThat(fingerprint.value()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    assertThat(fingerprint.matches(certificate.encoded())).isTrue();
  }

  @Test
  void rotatesOnlyWhenOlderThanTheGivenAge() {
    MutableClock clock = new MutableClock(Instant.parse("2026-05-01T00:00:00Z"));
    RotatingCertificate rotating = new RotatingCertificate(clock);
    DtlsCertificate first = rotating.current();

    clock.advance(Duration.ofHours(23));
    assertThat(rotating.rotateIfOlderThan(Duration.ofDays(1))).isFalse();
    assertThat(rotating.current()).isSameAs(first);

    clock.advance(Duration.ofHours(2));
    assertThat(rotating.rotateIfOlderThan(Duration.ofDays(1))).isTrue();
    DtlsCertificate second = rotating.current();
    assertThat(second).isNotSameAs(first);
    assertThat(second.fingerprint()).isNotEqualTo(first.fingerprint());
    assertThat(second.createdAt()).isEqualTo(clock.instant());
    // A session created before still holds the first one, whose fingerprint still matches it.
    assertThat(first.fingerprint().matches(first.encoded())).isTrue();
  }

  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration).truncatedTo(ChronoUnit.MILLIS);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
