package io.cheenhub.sfu.loadgen.peer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The STUN messages a client-side ICE agent needs (RFC 8489, RFC 8445 §7): binding requests with
 * USERNAME, PRIORITY, ICE-CONTROLLING or ICE-CONTROLLED, USE-CANDIDATE, MESSAGE-INTEGRITY and
 * FINGERPRINT, and binding success responses with XOR-MAPPED-ADDRESS. Bots and test peers only: the
 * server uses ice4j.
 */
public final class Stun {

  public static final int BINDING_REQUEST = 0x0001;
  public static final int BINDING_SUCCESS = 0x0101;
  public static final int BINDING_ERROR = 0x0111;
  public static final int MAGIC_COOKIE = 0x2112A442;
  public static final int HEADER_BYTES = 20;

  private static final int USERNAME = 0x0006;
  private static final int MESSAGE_INTEGRITY = 0x0008;
  private static final int XOR_MAPPED_ADDRESS = 0x0020;
  private static final int PRIORITY = 0x0024;
  private static final int USE_CANDIDATE = 0x0025;
  private static final int FINGERPRINT = 0x8028;
  private static final int ICE_CONTROLLED = 0x8029;
  private static final int ICE_CONTROLLING = 0x802A;
  private static final int FINGERPRINT_XOR = 0x5354554E;
  private static final int INTEGRITY_BYTES = 20;

  private Stun() {}

  /** A parsed message: type, transaction id and the raw bytes. */
  public record Message(int type, byte[] transactionId, byte[] bytes) {

