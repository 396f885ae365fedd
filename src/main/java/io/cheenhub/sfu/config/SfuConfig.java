package io.cheenhub.sfu.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one place where operator settings ({@code sfu.*} MicroProfile Config keys) are read.
 *
 * <p>Every key, its default, unit and meaning is listed in {@code docs/deployment.md}. Values can
 * come from system properties ({@code -Dsfu.room.max-participants=50}), environment variables
 * ({@code SFU_ROOM_MAX_PARTICIPANTS=50}) or {@code META-INF/microprofile-config.properties}.
 */
@ApplicationScoped
public class SfuConfig {

  @Inject
  @ConfigProperty(name = "sfu.room.max-participants", defaultValue = "100")
  int maxParticipantsPerRoom;

  @Inject
  @ConfigProperty(name = "sfu.room.max-display-name-length", defaultValue = "64")
  int maxDisplayNameLength;

  @Inject
  @ConfigProperty(name = "sfu.signaling.max-frame-bytes", defaultValue = "65536")
  int maxFrameBytes;

  @Inject
  @ConfigProperty(name = "sfu.signaling.max-rooms-per-connection", defaultValue = "1")
  int maxRoomsPerConnection;

  @Inject
  @ConfigProperty(name = "sfu.signaling.messages-per-second", defaultValue = "100")
  int messagesPerSecond;

  @Inject
  @ConfigProperty(name = "sfu.signaling.message-burst", defaultValue = "100")
  int messageBurst;

  @Inject
  @ConfigProperty(name = "sfu.signaling.max-rejected-messages", defaultValue = "200")
  int maxRejectedPerWindow;

  @Inject
  @ConfigProperty(name = "sfu.signaling.abuse-window-ms", defaultValue = "10000")
  long abuseWindowMs;

  @Inject
  @ConfigProperty(name = "sfu.signaling.ping-interval-ms", defaultValue = "10000")
  long pingIntervalMs;

  @Inject
  @ConfigProperty(name = "sfu.signaling.idle-timeout-ms", defaultValue = "30000")
  long idleTimeoutMs;

  @Inject
  @ConfigProperty(name = "sfu.signaling.max-queued-outbound", defaultValue = "1000")
  int maxQueuedOutbound;

  @Inject
  @ConfigProperty(name = "sfu.signaling.reconnect-grace-ms", defaultValue = "15000")
  long reconnectGraceMs;

  @Inject
  @ConfigProperty(name = "sfu.media.port", defaultValue = "10000")
  int mediaPort;

  @Inject
  @ConfigProperty(name = "sfu.media.bind-address")
  Optional<String> mediaBindAddress;

  @Inject
  @ConfigProperty(name = "sfu.media.advertised-addresses")
  Optional<String> advertisedAddresses;

  @Inject
  @ConfigProperty(name = "sfu.media.connect-timeout-ms", defaultValue = "30000")
  long connectTimeoutMs;

  @Inject
  @ConfigProperty(name = "sfu.media.consent-timeout-ms", defaultValue = "30000")
  long consentTimeoutMs;

  @Inject
  @ConfigProperty(name = "sfu.media.dtls-handshake-timeout-ms", defaultValue = "30000")
  long dtlsHandshakeTimeoutMs;

  @Inject
  @ConfigProperty(name = "sfu.media.receive-queue-packets", defaultValue = "1024")
  int receiveQueuePackets;

  @Inject
  @ConfigProperty(name = "sfu.media.direct-send", defaultValue = "true")
  boolean directSend;

  /** Media transport settings as configured. */
  @Produces
  public MediaLimits mediaLimits() {
    return new MediaLimits(
        mediaPort,
        mediaBindAddress.map(String::strip).orElse(""),
        list(advertisedAddresses),
        Duration.ofMillis(connectTimeoutMs),
        Duration.ofMillis(consentTimeoutMs),
        Duration.ofMillis(dtlsHandshakeTimeoutMs),
        receiveQueuePackets,
        directSend);
  }

  @Inject
  @ConfigProperty(name = "sfu.srtp.aes", defaultValue = "auto")
  String srtpAes;

