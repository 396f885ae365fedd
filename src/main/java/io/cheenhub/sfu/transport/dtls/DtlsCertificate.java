package io.cheenhub.sfu.transport.dtls;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCertificate;

/**
 * A self-signed ECDSA P-256 certificate for DTLS-SRTP, identified to the peer only by its
 * fingerprint in SDP (RFC 8122, RFC 8827 §6.5), as browsers' own certificates are.
 *
 * <p>Key generation and signing use the JDK's providers; BouncyCastle is used through its
 * lightweight API only, so nothing is registered JVM-wide. Immutable and shareable by sessions.
 */
public final class DtlsCertificate {

  /** Backdated so a peer whose clock runs behind still accepts it. */
  static final Duration BACKDATE = Duration.ofDays(1);

  /** Lifetime after creation; a rotation (daily) replaces it long before. */
  static final Duration LIFETIME = Duration.ofDays(30);

  private static final String CURVE = "secp256r1";
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final X500Name SUBJECT = new X500Name("CN=cheenhub-sfu");
  private static final int SERIAL_BITS = 64;
  // RFC 8422 §5.10 / RFC 5246 §7.4.1.4.1: the pair TLS 1.2 uses for ecdsa_secp256r1_sha256.
  private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
      new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

  private final AsymmetricKeyParameter privateKey;
  private final Certificate chain;
  private final byte[] der;
  private final Fingerprint fingerprint;
  private final Instant createdAt;
  private final Instant notAfter;

  private DtlsCertificate(
      AsymmetricKeyParameter privateKey, X509CertificateHolder holder, Instant createdAt)
      throws IOException {
    this.privateKey = privateKey;
    this.der = holder.getEncoded();
    this.chain =
        new Certificate(
            new TlsCertificate[] {new BcTlsCertificate(Crypto.BC, holder.toASN1Structure())});
    this.fingerprint = Fingerprint.of(Fingerprint.SHA_256, der);
    this.createdAt = createdAt;
    this.notAfter = holder.getNotAfter().toInstant();
  }

  /** A new key pair and certificate, valid from a day ago for {@link #LIFETIME}. */
  public static DtlsCertificate generate() {
    return generate(Instant.now());
  }

  static DtlsCertificate generate(Instant now) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(CURVE), Crypto.BC.getSecureRandom());
      KeyPair keys = generator.generateKeyPair();
      BigInteger serial =
          new BigInteger(SERIAL_BITS, Crypto.BC.getSecureRandom()).add(BigInteger.ONE);
      X509CertificateHolder holder =
          new JcaX509v3CertificateBuilder(
                  SUBJECT,
                  serial,
                  Date.from(now.minus(BACKDATE)),
                  Date.from(now.plus(LIFETIME)),
                  SUBJECT,
                  keys.getPublic())
              .build(new JcaContentSignerBuilder(SIGNATURE).build(keys.getPrivate()));
      return new DtlsCertificate(
          PrivateKeyFactory.createKey(keys.getPrivate().getEncoded()), holder, now);
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot generate the DTLS certificate", e);
    }
  }

  /** The sha-256 fingerprint to put in {@code a=fingerprint}. */
  public Fingerprint fingerprint() {
    return fingerprint;
  }

  public Instant createdAt() {
    return createdAt;
  }

  /** End of validity. */
  public Instant notAfter() {
    return notAfter;
  }

  /** The DER encoding of the certificate (a copy). */
  public byte[] encoded() {
    return der.clone();
  }

  /** The chain (this one certificate) for the TLS Certificate message. */
  Certificate chain() {
    return chain;
  }

  /** Signs this handshake's ServerKeyExchange or CertificateVerify with our key. */
  TlsCredentialedSigner signer(TlsContext context) {
    return new BcDefaultTlsCredentialedSigner(
        new TlsCryptoParameters(context), Crypto.BC, privateKey, chain, ECDSA_SHA256);
  }

  @Override
  public String toString() {
    return "DtlsCertificate[" + fingerprint.sdpValue() + ", notAfter=" + notAfter + "]";
  }
}
