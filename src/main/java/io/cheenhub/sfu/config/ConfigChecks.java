package io.cheenhub.sfu.config;

/** Validation of operator-supplied configuration values. */
final class ConfigChecks {

  private ConfigChecks() {}

  static void positive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be positive, was " + value);
    }
  }
}
