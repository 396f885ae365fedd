package io.cheenhub.sfu.config;

/**
 * Settings of SRTP encryption (docs/deployment.md "Media").
 *
 * @param aes the AES implementation jitsi-srtp uses for every session of the process ({@code
 *     sfu.srtp.aes}): {@code auto}, {@code OpenSSL}, {@code SunJCE} or {@code BouncyCastle};
 *     checked by {@code Srtp.parseAesSetting} when media starts, which names the accepted values
 */
public record SrtpSettings(String aes) {

  /** The documented default: OpenSSL where jitsi-srtp's native library loads, else SunJCE. */
  public static final SrtpSettings DEFAULTS = new SrtpSettings("auto");

  /** Keeps the value without surrounding blanks. */
  public SrtpSettings {
    aes = aes.strip();
  }
}
