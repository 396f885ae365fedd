package io.cheenhub.sfu.media;

/** Audio quality level a publisher is asked to send at (roadmap Phase 2: 64 / 32 / 16 kbps). */
public enum QualityLevel {
  HIGH(64, "high"),
  MEDIUM(32, "medium"),
  LOW(16, "low");

  private final int maxBitrateKbps;
  private final String wireValue;

  QualityLevel(int maxBitrateKbps, String wireValue) {
    this.maxBitrateKbps = maxBitrateKbps;
    this.wireValue = wireValue;
  }

  /** The Opus bitrate cap at this level, in kbit/s. */
  public int maxBitrateKbps() {
    return maxBitrateKbps;
  }

  /** The lowercase name used in signaling messages ({@code qualityUpdate}). */
  public String wireValue() {
    return wireValue;
  }

  /** The next lower level; {@link #LOW} stays {@link #LOW}. */
  public QualityLevel stepDown() {
    return this == HIGH ? MEDIUM : LOW;
  }

  /** The next higher level; {@link #HIGH} stays {@link #HIGH}. */
  public QualityLevel stepUp() {
    return this == LOW ? MEDIUM : HIGH;
  }
}
