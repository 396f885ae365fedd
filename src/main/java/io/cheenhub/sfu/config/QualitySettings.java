package io.cheenhub.sfu.config;

/**
 * Settings of the loss resilience (docs/quality.md).
 *
 * @param red whether the server sends its own RED to subscribers on lossy paths ({@code
 *     sfu.quality.red}, default true); false sends every subscriber plain Opus, which the benchmark
 *     uses to measure what RED buys
 * @param publisherFeedback whether publishers that negotiated transport-cc get the server's
 *     transport-wide feedback ({@code sfu.quality.publisher-feedback}, default false): it drives
 *     the browser's bandwidth estimator, which for audio alone decides little but the budget for
 *     resending NACKed packets, and under 20 % random loss it shrinks that budget until the uplink
 *     repair starves (measured, docs/quality.md)
 */
public record QualitySettings(boolean red, boolean publisherFeedback) {

  /** The documented defaults. */
  public static final QualitySettings DEFAULTS = new QualitySettings(true, false);
}
