package io.cheenhub.sfu.transport;

import io.cheenhub.sfu.config.MediaLimits;
import io.cheenhub.sfu.config.SrtpSettings;
import io.cheenhub.sfu.metrics.StaleSweeps;
import io.cheenhub.sfu.metrics.TransportMetrics;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * A started {@link TransportService} for other packages' unit tests (signaling opens transports for
 * publish and subscribe): loopback port, plain executors behind the managed interfaces, metrics
 * that count nothing. {@link #close} stops it and its executors.
 */
public final class TestTransportService implements AutoCloseable {

  private final ExecutorService packetExecutor = Executors.newCachedThreadPool();
  private final ExecutorService blocking = Executors.newCachedThreadPool();
  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
  private final TransportService service = new TransportService();

  /** Binds 127.0.0.1 on an ephemeral port and starts the packet workers. */
  public TestTransportService() {
    service.limits =
        new MediaLimits(
            0,
            "127.0.0.1",
            List.of(),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            Duration.ofSeconds(5),
            1_024,
            true);
    service.srtp = SrtpSettings.DEFAULTS;
    service.metrics = new SilentMetrics();
    service.sweeps = new SilentSweeps();
    service.packetExecutor = managed(ManagedExecutorService.class, packetExecutor);
    service.blockingExecutor = managed(ManagedExecutorService.class, blocking);
    service.scheduler = managed(ManagedScheduledExecutorService.class, scheduler);
    service.start(new Object());
  }

  public TransportService service() {
    return service;
  }

  /** Transports open now (the signaling code must close every one it opened). */
  public int openCount() {
    return service.transports().size();
  }

  @Override
  public void close() {
    service.stop();
    scheduler.shutdownNow();
    packetExecutor.shutdownNow();
    blocking.shutdown();
    try {
      if (!blocking.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("blocking executor did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * {@code type} backed by {@code delegate} for the {@link ExecutorService} methods; the managed
   * extras throw. Used wherever a test starts a service outside the container.
   */
  public static <T> T managed(Class<T> type, ExecutorService delegate) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              if (!method.getDeclaringClass().isInstance(delegate)) {
                throw new UnsupportedOperationException(method.toString());
              }
              try {
                return method.invoke(delegate, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }));
  }

  private static final class SilentMetrics extends TransportMetrics {
    @Override
    public void register(IntSupplier active) {}

    @Override
    public void transportCreated() {}

    @Override
    public void transportClosed(String reason, TransportCounters counters) {}

    @Override
    public void connectionSetUp(Duration took) {}

    @Override
    public void iceConnected(Duration took) {}

    @Override
    public void dtlsConnected(Duration took) {}

    @Override
    public void dtlsFailed(String reason) {}

    @Override
    public void publish(TransportCounters counters) {}
  }

  private static final class SilentSweeps extends StaleSweeps {
    @Override
    public void register() {}

    @Override
    public void swept(String kind) {}
  }
}
