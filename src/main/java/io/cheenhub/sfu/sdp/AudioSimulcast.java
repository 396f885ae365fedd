package io.cheenhub.sfu.sdp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The standard simulcast (RFC 8853) of one accepted audio m-line of a publish offer, checked
 * against its {@code a=rid} lines (RFC 8851) and header extensions (RFC 8852), and what the answer
 * says back: {@code a=rid:<id> recv} per layer and {@code a=simulcast:recv} with the same list.
 *
 * <p>Each send stream may list alternatives ({@code h,h2}); the server uses only the first of each,
 * which is the offerer's preferred one (RFC 8853 §5.1), and answers only those. A paused rid
 * ({@code ~h}) stays paused in the answer. Everything else the server cannot use is refused with
 * {@link SdpErrorCode#BAD_SIMULCAST} rather than answered in part, so a publisher never sends
 * layers the server cannot tell apart.
 */
final class AudioSimulcast {
  /** RFC 8851 §10 allows any length; the SFU's ids are h, m and l, and 16 bytes fit one element. */
  static final int MAX_RID_CHARS = 16;

  /** One layer: the first alternative of a send stream. */
  private record Layer(
      String rid, boolean paused, long maxBitrateBps, List<Integer> answeredPayloadTypes) {}

  private final String mid;
  private final List<Layer> layers;

  private AudioSimulcast(String mid, List<Layer> layers) {
    this.mid = mid;
    this.layers = List.copyOf(layers);
  }

  /**
   * The simulcast of {@code m}, or null when it has no {@code a=simulcast} ({@code a=rid} lines
   * alone are ignored, as before simulcast was supported).
   *
   * @param answeredPayloadTypes the payload types the answer keeps for {@code m} (Opus, RED)
   * @throws SdpNegotiationException with {@link SdpErrorCode#BAD_SIMULCAST}
   */
  static AudioSimulcast read(
      SessionDescription offer, MediaDescription m, Set<Integer> answeredPayloadTypes)
      throws SdpNegotiationException {
    List<Attribute.Simulcast> lines = m.attributes(Attribute.Simulcast.class);
    if (lines.isEmpty()) {
      return null;
    }
    String mid = m.mid().orElseThrow();
    String where = "mid " + SdpParseException.quote(mid) + ": ";
    if (lines.size() > 1) {
      throw fail(where + "more than one a=simulcast line");
    }
    Attribute.Simulcast simulcast = lines.get(0);
    if (!simulcast.receive().isEmpty()) {
      throw fail(
          where + "a=simulcast with a recv list in a publish offer; the server only receives");
    }
    Attribute.Direction direction = offer.direction(m);
    if (direction == Attribute.Direction.RECVONLY || direction == Attribute.Direction.INACTIVE) {
      throw fail(
          where
              + "a=simulcast:send on an m-line that does not send ("
              + direction.attributeName()
              + ")");
    }
    Map<String, Attribute.Rid> rids = declaredRids(m, where);
    if (simulcast.send().size() > PublishLayer.MAX_LAYERS) {
      throw fail(
          where
              + "a=simulcast:send lists "
              + simulcast.send().size()
              + " streams; at most "
              + PublishLayer.MAX_LAYERS
              + " layers are supported");
    }
    var listed = new HashSet<String>();
    var layers = new ArrayList<Layer>(simulcast.send().size());
    for (Attribute.Simulcast.Stream stream : simulcast.send()) {
      for (Attribute.Simulcast.Alternative alternative : stream.alternatives()) {
        String rid = alternative.rid();
        checkRidId(rid, where);
        if (!rids.containsKey(rid)) {
          throw fail(
              where + "simulcast rid " + SdpParseException.quote(rid) + " has no a=rid line");
        }
        if (!listed.add(rid)) {
          throw fail(
              where + "rid " + SdpParseException.quote(rid) + " is listed twice in a=simulcast");
        }
      }
      Attribute.Rid rid = rids.get(stream.first().rid());
      layers.add(
          new Layer(
              rid.id(),
              stream.first().paused(),
              maxBitrate(rid, where),
              answeredPayloadTypes(rid, answeredPayloadTypes, where)));
    }
    if (!offersRtpStreamId(offer, m)) {
      throw fail(
          where
              + "a=simulcast without the "
              + ServerProfile.RTP_STREAM_ID_URI
              + " header extension, which tells the layers apart");
    }
    return new AudioSimulcast(mid, layers);
  }

  /** The m-line this simulcast is on. */
  String mid() {
    return mid;
  }

  /** The layers in simulcast order, index 0 first. */
  List<PublishLayer> publishLayers() {
    var publishLayers = new ArrayList<PublishLayer>(layers.size());
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      publishLayers.add(new PublishLayer(mid, layer.rid(), i, layer.maxBitrateBps(), List.of()));
    }
    return publishLayers;
  }

  /**
   * RFC 8851 §5.2 and RFC 8853 §5.3: {@code a=rid:<id> recv} per layer, keeping the payload types
   * the answer has and the {@code max-br} (the one restriction the SFU reads), then {@code
   * a=simulcast:recv} with the same rids in the same order.
   */
  List<Attribute> answerAttributes() {
    var attributes = new ArrayList<Attribute>(layers.size() + 1);
    var streams = new ArrayList<Attribute.Simulcast.Stream>(layers.size());
    for (Layer layer : layers) {
      List<Attribute.Rid.Restriction> restrictions =
          layer.maxBitrateBps() > 0
              ? List.of(
                  new Attribute.Rid.Restriction(
                      Attribute.Rid.MAX_BR, Long.toString(layer.maxBitrateBps())))
              : List.of();
      attributes.add(
          new Attribute.Rid(
              layer.rid(),
              Attribute.RidDirection.RECV,
              layer.answeredPayloadTypes(),
              restrictions));
      streams.add(Attribute.Simulcast.Stream.of(layer.rid(), layer.paused()));
    }
    attributes.add(new Attribute.Simulcast(List.of(), streams));
    return attributes;
  }

  /**
   * Every {@code a=rid} of {@code m} by id: each declared once, all {@code send}, a numeric {@code
   * max-br}, at most 3.
   */
  private static Map<String, Attribute.Rid> declaredRids(MediaDescription m, String where)
      throws SdpNegotiationException {
    var rids = new HashMap<String, Attribute.Rid>();
    for (Attribute.Rid rid : m.attributes(Attribute.Rid.class)) {
      checkRidId(rid.id(), where);
      if (rids.putIfAbsent(rid.id(), rid) != null) {
        throw fail(where + "rid " + SdpParseException.quote(rid.id()) + " is declared twice");
      }
      if (rid.direction() != Attribute.RidDirection.SEND) {
        throw fail(
            where
                + "rid "
                + SdpParseException.quote(rid.id())
                + " has direction recv in a publish offer; the server only receives");
      }
      maxBitrate(rid, where);
    }
    if (rids.size() > PublishLayer.MAX_LAYERS) {
      throw fail(
          where
              + rids.size()
              + " send rids; at most "
              + PublishLayer.MAX_LAYERS
              + " layers are supported");
    }
    return rids;
  }

  /** RFC 8851 §10: {@code rid-id = 1*(alpha-numeric / "-" / "_")}, here at most 16 chars. */
  private static void checkRidId(String id, String where) throws SdpNegotiationException {
    boolean ok = !id.isEmpty() && id.length() <= MAX_RID_CHARS;
    for (int i = 0; ok && i < id.length(); i++) {
      char c = id.charAt(i);
      ok = FieldReader.isAlphaNumeric(c) || c == '-' || c == '_';
    }
    if (!ok) {
      throw fail(
          where
              + "rid "
              + SdpParseException.quote(id)
              + " is not 1 to "
              + MAX_RID_CHARS
              + " letters, digits, '-' or '_'");
    }
  }

  /** RFC 8851 §4: {@code max-br} in bits per second; 0 when absent or without a value. */
  private static long maxBitrate(Attribute.Rid rid, String where) throws SdpNegotiationException {
    var maxBr = rid.restriction(Attribute.Rid.MAX_BR);
    if (maxBr.isEmpty() || maxBr.get().value() == null) {
      return 0;
    }
    long value = FieldReader.digits(maxBr.get().value());
    if (value < 0) {
      throw fail(
          where
              + "rid "
              + SdpParseException.quote(rid.id())
              + ": max-br "
              + SdpParseException.quote(maxBr.get().value())
              + " is not a number of bits per second");
    }
    return value;
  }

  /**
   * RFC 8851 §5.2: the answerer keeps only the listed payload types it answers; a rid that allows
   * none of them could send nothing the server receives.
   */
  private static List<Integer> answeredPayloadTypes(
      Attribute.Rid rid, Set<Integer> answered, String where) throws SdpNegotiationException {
    if (rid.payloadTypes().isEmpty()) {
      return List.of();
    }
    var kept = new ArrayList<Integer>(rid.payloadTypes().size());
    for (int pt : rid.payloadTypes()) {
      if (answered.contains(pt) && !kept.contains(pt)) {
        kept.add(pt);
      }
    }
    if (kept.isEmpty()) {
      throw fail(
          where
              + "rid "
              + SdpParseException.quote(rid.id())
              + " allows only payload types the server does not receive");
    }
    return kept;
  }

  /** RFC 8853 §5.2 needs the RTP stream id (RFC 8852) to tell the layers' SSRCs apart. */
  private static boolean offersRtpStreamId(SessionDescription offer, MediaDescription m) {
    var offered = new ArrayList<>(m.extmaps());
    offered.addAll(offer.attributes(Attribute.Extmap.class));
    for (Attribute.Extmap extmap : offered) {
      if (extmap.uri().equals(ServerProfile.RTP_STREAM_ID_URI)
          && AnswerBuilder.isAnswerableExtmapId(extmap.id())) {
        return true;
      }
    }
    return false;
  }

  private static SdpNegotiationException fail(String message) {
    return new SdpNegotiationException(SdpErrorCode.BAD_SIMULCAST, message);
  }
}
