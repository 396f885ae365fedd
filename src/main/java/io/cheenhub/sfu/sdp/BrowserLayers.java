package io.cheenhub.sfu.sdp;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The browser form of audio layers: browsers send only the first encoding of an audio track (issue
 * 15), so a client publishes one {@code sendonly} m-line per layer and names them ({@code mid ->
 * h|m|l}) next to its offer.
 *
 * <p>Rules: 1 to {@link PublishLayer#MAX_LAYERS} entries; each mid an audio m-line the negotiation
 * accepts and whose offered direction sends; each name h, m or l at most once (mids are unique as
 * map keys: a caller that reads a list must refuse a repeated mid itself). The index follows the
 * name, so entries m and l keep indexes 1 and 2. SSRCs come from each m-line's {@code a=ssrc}
 * lines; the bitrate cap from its {@code b=TIAS}, else {@code b=AS}, else the Opus {@code
 * maxaveragebitrate}, else 0 (browsers put {@code maxBitrate} in none of them, so it is usually 0).
 */
final class BrowserLayers {
  private static final long BITS_PER_KILOBIT = 1000;

  private BrowserLayers() {}

  /**
   * @param opusPayloadTypes per m-line of {@code offer}, the accepted Opus payload type, or null
   *     where the m-line is rejected
   * @return the layers sorted by index
   * @throws IllegalArgumentException naming the entry that breaks a rule
   */
  static List<PublishLayer> read(
      SessionDescription offer, List<Integer> opusPayloadTypes, Map<String, String> layerByMid) {
    if (layerByMid.isEmpty() || layerByMid.size() > PublishLayer.MAX_LAYERS) {
      throw new IllegalArgumentException(
          "layers has "
              + layerByMid.size()
              + " entries; 1 to "
              + PublishLayer.MAX_LAYERS
              + " are allowed");
    }
    var byIndex = new PublishLayer[PublishLayer.MAX_LAYERS];
    for (Map.Entry<String, String> entry : layerByMid.entrySet()) {
      PublishLayer layer = layer(offer, opusPayloadTypes, entry.getKey(), entry.getValue());
      PublishLayer other = byIndex[layer.index()];
      if (other != null) {
        throw new IllegalArgumentException(
            "layer "
                + SdpParseException.quote(layer.name())
                + " is given for mid "
                + SdpParseException.quote(other.mid())
                + " and mid "
                + SdpParseException.quote(layer.mid()));
      }
      byIndex[layer.index()] = layer;
    }
    var layers = new ArrayList<PublishLayer>(layerByMid.size());
    for (PublishLayer layer : byIndex) {
      if (layer != null) {
        layers.add(layer);
      }
    }
    return layers;
  }

  private static PublishLayer layer(
      SessionDescription offer, List<Integer> opusPayloadTypes, String mid, String name) {
    if (mid == null || name == null) {
      throw new IllegalArgumentException("layer entry without mid or name");
    }
    int index = PublishLayer.NAMES.indexOf(name);
    if (index < 0) {
      throw new IllegalArgumentException(
          "layer "
              + SdpParseException.quote(name)
              + " of mid "
              + SdpParseException.quote(mid)
              + " is not h, m or l");
    }
    int at = indexOfMid(offer, mid);
    Integer opusPt = at < 0 ? null : opusPayloadTypes.get(at);
    if (opusPt == null) {
      throw new IllegalArgumentException(
          "mid "
              + SdpParseException.quote(mid)
              + " of layer "
              + SdpParseException.quote(name)
              + " is not an accepted audio m-line of the offer");
    }
    MediaDescription m = offer.media().get(at);
    Attribute.Direction direction = offer.direction(m);
    if (direction != Attribute.Direction.SENDONLY && direction != Attribute.Direction.SENDRECV) {
      throw new IllegalArgumentException(
          "mid "
              + SdpParseException.quote(mid)
              + " of layer "
              + SdpParseException.quote(name)
              + " does not send ("
              + direction.attributeName()
              + ")");
    }
    return new PublishLayer(mid, null, index, maxBitrate(m, opusPt), ssrcs(m));
  }

  private static int indexOfMid(SessionDescription offer, String mid) {
    for (int i = 0; i < offer.media().size(); i++) {
      if (offer.media().get(i).mid().filter(mid::equals).isPresent()) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The cap in bits per second: {@code b=TIAS} (RFC 3890 §6.2, bit/s), else {@code b=AS} (RFC 8866
   * §5.8, kbit/s), else the Opus {@code maxaveragebitrate} (RFC 7587 §6.1, bit/s), else 0.
   */
  private static long maxBitrate(MediaDescription m, int opusPt) {
    long applicationSpecific = 0;
    for (SessionDescription.Bandwidth bandwidth : m.bandwidths()) {
      if (bandwidth.type().equals("TIAS")) {
        return bandwidth.value();
      }
      if (bandwidth.type().equals("AS")
          && applicationSpecific == 0
          && bandwidth.value() <= Long.MAX_VALUE / BITS_PER_KILOBIT) {
        applicationSpecific = bandwidth.value() * BITS_PER_KILOBIT;
      }
    }
    if (applicationSpecific > 0) {
      return applicationSpecific;
    }
    String maxAverage =
        m.fmtp(opusPt).map(fmtp -> fmtp.parameterMap().get("maxaveragebitrate")).orElse(null);
    return maxAverage == null ? 0 : Math.max(FieldReader.digits(maxAverage), 0);
  }

  /** The distinct SSRCs of the m-line's {@code a=ssrc} lines (RFC 5576 §4.1), in order. */
  private static List<Long> ssrcs(MediaDescription m) {
    var ssrcs = new LinkedHashSet<Long>();
    for (Attribute.Ssrc ssrc : m.attributes(Attribute.Ssrc.class)) {
      ssrcs.add(ssrc.ssrc());
    }
    return List.copyOf(ssrcs);
  }
}
