package io.cheenhub.sfu.admission;

/**
 * The server's load at one moment.
 *
 * @param heapRatio heap in use after the last garbage collection over the maximum heap, 0..1
 * @param cpuLoad system (container) CPU load, 0..1; 0 when the JVM cannot tell
 * @param packetRate RTP packets forwarded per second since the previous sample
 */
public record LoadSample(double heapRatio, double cpuLoad, double packetRate) {

  /** Before the first sample. */
  public static final LoadSample IDLE = new LoadSample(0, 0, 0);
}
