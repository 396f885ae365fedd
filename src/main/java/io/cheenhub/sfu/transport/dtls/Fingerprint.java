package io.cheenhub.sfu.transport.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A certificate fingerprint as SDP carries it in {@code a=fingerprint} (RFC 8122 §5): a hash
 * function name and the digest of the DER certificate as colon-separated hex pairs.
 *
 * <p>The canonical form has a lower-case algorithm and an upper-case value, so {@code equals}
 * ignores the case of either. Only sha-1, sha-256, sha-384 and sha-512 are accepted; RFC 8122 §5
 * forbids md2 and md5.
 */
public record Fingerprint(String algorithm, String value) {

  /** The hash function this SFU uses for its own certificates. */
  public static final String SHA_256 = "sha-256";

  // RFC 8122 §5 hash-func names (IANA "Hash Function Textual Names") to JCA digest names.
  private static final Map<String, String> DIGESTS =
      Map.of("sha-1", "SHA-1", SHA_256, "SHA-256", "sha-384", "SHA-384", "sha-512", "SHA-512");
  private static final Pattern HEX_PAIRS = Pattern.compile("[0-9A-F]{2}(:[0-9A-F]{2})*");
  private static final Pattern WHITESPACE = Pattern.compile("[ \t]+");
  private static final HexFormat COLON_HEX = HexFormat.ofDelimiter(":").withUpperCase();

  /**
   * Validates and canonicalises.
   *
   * @throws IllegalArgumentException for an unsupported hash function or a malformed value
   */
  public Fingerprint {
    if (algorithm == null || value == null) {
      throw new IllegalArgumentException("fingerprint needs an algorithm and a value");
    }
    algorithm = algorithm.toLowerCase(Locale.ROOT);
    value = value.toUpperCase(Locale.ROOT);
    String digest = DIGESTS.get(algorithm);
    if (digest == null) {
      throw new IllegalArgumentException("unsupported fingerprint hash function: " + algorithm);
    }
    if (!HEX_PAIRS.matcher(value).matches() || (value.length() + 1) / 3 != digestBytes(digest)) {
      throw new IllegalArgumentException("malformed " + algorithm + " fingerprint: " + value);
    }
  }

  /**
   * Parses the value of an SDP {@code a=fingerprint} attribute, e.g. {@code "sha-256 AB:CD:…"}.
   *
   * @throws IllegalArgumentException if it is malformed or uses an unsupported hash function
   */
  public static Fingerprint parse(String sdpValue) {
    String[] parts = WHITESPACE.split(sdpValue.strip());
    if (parts.length != 2) {
      throw new IllegalArgumentException("fingerprint is not '<hash-func> <hex>': " + sdpValue);
    }
    return new Fingerprint(parts[0], parts[1]);
  }

  /** The fingerprint of a DER-encoded certificate with hash function {@code algorithm}. */
  public static Fingerprint of(String algorithm, byte[] derCertificate) {
    String digest = DIGESTS.get(algorithm.toLowerCase(Locale.ROOT));
    if (digest == null) {
      throw new IllegalArgumentException("unsupported fingerprint hash function: " + algorithm);
    }
    return new Fingerprint(algorithm, COLON_HEX.formatHex(digest(digest, derCertificate)));
  }

  /** Whether this is the fingerprint of the DER-encoded certificate, compared in constant time. */
  public boolean matches(byte[] derCertificate) {
    byte[] expected = COLON_HEX.parseHex(value);
    byte[] actual = digest(DIGESTS.get(algorithm), derCertificate);
    return MessageDigest.isEqual(expected, actual);
  }

  /**
   * The digest length in bytes, which orders the accepted hash functions by strength (sha-1 20,
   * sha-256 32, sha-384 48, sha-512 64).
   */
  public int digestBytes() {
    return (value.length() + 1) / 3;
  }

  /** The SDP attribute value: {@code "<hash-func> <hex>"}. */
  public String sdpValue() {
    return algorithm + " " + value;
  }

  private static byte[] digest(String jcaName, byte[] data) {
    try {
      return MessageDigest.getInstance(jcaName).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has " + jcaName, e);
    }
  }

  private static int digestBytes(String jcaName) {
    try {
      return MessageDigest.getInstance(jcaName).getDigestLength();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has " + jcaName, e);
    }
  }
}
