package io.cheenhub.sfu.media;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one side of a forwarded stream negotiated on its m-line: the Opus payload type and the
 * header extension ids ({@code a=extmap}, RFC 8285 §5). A publisher's and a subscriber's values
 * differ in general (Firefox offers Opus as 109, the server's subscribe offer uses 111; ids are
 * chosen per PeerConnection), so the send path translates one into the other. Immutable.
 */
public final class NegotiatedRtp {

  /** RFC 6464: client-to-mixer audio level, what the browser's speaking indicators read. */
  public static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

  /** draft-holmer-rmcat-transport-wide-cc-extensions-01: the transport-wide sequence number. */
  public static final String TRANSPORT_CC_URI =
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

  /** RFC 8843 §15.1: the m-line (mid) a packet belongs to, how BUNDLE tells m-lines apart. */
  public static final String MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";

  /** RFC 8852 §3.1: the rid of the simulcast stream a packet belongs to (RFC 8853). */
  public static final String RID_URI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

  /**
   * Extensions forwarded to subscribers (with their id translated); every other element is blanked,
   * see {@link HeaderExtensionRewriter}. Position = kind number.
   */
  static final List<String> FORWARDED_URIS = List.of(AUDIO_LEVEL_URI, TRANSPORT_CC_URI);

  /** {@link #FORWARDED_URIS} index of the audio level. */
  static final int AUDIO_LEVEL_KIND = 0;

  /** {@link #FORWARDED_URIS} index of the transport-wide sequence number. */
  static final int TRANSPORT_CC_KIND = 1;

  /** Returned by {@link #forwardedKind} for an id that is not forwarded. */
  static final int NOT_FORWARDED = -1;

  /** RFC 8285 §4.3: two-byte ids go up to 255 (one-byte ids to 14). */
  private static final int MAX_EXTENSION_ID = 255;

  private static final int MAX_PAYLOAD_TYPE = 127;

  /** {@link #redPayloadType()} when RED was not negotiated. */
  public static final int NO_RED = -1;

  private final int opusPayloadType;
  private final int redPayloadType;
  private final boolean nack;
  private final Map<String, Integer> extensionIds;
  // Forwarded kind + 1 per id (0: not forwarded), and the id of each forwarded kind (0: none).
  private final byte[] kindById = new byte[MAX_EXTENSION_ID + 1];
  private final int[] idByKind = new int[FORWARDED_URIS.size()];
  private final int midId;
  private final int ridId;

  private NegotiatedRtp(
      int opusPayloadType, int redPayloadType, boolean nack, Map<String, Integer> extensionIds) {
    this.opusPayloadType = opusPayloadType;
    this.redPayloadType = redPayloadType;
    this.nack = nack;
    this.extensionIds = extensionIds;
    this.midId = extensionIds.getOrDefault(MID_URI, 0);
    this.ridId = extensionIds.getOrDefault(RID_URI, 0);
    for (int kind = 0; kind < FORWARDED_URIS.size(); kind++) {
      Integer id = extensionIds.get(FORWARDED_URIS.get(kind));
      if (id != null) {
        idByKind[kind] = id;
        kindById[id] = (byte) (kind + 1);
      }
    }
  }

  /**
   * @param opusPayloadType the m-line's Opus payload type, 0..127
   * @param extensionIdsByUri every negotiated {@code a=extmap}: URI → id (1..255)
   * @throws IllegalArgumentException on an out-of-range value or an id used twice
   */
  public static NegotiatedRtp of(int opusPayloadType, Map<String, Integer> extensionIdsByUri) {
    return of(opusPayloadType, NO_RED, extensionIdsByUri);
  }

  /**
   * As {@link #of(int, Map)}, with RED over Opus (RFC 2198) negotiated as {@code redPayloadType},
   * or {@link #NO_RED}.
   */
  public static NegotiatedRtp of(
      int opusPayloadType, int redPayloadType, Map<String, Integer> extensionIdsByUri) {
    if (opusPayloadType < 0 || opusPayloadType > MAX_PAYLOAD_TYPE) {
      throw new IllegalArgumentException("payload type must be 0..127, was " + opusPayloadType);
    }
    if (redPayloadType != NO_RED
        && (redPayloadType < 0
            || redPayloadType > MAX_PAYLOAD_TYPE
            || redPayloadType == opusPayloadType)) {
      throw new IllegalArgumentException("bad RED payload type " + redPayloadType);
    }
    var ids = Map.copyOf(extensionIdsByUri);
    boolean[] used = new boolean[MAX_EXTENSION_ID + 1];
    for (var entry : ids.entrySet()) {
      int id = entry.getValue();
      if (id < 1 || id > MAX_EXTENSION_ID) {
        throw new IllegalArgumentException("extension id must be 1..255: " + entry);
      }
      if (used[id]) {
        throw new IllegalArgumentException("extension id " + id + " is used twice: " + ids);
      }
      used[id] = true;
    }
    return new NegotiatedRtp(opusPayloadType, redPayloadType, false, ids);
  }

  /** The Opus payload type. */
  public int opusPayloadType() {
    return opusPayloadType;
  }

  /** The RED payload type, or {@link #NO_RED}. */
  public int redPayloadType() {
    return redPayloadType;
  }

  /** The same, with generic NACK ({@code a=rtcp-fb:<opus> nack}, RFC 4585 §4.2) agreed or not. */
  public NegotiatedRtp withNack(boolean agreed) {
    return new NegotiatedRtp(opusPayloadType, redPayloadType, agreed, extensionIds);
  }

  /** Whether generic NACK was agreed for Opus. */
  public boolean nack() {
    return nack;
  }

  /** Whether RED over Opus was negotiated. */
  public boolean hasRed() {
    return redPayloadType != NO_RED;
  }

  /** The negotiated extension ids by URI. */
  public Map<String, Integer> extensionIds() {
    return extensionIds;
  }

  /** The forwarded kind (index in {@link #FORWARDED_URIS}) of element {@code id}, or -1. */
  int forwardedKind(int id) {
    return id < 0 || id > MAX_EXTENSION_ID ? NOT_FORWARDED : kindById[id] - 1;
  }

  /** This side's transport-wide cc extension id, or 0 if it did not negotiate it. */
  public int transportCcId() {
    return idByKind[TRANSPORT_CC_KIND];
  }

  /** This side's mid extension id, or 0 if it did not negotiate it. */
  public int midId() {
    return midId;
  }

  /** This side's rtp-stream-id (rid) extension id, or 0 if it did not negotiate it. */
  public int ridId() {
    return ridId;
  }

  /** This side's id for forwarded kind {@code kind}, or 0 if it did not negotiate it. */
  int idOf(int kind) {
    return idByKind[kind];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NegotiatedRtp other
        && opusPayloadType == other.opusPayloadType
        && redPayloadType == other.redPayloadType
        && nack == other.nack
        && extensionIds.equals(other.extensionIds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(opusPayloadType, redPayloadType, nack, extensionIds);
  }

  @Override
  public String toString() {
    return "NegotiatedRtp[opus="
        + opusPayloadType
        + " red="
        + redPayloadType
        + (nack ? " nack" : "")
        + " extensions="
        + extensionIds
        + "]";
  }
}
