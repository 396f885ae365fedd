package io.cheenhub.sfu.transport.dtls;

import io.cheenhub.sfu.transport.dtls.HandshakeOutcome.Established;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome.Failed;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome.FailureReason;
import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;

/**
 * What BC's callbacks learn during one handshake, for {@link DtlsSession} to read afterwards: the
 * chosen SRTP profile, the exported keys, and why we aborted (BC only reports an alert code), from
 * which it builds the outcome. Written on the handshake thread; the close flag is read by the pump.
 */
final class HandshakeResult {

  private volatile SrtpProfile profile;
  private volatile byte[] keyingMaterial;
  private volatile int cipherSuite;
  private volatile boolean extendedMasterSecret;
  private volatile FailureReason failure;
  private volatile String failureDetail;
  private volatile boolean closeNotifyReceived;

  /** Records why we abort, and returns the alert to throw. */
  TlsFatalAlert fail(FailureReason reason, short alertDescription, String detail) {
    failure = reason;
    failureDetail = detail;
    return new TlsFatalAlert(alertDescription, detail);
  }

  void chooseProfile(SrtpProfile chosen) {
    profile = chosen;
  }

  SrtpProfile profile() {
    return profile;
  }

  /**
   * RFC 5764 §4.2: exports the SRTP keying material. BC 1.84 allows this only inside {@code
   * notifyHandshakeComplete()} and only with extended master secret, so it must run there.
   */
  void exportKeys(TlsContext context) throws IOException {
    SrtpProfile chosen = profile;
    if (chosen == null) {
      throw new TlsFatalAlert(AlertDescription.internal_error, "no SRTP profile negotiated");
    }
    SecurityParameters parameters = context.getSecurityParametersConnection();
    keyingMaterial =
        context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, chosen.keyingMaterialBytes());
    cipherSuite = parameters.getCipherSuite();
    extendedMasterSecret = parameters.isExtendedMasterSecret();
  }

  /** The success outcome; hands the keying material over and forgets it here. */
  Established established(Duration handshakeDuration) {
    byte[] keys = keyingMaterial;
    keyingMaterial = null;
    return new Established(profile, keys, handshakeDuration, cipherSuite, extendedMasterSecret);
  }

  /** Discards exported keys that will not be used (the session was closed meanwhile). */
  void discardKeys() {
    byte[] keys = keyingMaterial;
    keyingMaterial = null;
    if (keys != null) {
      Arrays.fill(keys, (byte) 0);
    }
  }

  void alertReceived(short level, short description) {
    if (level == AlertLevel.warning && description == AlertDescription.close_notify) {
      closeNotifyReceived = true;
    }
  }

  boolean closeNotifyReceived() {
    return closeNotifyReceived;
  }

  /** Why the handshake threw {@code e}: our own recorded reason first, else BC's exception. */
  Failed failed(Exception e, Duration took) {
    if (failure != null) {
      return new Failed(failure, failureDetail, took);
    }
    if (e instanceof TlsTimeoutException) {
      return new Failed(FailureReason.TIMEOUT, e.getMessage(), took);
    }
    if (e instanceof TlsFatalAlertReceived received) {
      return new Failed(
          FailureReason.ALERT,
          "peer sent " + AlertDescription.getText(received.getAlertDescription()),
          took);
    }
    // BC reports its own runtime failures as internal_error; those are not protocol errors.
    if (e instanceof TlsFatalAlert raised
        && raised.getAlertDescription() != AlertDescription.internal_error) {
      return new Failed(
          FailureReason.ALERT,
          "raised " + AlertDescription.getText(raised.getAlertDescription()),
          took);
    }
    return new Failed(FailureReason.OTHER, String.valueOf(e), took);
  }
}
