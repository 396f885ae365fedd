package io.cheenhub.sfu.config;

import java.time.Duration;
import java.util.List;

/**
 * Settings of the media transports: the shared UDP port and how long a transport may live without
 * proof that its peer is there.
 *
 * @param port UDP port shared by every PeerConnection (ICE, DTLS, SRTP)
 * @param bindAddress address to bind, or empty for every non-loopback interface
 * @param advertisedAddresses host candidates to put in SDP instead of the bound addresses, each
 *     {@code host} or {@code host:port} (NAT, static mapping, test relay); empty for the bound ones
 * @param connectTimeout a transport that has not completed ICE and DTLS within this time is closed
 * @param consentTimeout a connected transport with no consent response and no packet for this long
 *     is closed (RFC 7675: consent expires after 30 s)
 * @param dtlsHandshakeTimeout a DTLS handshake that has not finished within this time fails
 * @param receiveQueuePackets packets queued per transport between the socket and decryption; more
 *     are dropped and counted
 * @param directSend send media on the shared port's sockets directly instead of through ice4j's
 *     send layers, where the JDK lets the application reach them (issue 17; off only to compare or
 *     to rule it out)
 */
public record MediaLimits(
    int port,
    String bindAddress,
    List<String> advertisedAddresses,
    Duration connectTimeout,
    Duration consentTimeout,
    Duration dtlsHandshakeTimeout,
    int receiveQueuePackets,
    boolean directSend) {

  /** The documented defaults (see docs/deployment.md). */
  public static final MediaLimits DEFAULTS =
      new MediaLimits(
          10_000,
          "",
          List.of(),
          Duration.ofSeconds(30),
          Duration.ofSeconds(30),
          Duration.ofSeconds(30),
          1_024,
          true);

  /** Checks the values and fails with a message naming the config key. */
  public MediaLimits {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("sfu.media.port must be 0..65535, was " + port);
    }
    advertisedAddresses = List.copyOf(advertisedAddresses);
    ConfigChecks.positive("sfu.media.connect-timeout-ms", connectTimeout.toMillis());
    ConfigChecks.positive("sfu.media.consent-timeout-ms", consentTimeout.toMillis());
    ConfigChecks.positive("sfu.media.dtls-handshake-timeout-ms", dtlsHandshakeTimeout.toMillis());
    ConfigChecks.positive("sfu.media.receive-queue-packets", receiveQueuePackets);
  }
}
