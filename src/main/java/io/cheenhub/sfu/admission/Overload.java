package io.cheenhub.sfu.admission;

import io.cheenhub.sfu.config.AdmissionLimits;
import java.util.List;
import java.util.Locale;

/**
 * Why new joins are refused: the first threshold of {@link AdmissionLimits} a sample passes.
 *
 * @param reason stable label: {@link #HEAP}, {@link #CPU} or {@link #PACKET_RATE}
 * @param message for the client's error and the readiness check
 */
public record Overload(String reason, String message) {

  public static final String HEAP = "heap";
  public static final String CPU = "cpu";
  public static final String PACKET_RATE = "packet-rate";

  /** Every reason, for metric labels. */
  public static final List<String> REASONS = List.of(HEAP, CPU, PACKET_RATE);

  /** The overload {@code sample} shows under {@code limits}, or null if joins may proceed. */
  public static Overload of(AdmissionLimits limits, LoadSample sample) {
    if (limits.maxHeapRatio() > 0 && sample.heapRatio() > limits.maxHeapRatio()) {
      return new Overload(
          HEAP,
          String.format(
              Locale.ROOT,
              "heap %.3f of maximum in use after GC, limit sfu.admission.max-heap-ratio=%s",
              sample.heapRatio(),
              limits.maxHeapRatio()));
    }
    if (limits.maxCpuLoad() > 0 && sample.cpuLoad() > limits.maxCpuLoad()) {
      return new Overload(
          CPU,
          String.format(
              Locale.ROOT,
              "CPU load %.2f, limit sfu.admission.max-cpu-load=%s",
              sample.cpuLoad(),
              limits.maxCpuLoad()));
    }
    if (limits.maxPacketRate() > 0 && sample.packetRate() > limits.maxPacketRate()) {
      return new Overload(
          PACKET_RATE,
          String.format(
              Locale.ROOT,
              "forwarding %.0f packets/s, limit sfu.admission.max-packet-rate=%d",
              sample.packetRate(),
              limits.maxPacketRate()));
    }
    return null;
  }
}