    /** The value of the first attribute of {@code attributeType}, or null. */
    public byte[] attribute(int attributeType) {
      int position = HEADER_BYTES;
      int end = HEADER_BYTES + (((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF));
      while (position + 4 <= end && end <= bytes.length) {
        int type = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
        int length = ((bytes[position + 2] & 0xFF) << 8) | (bytes[position + 3] & 0xFF);
        if (position + 4 + length > end) {
          return null;
        }
        if (type == attributeType) {
          return Arrays.copyOfRange(bytes, position + 4, position + 4 + length);
        }
        position += 4 + ((length + 3) & ~3);
      }
      return null;
    }

    public String username() {
      byte[] value = attribute(USERNAME);
      return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** Whether the request carries USE-CANDIDATE (a controlling agent nominates the pair). */
    public boolean nominates() {
      return attribute(USE_CANDIDATE) != null;
    }

    /** Whether MESSAGE-INTEGRITY is present and correct for the short-term {@code password}. */
    public boolean hasValidIntegrity(String password) {
      int position = HEADER_BYTES;
      int end = HEADER_BYTES + (((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF));
      while (position + 4 <= end) {
        int type = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
        int length = ((bytes[position + 2] & 0xFF) << 8) | (bytes[position + 3] & 0xFF);
        if (type == MESSAGE_INTEGRITY) {
          byte[] expected = integrity(bytes, position, password);
          byte[] actual = Arrays.copyOfRange(bytes, position + 4, position + 4 + INTEGRITY_BYTES);
          return MessageDigest.isEqual(expected, actual);
        }
        position += 4 + ((length + 3) & ~3);
      }
      return false;
    }
  }

  /** Parses a datagram that starts like STUN (RFC 7983: first byte 0..3), or returns null. */
  public static Message parse(byte[] data, int length) {
    if (length < HEADER_BYTES || ByteBuffer.wrap(data, 4, 4).getInt() != MAGIC_COOKIE) {
      return null;
    }
    int type = ((data[0] & 0xFF) << 8) | (data[1] & 0xFF);
    byte[] bytes = Arrays.copyOf(data, length);
    return new Message(type, Arrays.copyOfRange(bytes, 8, 20), bytes);
  }

  /** RFC 8445 §7.1: a controlling agent's check, nominating with USE-CANDIDATE. */
  public static byte[] bindingRequest(
      byte[] transactionId, String username, String password, long priority, long tieBreaker) {
    return bindingRequest(transactionId, username, password, priority, tieBreaker, true);
  }

  /**
   * RFC 8445 §7.1: a check from a controlling agent (with USE-CANDIDATE: aggressive nomination,
   * §7.2.2) or from a controlled one.
   */
  public static byte[] bindingRequest(
      byte[] transactionId,
      String username,
      String password,
      long priority,
      long tieBreaker,
      boolean controlling) {
    ByteBuffer attributes = ByteBuffer.allocate(512);
    putAttribute(attributes, USERNAME, username.getBytes(StandardCharsets.UTF_8));
    putAttribute(attributes, PRIORITY, ByteBuffer.allocate(4).putInt((int) priority).array());
    byte[] tie = ByteBuffer.allocate(8).putLong(tieBreaker).array();
    if (controlling) {
      putAttribute(attributes, ICE_CONTROLLING, tie);
      putAttribute(attributes, USE_CANDIDATE, new byte[0]);
    } else {
      putAttribute(attributes, ICE_CONTROLLED, tie);
    }
    return finish(BINDING_REQUEST, transactionId, attributes, password);
  }

  /** RFC 8489 §7.3.3: the success response, telling the requester the address we saw. */
  public static byte[] bindingSuccess(
      byte[] transactionId, InetSocketAddress mapped, String password) {
    ByteBuffer attributes = ByteBuffer.allocate(512);
    putAttribute(attributes, XOR_MAPPED_ADDRESS, xorAddress(mapped));
    return finish(BINDING_SUCCESS, transactionId, attributes, password);
  }

  private static byte[] finish(
      int type, byte[] transactionId, ByteBuffer attributes, String password) {
    int attributesLength = attributes.position();
    ByteBuffer message = ByteBuffer.allocate(HEADER_BYTES + attributesLength + 24 + 8);
    message.putShort((short) type).putShort((short) 0).putInt(MAGIC_COOKIE).put(transactionId);
    message.put(attributes.array(), 0, attributesLength);
    int integrityAt = message.position();
    message.putShort((short) MESSAGE_INTEGRITY).putShort((short) INTEGRITY_BYTES);
    message.put(new byte[INTEGRITY_BYTES]);
    byte[] bytes = message.array();
    byte[] mac = integrity(bytes, integrityAt, password);
    System.arraycopy(mac, 0, bytes, integrityAt + 4, INTEGRITY_BYTES);
    // RFC 8489 §14.7: CRC-32 over the message so far, length covering the fingerprint.
    int fingerprintAt = message.position();
    setLength(bytes, fingerprintAt + 8 - HEADER_BYTES);
    var crc = new CRC32();
    crc.update(bytes, 0, fingerprintAt);
    message.putShort((short) FINGERPRINT).putShort((short) 4);
    message.putInt((int) crc.getValue() ^ FINGERPRINT_XOR);
    return bytes;
  }

  /**
   * RFC 8489 §14.5: HMAC-SHA1 keyed with the short-term password over the message up to the
   * MESSAGE-INTEGRITY attribute, with the header length counting up to and including it.
   */
  private static byte[] integrity(byte[] message, int integrityAt, String password) {
    byte[] copy = Arrays.copyOf(message, integrityAt);
    setLength(copy, integrityAt + 4 + INTEGRITY_BYTES - HEADER_BYTES);
    try {
      Mac hmac = Mac.getInstance("HmacSHA1");
      hmac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return hmac.doFinal(copy);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void setLength(byte[] message, int length) {
    message[2] = (byte) (length >>> 8);
    message[3] = (byte) length;
  }

  private static void putAttribute(ByteBuffer buffer, int type, byte[] value) {
    buffer.putShort((short) type).putShort((short) value.length).put(value);
    for (int pad = value.length; (pad & 3) != 0; pad++) {
      buffer.put((byte) 0);
    }
  }

  private static byte[] xorAddress(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    byte[] raw = ip.getAddress();
    ByteBuffer value = ByteBuffer.allocate(4 + raw.length);
    value.put((byte) 0).put((byte) (raw.length == 4 ? 1 : 2));
    value.putShort((short) (address.getPort() ^ (MAGIC_COOKIE >>> 16)));
    byte[] cookie = ByteBuffer.allocate(4).putInt(MAGIC_COOKIE).array();
    for (int i = 0; i < raw.length; i++) {
      value.put((byte) (raw[i] ^ cookie[i % 4]));
    }
    return value.array();
  }
}
