package io.cheenhub.sfu.auth;

import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Mints signed JWTs for tests (and prints one for a local run: see docs/security.md): RS256 or
 * ES256 with this server's claims, from a key pair generated here.
 */
public final class TestTokens {

  /** The issuer the tests configure ({@code mp.jwt.verify.issuer}). */
  public static final String ISSUER = "https://issuer.test.cheenhub.io";

  private final KeyPair keys;
  private final String algorithm;

  private TestTokens(KeyPair keys, String algorithm) {
    this.keys = keys;
    this.algorithm = algorithm;
  }

  /** A fresh 2048-bit RSA key pair signing RS256. */
  public static TestTokens rs256() throws GeneralSecurityException {
    var generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    return new TestTokens(generator.generateKeyPair(), "RS256");
  }

  /** A fresh P-256 key pair signing ES256. */
  public static TestTokens es256() throws GeneralSecurityException {
    var generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return new TestTokens(generator.generateKeyPair(), "ES256");
  }

  /** The public key as PEM, the form {@code mp.jwt.verify.publickey} takes. */
  public String publicKeyPem() {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(keys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** The public key's X.509 DER in one Base64 line (fits a -D system property). */
  public String publicKeyBase64() {
    return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
  }

  public String algorithm() {
    return algorithm;
  }

  /** Claims for {@code room}, valid for an hour from now, with all three permissions. */
  public static JsonObjectBuilder claims(String subject, String room) {
    long now = Instant.now().getEpochSecond();
    return Json.createObjectBuilder()
        .add("iss", ISSUER)
        .add("sub", subject)
        .add("iat", now)
        .add("exp", now + 3600)
        .add("room", room)
        .add("permissions", Json.createArrayBuilder(List.of("join", "publish", "subscribe")));
  }

  /** {@code claims} signed with this key pair. */
  public String sign(JsonObjectBuilder claims) throws GeneralSecurityException {
    return sign(claims, keys.getPrivate());
  }

  /** {@code claims} signed with {@code key} (another pair's, for a wrong signature). */
  public String sign(JsonObjectBuilder claims, PrivateKey key) throws GeneralSecurityException {
    return sign(claims, key, null);
  }

  /** {@code claims} signed with {@code key}, naming {@code kid} in the header unless it is null. */
  public String sign(JsonObjectBuilder claims, PrivateKey key, String kid)
      throws GeneralSecurityException {
    var header = Json.createObjectBuilder().add("alg", algorithm).add("typ", "JWT");
    if (kid != null) {
      header.add("kid", kid);
    }
    String signingInput =
        base64(header.build().toString()) + "." + base64(claims.build().toString());
    var signer =
        Signature.getInstance(
            algorithm.equals("ES256") ? "SHA256withECDSAinP1363Format" : "SHA256withRSA");
    signer.initSign(key);
    signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput
        + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(signer.sign());
  }

  /** The RS256 public key as a JWKS document with one key named {@code kid} (RFC 7517). */
  public String jwks(String kid) {
    var rsa = (RSAPublicKey) keys.getPublic();
    var encoder = Base64.getUrlEncoder().withoutPadding();
    return Json.createObjectBuilder()
        .add(
            "keys",
            Json.createArrayBuilder()
                .add(
                    Json.createObjectBuilder()
                        .add("kty", "RSA")
                        .add("kid", kid)
                        .add("use", "sig")
                        .add("alg", "RS256")
                        .add("n", encoder.encodeToString(unsigned(rsa.getModulus())))
                        .add("e", encoder.encodeToString(unsigned(rsa.getPublicExponent())))))
        .build()
        .toString();
  }

  /** A JWK integer: big-endian without the sign byte BigInteger adds (RFC 7518 §6.3.1). */
  private static byte[] unsigned(java.math.BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  public PrivateKey privateKey() {
    return keys.getPrivate();
  }

  static String base64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
