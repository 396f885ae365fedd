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

  /** Generates the first certificate now, reading time from {@code clock}. */
  public RotatingCertificate(Clock clock) {
    this.clock = clock;
    this.current = DtlsCertificate.generate(clock.instant());
  }

  /** The certificate new sessions should use. */
  public DtlsCertificate current() {
    return current;
  }

  /**
   * Replaces the certificate if it was created more than {@code maxAge} ago. Cheap when it is not
   * (a clock read, no lock): callers check before every new session.
   *
   * @return whether it was replaced
   */
  public boolean rotateIfOlderThan(Duration maxAge) {
    if (!isOlderThan(current, clock.instant(), maxAge)) {
      return false;
    }
    synchronized (this) {
      Instant now = clock.instant();
      DtlsCertificate old = current;
      if (!isOlderThan(old, now, maxAge)) {
        return false; // another caller rotated it meanwhile
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

  private static boolean isOlderThan(DtlsCertificate certificate, Instant now, Duration maxAge) {
    return Duration.between(certificate.createdAt(), now).compareTo(maxAge) > 0;
  }
}
