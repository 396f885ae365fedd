package io.cheenhub.sfu.transport.dtls;

import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import java.time.Duration;

/** How a {@link DtlsSession}'s handshake ended. */
public sealed interface HandshakeOutcome {

  /** Why a handshake failed. */
  enum FailureReason {
    /** No complete handshake within the deadline (silent or vanished peer, heavy loss). */
    TIMEOUT,
    /** The peer sent no certificate, or one matching none of its signalled fingerprints. */
    BAD_CERTIFICATE,
    /** The peer offered (or, as server, chose) no SRTP profile we accept (RFC 5764 §4.1.1). */
    NO_COMMON_SRTP_PROFILE,
    /** A fatal alert ended it: sent by the peer, or raised here for a protocol violation. */
    ALERT,
    /** {@link DtlsSession#close()} was called first. */
    CLOSED,
    /** Anything else: I/O failure of the sender, interruption, an internal error. */
    OTHER
  }

  /**
   * The handshake completed and keys were exported.
   *
   * @param keyingMaterial RFC 5764 §4.2 exporter output, {@link SrtpProfile#keyingMaterialBytes()}
   *     long; the receiver owns it and should zero it once its {@code SrtpSession} exists
   * @param handshakeDuration from the start of the handshake to its completion
   * @param cipherSuite the negotiated TLS cipher suite code point
   * @param extendedMasterSecret whether RFC 7627 extended master secret was used (always, since we
   *     require it)
   */
  record Established(
      SrtpProfile profile,
      byte[] keyingMaterial,
      Duration handshakeDuration,
      int cipherSuite,
      boolean extendedMasterSecret)
      implements HandshakeOutcome {}

  /**
   * The handshake failed.
   *
   * @param detail a human-readable cause for the log line
   * @param elapsed from the start of the handshake to the failure
   */
  record Failed(FailureReason reason, String detail, Duration elapsed)
      implements HandshakeOutcome {}
}
