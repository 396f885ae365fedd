package io.cheenhub.sfu.config;

/**
 * Load above which new joins are refused with {@code overloaded} (docs/security.md). A threshold of
 * 0 turns its check off.
 *
 * @param maxHeapRatio heap in use after the last collection over the maximum heap, 0..1 ({@code
 *     sfu.admission.max-heap-ratio})
 * @param maxCpuLoad system (container) CPU load, 0..1 ({@code sfu.admission.max-cpu-load})
 * @param maxPacketRate RTP packets forwarded per second ({@code sfu.admission.max-packet-rate})
 */
public record AdmissionLimits(double maxHeapRatio, double maxCpuLoad, long maxPacketRate) {

  public AdmissionLimits {
    if (!(maxHeapRatio >= 0 && maxHeapRatio <= 1)) {
      throw new IllegalArgumentException(
          "sfu.admission.max-heap-ratio must be in 0..1, was " + maxHeapRatio);
    }
    if (!(maxCpuLoad >= 0 && maxCpuLoad <= 1)) {
      throw new IllegalArgumentException(
          "sfu.admission.max-cpu-load must be in 0..1, was " + maxCpuLoad);
    }
    if (maxPacketRate < 0) {
      throw new IllegalArgumentException(
          "sfu.admission.max-packet-rate must not be negative, was " + maxPacketRate);
    }
  }
}
