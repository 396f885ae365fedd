package io.cheenhub.sfu.config;

/**
 * Settings of the loss resilience (docs/quality.md).
 *
 * @param red whether the server sends its own RED to subscribers on lossy paths ({@code
 *     sfu.quality.red}, default true); false sends every subscriber plain Opus, which the benchmark
 *     uses to measure what RED buys
 */
public record QualitySettings(boolean red) {

  /** The documented defaults. */
  public static final QualitySettings DEFAULTS = new QualitySettings(true);
}
