package io.cheenhub.sfu.admission;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.cheenhub.sfu.config.AdmissionLimits;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Admission control: samples heap, CPU and forwarded packet rate every {@link #SAMPLE_INTERVAL}
 * and, while one passes its {@link AdmissionLimits threshold}, new joins are refused with {@code
 * overloaded} and readiness reports DOWN. Participants already in a room keep everything.
 *
 * <p>The owner runs {@link #sample} every {@link #SAMPLE_INTERVAL} while the server has
 * connections; an idle server runs no timer (issue 17), and a reader that finds the sample older
 * than {@link #STALE_AFTER_NANOS} takes a fresh one first, so readiness never reports an overload
 * that ended while nobody was connected. A join reads two volatile fields and the clock; the
 * sampling cost (three MXBean reads) does not grow with a join storm.
 */
@ApplicationScoped
public class AdmissionControl {

  private static final Logger LOG = Logger.getLogger(AdmissionControl.class.getName());

  /** How often the load is sampled while the server has connections. */
  public static final Duration SAMPLE_INTERVAL = Duration.ofMillis(500);

  /** A sample this old is retaken by the reader: four missed periods, or an idle server. */
  static final long STALE_AFTER_NANOS = SAMPLE_INTERVAL.multipliedBy(4).toNanos();

  @Inject AdmissionLimits limits;

  private final List<Runnable> unsubscribe = new ArrayList<>();
  private final Set<String> heapPools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP)
          .map(p -> p.getName())
          .collect(Collectors.toUnmodifiableSet());
  private volatile long heapUsedAfterGc;
  private volatile LoadSample sample = LoadSample.IDLE;
  private volatile Overload overload;
  private LongSupplier packetsForwarded;
  private long lastPackets;
  private volatile long lastSampleNanos;

  /**
   * Starts listening to collections and takes the first sample; {@code packetsForwarded} is the
   * cumulative count. Further samples come from {@link #sample} (every {@link #SAMPLE_INTERVAL}
   * while the owner has connections) and from readers of a stale sample.
   */
  public synchronized void start(LongSupplier packetsForwarded) {
    this.packetsForwarded = packetsForwarded;
    lastPackets = packetsForwarded.getAsLong();
    lastSampleNanos = System.nanoTime();
    listenToCollections();
    LOG.info(
        () ->
            "admission control maxHeapRatio="
                + limits.maxHeapRatio()
                + " maxCpuLoad="
                + limits.maxCpuLoad()
                + " maxPacketRate="
                + limits.maxPacketRate());
  }

  @PreDestroy
  synchronized void stop() {
    unsubscribe.forEach(Runnable::run);
    unsubscribe.clear();
  }

  /** Why joins are refused right now, or null when they are admitted. */
  public Overload overload() {
    refreshIfStale();
    return overload;
  }

  /** Heap in use after the last garbage collection, in bytes (0 before the first). */
  public long heapUsedAfterGc() {
    return heapUsedAfterGc;
  }

  /** The latest load sample. */
  public LoadSample lastSample() {
    refreshIfStale();
    return sample;
  }

  private void refreshIfStale() {
    if (System.nanoTime() - lastSampleNanos > STALE_AFTER_NANOS) {
      synchronized (this) {
        if (System.nanoTime() - lastSampleNanos > STALE_AFTER_NANOS) {
          sample(); // once: the readers that waited here find it fresh
        }
      }
    }
  }

  /** Samples the load now and updates the overload state (logged when it changes). */
  public synchronized void sample() {
    if (packetsForwarded == null) {
      return; // not started
    }
    try {
      long now = System.nanoTime();
      long packets = packetsForwarded.getAsLong();
      double seconds = (now - lastSampleNanos) / 1e9;
      double rate = seconds > 0 ? (packets - lastPackets) / seconds : 0;
      lastPackets = packets;
      lastSampleNanos = now;
      long maxHeap = Runtime.getRuntime().maxMemory();
      double heap = maxHeap > 0 ? (double) heapUsedAfterGc / maxHeap : 0;
      var next = new LoadSample(heap, cpuLoad(), rate);
      sample = next;
      Overload previous = overload;
      Overload current = Overload.of(limits, next);
      overload = current;
      if ((previous == null) != (current == null)) {
        LOG.warning(
            () ->
                current != null
                    ? "admission refusing joins reason="
                        + current.reason()
                        + " "
                        + current.message()
                    : "admission accepting joins again reason=" + previous.reason());
      }
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: log and keep sampling.
      LOG.log(Level.SEVERE, "admission sample failed", e);
    }
  }

  private static double cpuLoad() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      double load = os.getCpuLoad(); // negative when not available
      return load > 0 ? load : 0;
    }
    return 0;
  }

  /**
   * Heap after GC from the collectors' notifications: every collection, young ones included, says
   * what each pool holds once it finished, which is the live set plus not yet collected old
   * garbage. The pools' own {@code getCollectionUsage()} is not enough: with G1 the old
   * generation's is only updated by mixed and full collections.
   */
  private void listenToCollections() {
    NotificationListener listener = this::onCollection;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        unsubscribe.add(
            () -> {
              try {
                emitter.removeNotificationListener(listener);
              } catch (ListenerNotFoundException e) {
                LOG.log(Level.FINE, "collector listener already gone", e);
              }
            });
      }
    }
  }

  private void onCollection(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
        notification.getType())) {
      return;
    }
    var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
    long used = 0;
    for (var entry : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(entry.getKey())) {
        MemoryUsage usage = entry.getValue();
        used += usage.getUsed();
      }
    }
    heapUsedAfterGc = used;
  }
}