  /** SRTP settings as configured. */
  @Produces
  public SrtpSettings srtpSettings() {
    return new SrtpSettings(srtpAes);
  }

  @Inject
  @ConfigProperty(name = "sfu.quality.red", defaultValue = "true")
  boolean red;

  @Inject
  @ConfigProperty(name = "sfu.quality.publisher-feedback", defaultValue = "false")
  boolean publisherFeedback;

  /** Loss resilience settings as configured. */
  @Produces
  public QualitySettings qualitySettings() {
    return new QualitySettings(red, publisherFeedback);
  }

  /** Room limits as configured. */
  @Produces
  public RoomLimits roomLimits() {
    return new RoomLimits(maxParticipantsPerRoom, maxDisplayNameLength);
  }

  @Inject
  @ConfigProperty(name = "sfu.room.speaker-slots", defaultValue = "3")
  int speakerSlots;

  @Inject
  @ConfigProperty(name = "sfu.room.slot-threshold", defaultValue = "8")
  int slotThreshold;

  @Inject
  @ConfigProperty(name = "sfu.cluster.enabled", defaultValue = "false")
  boolean clusterEnabled;

  @Inject
  @ConfigProperty(name = "sfu.cluster.instance")
  Optional<String> clusterInstance;

  @Inject
  @ConfigProperty(name = "sfu.cluster.public-url")
  Optional<String> clusterPublicUrl;

  @Inject
  @ConfigProperty(name = "sfu.cluster.secret")
  Optional<String> clusterSecret;

  @Inject
  @ConfigProperty(name = "sfu.cluster.heartbeat-ms", defaultValue = "1000")
  long clusterHeartbeatMs;

  @Inject
  @ConfigProperty(name = "sfu.cluster.ttl-ms", defaultValue = "3000")
  long clusterTtlMs;

  /** Scale-out settings as configured (a single instance unless sfu.cluster.enabled). */
  @Produces
  public ClusterSettings clusterSettings() {
    return new ClusterSettings(
        clusterEnabled,
        clusterInstance.map(String::strip).orElse(null),
        clusterPublicUrl.map(String::strip).map(java.net.URI::create).orElse(null),
        clusterSecret.orElse(null),
        Duration.ofMillis(clusterHeartbeatMs),
        Duration.ofMillis(clusterTtlMs));
  }

  @Inject
  @ConfigProperty(name = "sfu.cluster.cascade", defaultValue = "false")
  boolean cascade;

  @Inject
  @ConfigProperty(name = "sfu.cluster.relay-host")
  Optional<String> relayHost;

  @Inject
  @ConfigProperty(name = "sfu.cluster.relay-port")
  Optional<Integer> relayPort;

  /** Cascaded rooms as configured (off unless sfu.cluster.cascade). */
  @Produces
  public CascadeSettings cascadeSettings() {
    if (!cascade) {
      return CascadeSettings.OFF;
    }
    if (!clusterEnabled) {
      throw new IllegalArgumentException("sfu.cluster.cascade needs sfu.cluster.enabled");
    }
    String host =
        relayHost
            .map(String::strip)
            .orElseGet(
                () ->
                    clusterPublicUrl
                        .map(String::strip)
                        .map(java.net.URI::create)
                        .map(java.net.URI::getHost)
                        .orElse(null));
    return new CascadeSettings(true, host, relayPort.orElse(mediaPort + 1));
  }

  @Inject
  @ConfigProperty(name = "sfu.room.decrypt-silent", defaultValue = "false")
  boolean decryptSilent;

  /** Speaker slots of large rooms as configured. */
  @Produces
  public SpeakerSlots speakerSlots() {
    return new SpeakerSlots(speakerSlots, slotThreshold, decryptSilent);
  }

  /** Signaling limits as configured. */
  @Produces
  public SignalingLimits signalingLimits() {
    return new SignalingLimits(
        maxFrameBytes,
        maxRoomsPerConnection,
        messagesPerSecond,
        messageBurst,
        maxRejectedPerWindow,
        Duration.ofMillis(abuseWindowMs),
        Duration.ofMillis(pingIntervalMs),
        Duration.ofMillis(idleTimeoutMs),
        maxQueuedOutbound,
        Duration.ofMillis(reconnectGraceMs));
  }

