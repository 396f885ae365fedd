package io.cheenhub.sfu.transport.dtls;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * The server's current DTLS certificate, replaced when it gets old. A session keeps the certificate
 * it was created with, so the fingerprint it signalled stays valid for its lifetime; only new
 * sessions see a rotated one. Thread-safe.
 */
public final class RotatingCertificate {

  private static final Logger LOG = Logger.getLogger(RotatingCertificate.class.getName());

  private final Clock clock;
  private volatile DtlsCertificate current;

  /** Generates the first certificate now. */
  public RotatingCertificate() {
    this(Clock.systemUTC());
  }

  RotatingCertificate(Clock clock) {
    this.clock = clock;
    this.current = DtlsCertificate.generate(clock.instant());
  }

  /** The certificate new sessions should use. */
  public DtlsCertificate current() {
    return current;
  }

  /**
   * Replaces the certificate if it was created more than {@code maxAge} ago.
   *
   * @return whether it was replaced
   */
  public synchronized boolean rotateIfOlderThan(Duration maxAge) {
    Instant now = clock.instant();
    DtlsCertificate old = current;
    if (Duration.between(old.createdAt(), now).compareTo(maxAge) <= 0) {
      return false;
    }
    DtlsCertificate fresh = DtlsCertificate.generate(now);
    current = fresh;
    LOG.info(
        () ->
            "dtls certificate rotated old="
                + old.fingerprint().value()
                + " new="
                + fresh.fingerprint().value());
    return true;
  }
}
