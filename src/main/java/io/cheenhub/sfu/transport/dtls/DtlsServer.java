package io.cheenhub.sfu.transport.dtls;

import io.cheenhub.sfu.transport.dtls.HandshakeOutcome.FailureReason;
import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import java.io.IOException;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.UseSRTPData;

/**
 * The SFU's side of DTLS-SRTP (RFC 5763 passive/server role): DTLS 1.2, ECDSA, a mandatory client
 * certificate checked against the signalled fingerprints, extended master secret, and use_srtp with
 * our profile preference. One instance per handshake.
 */
final class DtlsServer extends DefaultTlsServer {

  private final DtlsParameters parameters;
  private final HandshakeResult result;

  DtlsServer(DtlsParameters parameters, HandshakeResult result) {
    super(Crypto.BC);
    this.parameters = parameters;
    this.result = result;
  }

  @Override
  protected ProtocolVersion[] getSupportedVersions() {
    return HandshakeRules.versions();
  }

  @Override
  protected int[] getSupportedCipherSuites() {
    return HandshakeRules.cipherSuites();
  }

  @Override
  protected TlsCredentialedSigner getECDSASignerCredentials() {
    return parameters.certificate().signer(context);
  }

  /**
   * RFC 5763 §5: the server must ask for the client's certificate, or the browser sends none and
   * the association cannot be tied to the SDP fingerprint. ECDSA is what browsers generate; RSA
   * covers {@code RTCPeerConnection.generateCertificate} with an RSA key.
   */
  @Override
  public CertificateRequest getCertificateRequest() {
    Vector<SignatureAndHashAlgorithm> algorithms = new Vector<>();
    algorithms.add(new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    algorithms.add(new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.rsa));
    return new CertificateRequest(
        new short[] {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign},
        algorithms,
        null);
  }

  @Override
  public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
    if (!HandshakeRules.certificateMatches(clientCertificate, parameters.remoteFingerprints())) {
      throw result.fail(
          FailureReason.BAD_CERTIFICATE,
          AlertDescription.bad_certificate,
          clientCertificate == null || clientCertificate.isEmpty()
              ? "client sent no certificate"
              : "client certificate matches no signalled fingerprint");
    }
  }

  @Override
  public int getHandshakeTimeoutMillis() {
    return (int) parameters.handshakeTimeout().toMillis();
  }

  /** RFC 7627; also BC 1.84 refuses to export keying material without it. */
  @Override
  public boolean requiresExtendedMasterSecret() {
    return true;
  }

  @Override
  @SuppressWarnings("rawtypes") // BC's API
  public void processClientExtensions(Hashtable clientExtensions) throws IOException {
    super.processClientExtensions(clientExtensions);
    UseSRTPData offer = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
    if (offer == null) {
      throw result.fail(
          FailureReason.NO_COMMON_SRTP_PROFILE,
          AlertDescription.handshake_failure,
          "client did not offer use_srtp");
    }
    // RFC 5764 §4.1.1: the server picks one profile from the client's list; an MKI offer may be
    // declined by answering an empty one, which we always do.
    SrtpProfile chosen =
        HandshakeRules.chooseProfile(parameters.srtpProfiles(), offer.getProtectionProfiles());
    if (chosen == null) {
      throw result.fail(
          FailureReason.NO_COMMON_SRTP_PROFILE,
          AlertDescription.handshake_failure,
          "client offered SRTP profiles " + Arrays.toString(offer.getProtectionProfiles()));
    }
    result.chooseProfile(chosen);
  }

  @Override
  @SuppressWarnings("rawtypes") // BC's API
  public Hashtable getServerExtensions() throws IOException {
    Hashtable extensions =
        TlsExtensionsUtils.ensureExtensionsInitialised(super.getServerExtensions());
    TlsSRTPUtils.addUseSRTPExtension(extensions, HandshakeRules.useSrtp(result.profile().dtlsId()));
    return extensions;
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    result.exportKeys(context);
  }

  @Override
  public void notifyAlertReceived(short alertLevel, short alertDescription) {
    result.alertReceived(alertLevel, alertDescription);
  }
}
