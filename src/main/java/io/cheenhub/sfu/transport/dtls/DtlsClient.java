package io.cheenhub.sfu.transport.dtls;

import io.cheenhub.sfu.transport.dtls.HandshakeOutcome.FailureReason;
import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import java.io.IOException;
import java.util.Arrays;
import java.util.Hashtable;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.UseSRTPData;

/**
 * The DTLS-SRTP client role, for the Java test peer and load-generator bots: the same rules as
 * {@link DtlsServer}, seen from the browser's side. One instance per handshake.
 */
final class DtlsClient extends DefaultTlsClient {

  private final DtlsParameters parameters;
  private final int[] offeredProfiles;
  private final HandshakeResult result;

  /**
   * @param offeredProfiles use_srtp code points in offer order; may include profiles we cannot use,
   *     so tests can offer what a misbehaving peer would
   */
  DtlsClient(DtlsParameters parameters, int[] offeredProfiles, HandshakeResult result) {
    super(Crypto.BC);
    this.parameters = parameters;
    this.offeredProfiles = offeredProfiles.clone();
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
  @SuppressWarnings("rawtypes") // BC's API
  public Hashtable getClientExtensions() throws IOException {
    Hashtable extensions =
        TlsExtensionsUtils.ensureExtensionsInitialised(super.getClientExtensions());
    TlsSRTPUtils.addUseSRTPExtension(extensions, HandshakeRules.useSrtp(offeredProfiles));
    return extensions;
  }

  @Override
  @SuppressWarnings("rawtypes") // BC's API
  public void processServerExtensions(Hashtable serverExtensions) throws IOException {
    super.processServerExtensions(serverExtensions);
    UseSRTPData answer = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
    if (answer == null) {
      throw result.fail(
          FailureReason.NO_COMMON_SRTP_PROFILE,
          AlertDescription.handshake_failure,
          "server did not answer use_srtp");
    }
    // RFC 5764 §4.1.1: exactly one profile, one we offered, and no MKI since we offered none.
    int[] chosen = answer.getProtectionProfiles();
    SrtpProfile profile =
        chosen.length == 1 && Arrays.stream(offeredProfiles).anyMatch(id -> id == chosen[0])
            ? SrtpProfile.fromDtlsId(chosen[0]).orElse(null)
            : null;
    if (profile == null || answer.getMki().length != 0) {
      throw result.fail(
          FailureReason.ALERT,
          AlertDescription.illegal_parameter,
          "server answered SRTP profiles "
              + Arrays.toString(chosen)
              + " with an MKI of "
              + answer.getMki().length
              + " bytes");
    }
    result.chooseProfile(profile);
  }

  @Override
  public TlsAuthentication getAuthentication() {
    return new TlsAuthentication() {
      @Override
      public void notifyServerCertificate(TlsServerCertificate serverCertificate)
          throws IOException {
        if (!HandshakeRules.certificateMatches(
            serverCertificate.getCertificate(), parameters.remoteFingerprints())) {
          throw result.fail(
              FailureReason.BAD_CERTIFICATE,
              AlertDescription.bad_certificate,
              "server certificate matches no signalled fingerprint");
        }
      }

      @Override
      public TlsCredentials getClientCredentials(CertificateRequest request) {
        for (short type : request.getCertificateTypes()) {
          if (type == ClientCertificateType.ecdsa_sign) {
            return parameters.certificate().signer(context);
          }
        }
        return null;
      }
    };
  }

  @Override
  public int getHandshakeTimeoutMillis() {
    return (int) parameters.handshakeTimeout().toMillis();
  }

  @Override
  public boolean requiresExtendedMasterSecret() {
    return true;
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
