package io.cheenhub.sfu.auth;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The public keys tokens are verified with, parsed from the text MP JWT 2.1 accepts for {@code
 * mp.jwt.verify.publickey} (and the content of {@code mp.jwt.verify.publickey.location}): a PEM
 * {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo), its bare Base64 body, a JWK or a JWK Set (RFC
 * 7517) with RSA or P-256 EC keys.
 */
public final class VerificationKeys {

  /** One key and its JWK {@code kid} (null for PEM). */
  public record Key(String kid, PublicKey publicKey) {}

  private final List<Key> keys;

  private VerificationKeys(List<Key> keys) {
    this.keys = List.copyOf(keys);
  }

  /** Parses {@code text}; fails with a message for the operator if it holds no usable key. */
  public static VerificationKeys parse(String text) throws GeneralSecurityException {
    String trimmed = text.strip();
    if (trimmed.startsWith("{")) {
      return new VerificationKeys(parseJwks(trimmed));
    }
    String body =
        trimmed
            .replace("-----BEGIN PUBLIC KEY-----", "")
            .replace("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException("public key is neither PEM, Base64 DER nor JWK", e);
    }
    var spec = new X509EncodedKeySpec(der);
    for (String type : List.of("RSA", "EC")) {
      try {
        return new VerificationKeys(
            List.of(new Key(null, KeyFactory.getInstance(type).generatePublic(spec))));
      } catch (GeneralSecurityException e) {
        // try the next key type
      }
    }
    throw new GeneralSecurityException("public key is not an RSA or EC SubjectPublicKeyInfo");
  }

  /** Keys for a token signed by {@code kid} (every key when the token or the keys name none). */
  public List<PublicKey> candidates(String kid) {
    var out = new ArrayList<PublicKey>();
    for (Key key : keys) {
      if (kid == null || key.kid() == null || key.kid().equals(kid)) {
        out.add(key.publicKey());
      }
    }
    return out;
  }

  /** Whether any key has this JWK {@code kid} (a miss may mean the issuer rotated its keys). */
  public boolean hasKid(String kid) {
    return keys.stream().anyMatch(k -> kid.equals(k.kid()));
  }

  private static List<Key> parseJwks(String json) throws GeneralSecurityException {
    JsonObject root;
    try (var reader = Json.createReader(new StringReader(json))) {
      root = reader.readObject();
    } catch (JsonException e) {
      throw new GeneralSecurityException("public key JSON is malformed", e);
    }
    var out = new ArrayList<Key>();
    if (root.containsKey("keys")) {
      for (JsonValue value : root.getJsonArray("keys")) {
        if (value instanceof JsonObject jwk && !"enc".equals(jwk.getString("use", "sig"))) {
          out.add(jwk(jwk));
        }
      }
    } else {
      out.add(jwk(root));
    }
    if (out.isEmpty()) {
      throw new GeneralSecurityException("JWK set has no signing key");
    }
    return out;
  }

  /** RFC 7518 §6.2 (EC: crv, x, y) and §6.3 (RSA: n, e). */
  private static Key jwk(JsonObject jwk) throws GeneralSecurityException {
    String kid = jwk.getString("kid", null);
    String kty = jwk.getString("kty", "");
    try {
      switch (kty) {
        case "RSA" -> {
          var spec =
              new RSAPublicKeySpec(unsigned(jwk.getString("n")), unsigned(jwk.getString("e")));
          return new Key(kid, KeyFactory.getInstance("RSA").generatePublic(spec));
        }
        case "EC" -> {
          if (!"P-256".equals(jwk.getString("crv", ""))) {
            throw new GeneralSecurityException("EC JWK curve must be P-256 (ES256)");
          }
          var parameters = AlgorithmParameters.getInstance("EC");
          parameters.init(new ECGenParameterSpec("secp256r1"));
          var point = new ECPoint(unsigned(jwk.getString("x")), unsigned(jwk.getString("y")));
          var spec = new ECPublicKeySpec(point, parameters.getParameterSpec(ECParameterSpec.class));
          return new Key(kid, KeyFactory.getInstance("EC").generatePublic(spec));
        }
        default -> throw new GeneralSecurityException("unsupported JWK kty '" + kty + "'");
      }
    } catch (NullPointerException | ClassCastException | IllegalArgumentException e) {
      throw new GeneralSecurityException("incomplete " + kty + " JWK", e);
    }
  }

  private static BigInteger unsigned(String base64Url) {
    return new BigInteger(1, Base64.getUrlDecoder().decode(base64Url));
  }
}
