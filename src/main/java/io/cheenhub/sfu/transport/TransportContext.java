package io.cheenhub.sfu.transport;

import io.cheenhub.sfu.config.MediaLimits;
import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome;
import io.cheenhub.sfu.transport.dtls.RotatingCertificate;
import io.cheenhub.sfu.transport.ice.IcePort;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/** What a {@link MediaTransport} gets from its owner, and how it reports back upward. */
interface TransportContext {

  MediaLimits limits();

  IcePort port();

  RotatingCertificate certificates();

  PacketWorkers workers();

  /** For work that blocks: DTLS handshakes, freeing agents. */
  Executor blockingExecutor();

  /**
   * The candidate lines to signal: the given host candidates, or the configured advertised ones.
   */
  List<String> advertise(List<String> hostCandidates);

  void onIceConnected(MediaTransport transport, Duration took);

  void onDtlsConnected(MediaTransport transport, HandshakeOutcome.Established outcome);

  void onDtlsFailed(MediaTransport transport, HandshakeOutcome.Failed outcome);

  /** Asks the owner to close the transport (never closes inline: ice4j threads must not block). */
  void requestClose(MediaTransport transport, String reason);
}