  @Inject
  @ConfigProperty(name = "sfu.turn.urls")
  Optional<String> turnUrls;

  @Inject
  @ConfigProperty(name = "sfu.turn.secret")
  Optional<String> turnSecret;

  @Inject
  @ConfigProperty(name = "sfu.turn.ttl-seconds", defaultValue = "86400")
  long turnTtlSeconds;

  /** TURN servers for clients as configured (none unless sfu.turn.urls is set). */
  @Produces
  public TurnSettings turnSettings() {
    return new TurnSettings(
        list(turnUrls),
        turnSecret.map(String::strip).orElse(""),
        Duration.ofSeconds(turnTtlSeconds));
  }

  @Inject
  @ConfigProperty(name = "sfu.metrics.max-room-labels", defaultValue = "20")
  int maxRoomLabels;

  /** Metrics settings as configured. */
  @Produces
  public MetricsSettings metricsSettings() {
    return new MetricsSettings(maxRoomLabels);
  }

  @Inject
  @ConfigProperty(name = "sfu.auth.anonymous", defaultValue = "false")
  boolean anonymous;

  @Inject
  @ConfigProperty(name = "sfu.auth.max-rooms-per-user", defaultValue = "5")
  int maxRoomsPerUser;

  @Inject
  @ConfigProperty(name = "sfu.signaling.allowed-origins")
  Optional<String> allowedOrigins;

  // The standard MicroProfile JWT 2.1 keys, so a deployment configures tokens once for both.
  @Inject
  @ConfigProperty(name = "mp.jwt.verify.publickey")
  Optional<String> jwtPublicKey;

  @Inject
  @ConfigProperty(name = "mp.jwt.verify.publickey.location")
  Optional<String> jwtPublicKeyLocation;

  @Inject
  @ConfigProperty(name = "mp.jwt.verify.publickey.algorithm", defaultValue = "RS256")
  String jwtAlgorithm;

  @Inject
  @ConfigProperty(name = "mp.jwt.verify.issuer")
  Optional<String> jwtIssuer;

  @Inject
  @ConfigProperty(name = "mp.jwt.verify.audiences")
  Optional<String> jwtAudiences;

  @Inject
  @ConfigProperty(name = "mp.jwt.verify.clock.skew", defaultValue = "60")
  long jwtClockSkewSeconds;

  @Inject
  @ConfigProperty(name = "sfu.auth.key-refresh-min-interval-ms", defaultValue = "30000")
  long keyRefreshMinIntervalMs;

  /** Authentication, origin and per-user settings as configured. */
  @Produces
  public AuthSettings authSettings() {
    return new AuthSettings(
        anonymous,
        maxRoomsPerUser,
        list(allowedOrigins),
        jwtPublicKey.map(String::strip).orElse(""),
        jwtPublicKeyLocation.map(String::strip).orElse(""),
        jwtAlgorithm.strip(),
        jwtIssuer.map(String::strip).orElse(""),
        Set.copyOf(list(jwtAudiences)),
        Duration.ofSeconds(jwtClockSkewSeconds),
        Duration.ofMillis(keyRefreshMinIntervalMs));
  }

  @Inject
  @ConfigProperty(name = "sfu.admission.max-heap-ratio", defaultValue = "0.9")
  double maxHeapRatio;

  @Inject
  @ConfigProperty(name = "sfu.admission.max-cpu-load", defaultValue = "0")
  double maxCpuLoad;

  @Inject
  @ConfigProperty(name = "sfu.admission.max-packet-rate", defaultValue = "0")
  long maxPacketRate;

  /** Admission control thresholds as configured. */
  @Produces
  public AdmissionLimits admissionLimits() {
    return new AdmissionLimits(maxHeapRatio, maxCpuLoad, maxPacketRate);
  }

  /** A comma-separated setting as its non-blank, stripped items. */
  private static List<String> list(Optional<String> commaSeparated) {
    return Arrays.stream(commaSeparated.orElse("").split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }
}
