package io.cheenhub.sfu.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The short-lived ticket a {@code redirect} carries: HMAC-SHA256 (RFC 2104) over room, target
 * instance and expiry, keyed with the cluster's shared secret ({@code sfu.cluster.secret}, never
 * sent through the grid). The target accepts a join that brings a valid ticket for itself even
 * while its own read of the room map says otherwise (a placement in flight), so a client is never
 * bounced between two instances.
 *
 * <p>Form: {@code <expiry millis>.<base64url HMAC>}; room and target are what the verifier checks
 * against, so they need not travel.
 */
public final class RedirectTicket {

  /** How long a ticket is good for: a redirected client reconnects at once. */
  public static final long LIFETIME_MILLIS = 30_000;

  private static final String ALGORITHM = "HmacSHA256";
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;

  /**
   * @param secret the cluster's shared secret (at least 32 bytes, checked by the settings)
   */
  public RedirectTicket(byte[] secret) {
    this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
  }

  /** A ticket for {@code roomId} on instance {@code target}, good until {@code expiryMillis}. */
  public String issue(String roomId, String target, long expiryMillis) {
    return expiryMillis + "." + ENCODER.encodeToString(mac(roomId, target, expiryMillis));
  }

  /** Whether {@code ticket} was issued for {@code roomId} on {@code self} and has not expired. */
  public boolean verify(String ticket, String roomId, String self, long nowMillis) {
    if (ticket == null || ticket.length() > 200) {
      return false;
    }
    int dot = ticket.indexOf('.');
    if (dot <= 0 || dot > 19) {
      return false;
    }
    long expiry;
    byte[] given;
    try {
      expiry = Long.parseLong(ticket.substring(0, dot));
      given = DECODER.decode(ticket.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (expiry < nowMillis || expiry > nowMillis + LIFETIME_MILLIS * 2) {
      return false;
    }
    return MessageDigest.isEqual(given, mac(roomId, self, expiry));
  }

  private byte[] mac(String roomId, String target, long expiryMillis) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      // Length-prefixed fields: no two (room, target) pairs give the same bytes.
      byte[] room = roomId.getBytes(StandardCharsets.UTF_8);
      byte[] instance = target.getBytes(StandardCharsets.UTF_8);
      mac.update((byte) room.length);
      mac.update(room);
      mac.update((byte) instance.length);
      mac.update(instance);
      mac.update(Long.toString(expiryMillis).getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
