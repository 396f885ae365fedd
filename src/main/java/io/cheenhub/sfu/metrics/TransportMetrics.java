package io.cheenhub.sfu.metrics;

import io.cheenhub.sfu.media.LatencyHistogram;
import io.cheenhub.sfu.transport.MediaTransport;
import io.cheenhub.sfu.transport.TransportCounters;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

/**
 * Metrics of the media transports. Packet and byte counters are kept per transport on the packet
 * path and published here once a second by the transport watchdog, so no global counter is touched
 * per packet.
 */
@ApplicationScoped
public class TransportMetrics implements TransportCounters.DeltaSink {

  /** The receive drops that are SRTP failures ({@code sfu_srtp_failures_total} kinds). */
  private static final EnumSet<TransportCounters.Drop> SRTP_FAILURES =
      EnumSet.of(
          TransportCounters.Drop.AUTH,
          TransportCounters.Drop.REPLAY,
          TransportCounters.Drop.NO_KEYS);

  @Inject MetricRegistry metrics;

  private final Map<TransportCounters.Series, Counter> series =
      new EnumMap<>(TransportCounters.Series.class);
  private final Map<String, Counter> drops = new ConcurrentHashMap<>();
  private final Map<String, Counter> closes = new ConcurrentHashMap<>();
  private final Map<String, Counter> dtlsFailures = new ConcurrentHashMap<>();
  private final Map<TransportCounters.Drop, Counter> srtpFailures =
      new EnumMap<>(TransportCounters.Drop.class);
  private final LatencyHistogram connectionSetup = new LatencyHistogram();
  private Counter receiveQueueDrops;
  private Counter created;
  private Timer iceConnect;
  private Timer dtlsHandshake;

  /** Registers every series; {@code active} is read at scrape time. */
  public void register(IntSupplier active) {
    metrics.gauge(
        SfuMetrics.metadata("sfu_transports_active", "Media transports (PeerConnections) open"),
        active,
        IntSupplier::getAsInt);
    created =
        metrics.counter(SfuMetrics.metadata("sfu_transports_created", "Media transports created"));
    var packetsIn =
        SfuMetrics.metadata(
            "sfu_media_packets_received",
            "SRTP/SRTCP packets accepted (decrypted, or counted from the clear header when nobody needs them)");
    series.put(
        TransportCounters.Series.RTP_PACKETS_RECEIVED,
        metrics.counter(packetsIn, new Tag("kind", "rtp")));
    series.put(
        TransportCounters.Series.RTCP_PACKETS_RECEIVED,
        metrics.counter(packetsIn, new Tag("kind", "rtcp")));
    series.put(
        TransportCounters.Series.BYTES_RECEIVED,
        metrics.counter(
            SfuMetrics.metadata("sfu_media_bytes_received", "Bytes received on media transports")));
    series.put(
        TransportCounters.Series.PACKETS_SENT,
        metrics.counter(SfuMetrics.metadata("sfu_media_packets_sent", "SRTP/SRTCP packets sent")));
    series.put(
        TransportCounters.Series.BYTES_SENT,
        metrics.counter(
            SfuMetrics.metadata("sfu_media_bytes_sent", "Bytes sent on media transports")));
    for (TransportCounters.Drop reason : TransportCounters.Drop.values()) {
      drop(reason.wireValue());
    }
    var srtp =
        SfuMetrics.metadata(
            "sfu_srtp_failures",
            "Received SRTP/SRTCP packets refused: auth (bad tag), replay, no-keys (before DTLS)");
    for (TransportCounters.Drop kind : SRTP_FAILURES) {
      srtpFailures.put(kind, metrics.counter(srtp, new Tag("kind", kind.wireValue())));
    }
    receiveQueueDrops =
        metrics.counter(
            SfuMetrics.queueDrops(),
            new Tag("queue", "receive"),
            new Tag("reason", TransportCounters.Drop.QUEUE_FULL.wireValue()));
    // Series alerts watch exist from the start, so a first failure is a rate, not a new series.
    for (String reason : List.of("connect-timeout", "consent-expired")) {
      closed(reason);
    }
    for (HandshakeOutcome.FailureReason reason : HandshakeOutcome.FailureReason.values()) {
      dtlsFailure(MediaTransport.wireValue(reason));
    }
    new HistogramGauges(
            connectionSetup::snapshot, HistogramGauges.SETUP_BOUNDS_MS, System::nanoTime)
        .register(
            metrics,
            "sfu_connection_setup_ms",
            "Join (or transport creation) to ICE and DTLS connected");
    iceConnect =
        metrics.timer(
            Metadata.builder()
                .withName("sfu_ice_connect")
                .withDescription("Transport creation to ICE completed")
                .withUnit(MetricUnits.SECONDS)
                .build());
    dtlsHandshake =
        metrics.timer(
            Metadata.builder()
                .withName("sfu_dtls_handshake")
                .withDescription("DTLS handshake duration")
                .withUnit(MetricUnits.SECONDS)
                .build());
  }

  public void transportCreated() {
    created.inc();
  }

  /** Counts a close by reason and publishes the transport's last counts. */
  public void transportClosed(String reason, TransportCounters counters) {
    closed(reason).inc();
    counters.publish(this);
  }

  private Counter closed(String reason) {
    return closes.computeIfAbsent(
        reason,
        r ->
            metrics.counter(
                SfuMetrics.metadata("sfu_transports_closed", "Media transports closed, by reason"),
                new Tag("reason", r)));
  }

  /** A transport is connected (ICE and DTLS) {@code took} after its setup started. */
  public void connectionSetUp(Duration took) {
    connectionSetup.recordNanos(took.toNanos());
  }

  public void iceConnected(Duration took) {
    iceConnect.update(took);
  }

  public void dtlsConnected(Duration took) {
    dtlsHandshake.update(took);
  }

  public void dtlsFailed(String reason) {
    dtlsFailure(reason).inc();
  }

  private Counter dtlsFailure(String reason) {
    return dtlsFailures.computeIfAbsent(
        reason,
        r ->
            metrics.counter(
                SfuMetrics.metadata("sfu_dtls_failures", "DTLS handshakes that failed, by reason"),
                new Tag("reason", r)));
  }

  /** Publishes a transport's counter growth. */
  public void publish(TransportCounters counters) {
    counters.publish(this);
  }

  @Override
  public void add(TransportCounters.Series name, String label, long delta) {
    if (delta <= 0) {
      return;
    }
    if (name == TransportCounters.Series.DROPS) {
      drop(label).inc(delta);
      for (TransportCounters.Drop kind : SRTP_FAILURES) {
        if (kind.wireValue().equals(label)) {
          srtpFailures.get(kind).inc(delta);
        }
      }
      if (TransportCounters.Drop.QUEUE_FULL.wireValue().equals(label)) {
        receiveQueueDrops.inc(delta);
      }
    } else {
      series.get(name).inc(delta);
    }
  }

  private Counter drop(String reason) {
    return drops.computeIfAbsent(
        reason,
        r ->
            metrics.counter(
                SfuMetrics.metadata("sfu_media_drops", "Received media packets dropped, by reason"),
                new Tag("reason", r)));
  }
}
