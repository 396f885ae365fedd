package io.cheenhub.sfu.sdp;

import java.util.List;
import java.util.Objects;

/**
 * One layer of a publisher's audio source as its publish offer describes it; index 0 is the best.
 *
 * <p>Two forms give layers (docs: the audio layers plan, issue 15):
 *
 * <ul>
 *   <li>standard simulcast (RFC 8853) on one m-line: every layer has that {@code mid}, its {@code
 *       rid}, and the index of its stream in the {@code a=simulcast:send} list (RFC 8853 §5.1:
 *       decreasing preference);
 *   <li>the browser form: one {@code sendonly} m-line per layer, named h, m or l by the client;
 *       {@code rid} is null and the index follows the name ({@link #NAMES}).
 * </ul>
 *
 * @param mid the m-line that carries the layer
 * @param rid the RFC 8851 rid, or null in the browser form
 * @param index 0 (best) to {@link #MAX_LAYERS} - 1
 * @param maxBitrateBps the offer's cap for the layer in bits per second ({@code max-br} of the rid;
 *     in the browser form {@code b=TIAS}, {@code b=AS} or the Opus {@code maxaveragebitrate}), 0
 *     when the offer gives none
 * @param ssrcs the SSRCs of the m-line's {@code a=ssrc} lines, in order; empty when the offer lists
 *     none, and always empty for simulcast layers, whose SSRCs share one m-line and are only known
 *     from the RTP stream id header extension (RFC 8852) in media
 */
public record PublishLayer(
    String mid, String rid, int index, long maxBitrateBps, List<Long> ssrcs) {

  /** Most layers of one source. */
  public static final int MAX_LAYERS = 3;

  /** The layer names by index: h (64 kbit/s), m (32 kbit/s), l (16 kbit/s). */
  public static final List<String> NAMES = List.of("h", "m", "l");

  public PublishLayer {
    Objects.requireNonNull(mid, "mid");
    FieldReader.checkRange("layer index", index, 0, MAX_LAYERS - 1);
    FieldReader.checkRange("max bitrate", maxBitrateBps, 0, Long.MAX_VALUE);
    ssrcs = List.copyOf(ssrcs);
  }

  /** The layer's name, h, m or l, by index (also for simulcast layers, whatever their rid). */
  public String name() {
    return NAMES.get(index);
  }
}
