package io.cheenhub.sfu.media;

/**
 * The three audio layers a speaker may send (issue 15), best first: a layer's index in a source is
 * its position in this order.
 */
public enum AudioLayer {
  H(64_000, "h"),
  M(32_000, "m"),
  L(16_000, "l");

  private static final AudioLayer[] BY_INDEX = values();

  private final long bitrateBps;
  private final String wireValue;

  AudioLayer(long bitrateBps, String wireValue) {
    this.bitrateBps = bitrateBps;
    this.wireValue = wireValue;
  }

  /** The Opus bitrate cap of this layer ({@code maxBitrate}), in bit/s. */
  public long bitrateBps() {
    return bitrateBps;
  }

  /** The name used in signaling ({@code "h"}, {@code "m"}, {@code "l"}). */
  public String wireValue() {
    return wireValue;
  }

  /** The layer's index, 0 = best. */
  public int index() {
    return ordinal();
  }

  /** The layer at {@code index} (0 = {@link #H}). */
  public static AudioLayer ofIndex(int index) {
    if (index < 0 || index >= BY_INDEX.length) {
      throw new IllegalArgumentException("no audio layer " + index);
    }
    return BY_INDEX[index];
  }

  /** The layer named {@code wireValue}, or null for any other string. */
  public static AudioLayer fromWireValue(String wireValue) {
    for (AudioLayer layer : BY_INDEX) {
      if (layer.wireValue.equals(wireValue)) {
        return layer;
      }
    }
    return null;
  }
}
