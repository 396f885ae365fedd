package io.cheenhub.sfu.transport;

import io.cheenhub.sfu.config.MediaLimits;
import io.cheenhub.sfu.packet.PacketWorkers;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome;
import io.cheenhub.sfu.transport.dtls.RotatingCertificate;
import io.cheenhub.sfu.transport.ice.IcePort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The owner of media transports in unit tests: what {@link TransportService} does in the container
 * (shared port on loopback, certificate, packet workers, blocking executor), with plain executors
 * that the test shuts down and checks.
 */
final class TestTransports implements TransportContext, AutoCloseable {

  final MediaLimits limits =
      new MediaLimits(
          0,
          "127.0.0.1",
          List.of(),
          Duration.ofSeconds(10),
          Duration.ofSeconds(10),
          Duration.ofSeconds(5),
          1_024,
          true);
  final ExecutorService packetExecutor = Executors.newCachedThreadPool();
  final ExecutorService blocking = Executors.newCachedThreadPool();
  final PacketWorkers workers = new PacketWorkers(packetExecutor, 2);
  final RotatingCertificate certificates = new RotatingCertificate();
  final IcePort port;
  final Map<String, MediaTransport> open = new ConcurrentHashMap<>();
  final List<String> closeRequests = new CopyOnWriteArrayList<>();
  final List<HandshakeOutcome.Failed> dtlsFailures = new CopyOnWriteArrayList<>();

  TestTransports() throws IOException {
    this(true);
  }

  /** With {@code directSend} false, media goes out through ice4j's send path. */
  TestTransports(boolean directSend) throws IOException {
    port = IcePort.bind("127.0.0.1", 0, directSend);
  }

  MediaTransport create(String id, RemoteParameters remote) throws IOException {
    var transport = new MediaTransport(id, this);
    open.put(id, transport);
    transport.start(remote);
    return transport;
  }

  void close(MediaTransport transport, String reason) {
    if (open.remove(transport.id(), transport)) {
      transport.close(reason);
    }
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", port.port());
  }

  @Override
  public MediaLimits limits() {
    return limits;
  }

  @Override
  public IcePort port() {
    return port;
  }

  @Override
  public RotatingCertificate certificates() {
    return certificates;
  }

  @Override
  public PacketWorkers workers() {
    return workers;
  }

  @Override
  public Executor blockingExecutor() {
    return blocking;
  }

  @Override
  public List<String> advertise(List<String> hostCandidates) {
    return hostCandidates;
  }

  @Override
  public void onIceConnected(MediaTransport transport, Duration took) {}

  @Override
  public void onDtlsConnected(MediaTransport transport, HandshakeOutcome.Established outcome) {}

  @Override
  public void onDtlsFailed(MediaTransport transport, HandshakeOutcome.Failed outcome) {
    dtlsFailures.add(outcome);
  }

  @Override
  public void requestClose(MediaTransport transport, String reason) {
    closeRequests.add(transport.id() + ":" + reason);
    blocking.execute(() -> close(transport, reason));
  }

  @Override
  public void close() {
    for (MediaTransport transport : open.values()) {
      close(transport, "test-end");
    }
    workers.close();
    port.close();
    packetExecutor.shutdown();
    blocking.shutdown();
    try {
      if (!packetExecutor.awaitTermination(5, TimeUnit.SECONDS)
          || !blocking.awaitTermination(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException("executors did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
