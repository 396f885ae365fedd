package io.cheenhub.sfu.sdp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.cheenhub.sfu.sdp.SubscribeOfferBuilder.Anchor;
import io.cheenhub.sfu.sdp.SubscribeOfferBuilder.Retired;
import io.cheenhub.sfu.sdp.SubscribeOfferBuilder.Track;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Coverage-guided fuzzing of the SDP a stranger sends (docs/quality.md, "Fuzzing"): the parser, the
 * publish negotiation and the read of a subscribe answer may only fail with {@link SdpException};
 * whatever parses writes back to text that parses to the same structure, and an accepted offer's
 * answer is itself readable SDP; reading its layers (either form) fails only as documented.
 *
 * <p>Seeds are the browser SDPs under {@code SdpFuzzTestInputs/}; plain {@code mvn test} replays
 * them as regression tests.
 */
class SdpFuzzTest {

  /** The subscribe offer the fuzzed answers answer: an anchor, a retired slot and one track. */
  private static final SessionDescription SUBSCRIBE_OFFER =
      SubscribeOfferBuilder.offer(
          List.of(
              new Anchor("0"), new Retired("a1"), new Track("a2", "bob", "audio", 1002L, "bob")),
          SdpFixtures.serverTransport());

  private static final LocalTransport SERVER = SdpFixtures.serverTransport();

  @FuzzTest(maxDuration = "60s")
  void parseNegotiateAndReadAnswer(byte[] input) {
    // UTF-8 as the signaling frame delivers it; invalid sequences become U+FFFD.
    String text = new String(input, StandardCharsets.UTF_8);
    SessionDescription parsed;
    try {
      parsed = SdpParser.parse(text);
    } catch (SdpParseException e) {
      return;
    }
    roundTrips(parsed);
    try {
      AnswerBuilder.Negotiation negotiation =
          AnswerBuilder.negotiate(parsed, Attribute.Direction.RECVONLY);
      SessionDescription answer = negotiation.answer(SERVER);
      roundTrips(answer);
      negotiation.layers();
      browserLayers(negotiation, parsed);
    } catch (SdpNegotiationException e) {
      // refused offers are the expected outcome for most inputs
    }
    try {
      SubscribeAnswer.read(parsed, SUBSCRIBE_OFFER);
    } catch (SdpNegotiationException e) {
      // as above
    }
  }

  /**
   * The browser form with every audio mid named h, m, l in order: a result or {@link
   * IllegalArgumentException}, nothing else.
   */
  private static void browserLayers(
      AnswerBuilder.Negotiation negotiation, SessionDescription offer) {
    var layerByMid = new LinkedHashMap<String, String>();
    for (String mid : offer.mids()) {
      if (layerByMid.size() < PublishLayer.NAMES.size()) {
        layerByMid.put(mid, PublishLayer.NAMES.get(layerByMid.size()));
      }
    }
    try {
      negotiation.browserLayers(layerByMid);
    } catch (IllegalArgumentException e) {
      // a refused layers field: the expected outcome for most inputs
    }
  }

  /** RFC 8866 text written by the server reads back to the same description. */
  private static void roundTrips(SessionDescription description) {
    String written = SdpWriter.write(description);
    SessionDescription again;
    try {
      again = SdpParser.parse(written);
    } catch (SdpParseException e) {
      throw new AssertionError("written SDP does not parse: " + e.getMessage() + "\n" + written, e);
    }
    if (!again.equals(description)) {
      throw new AssertionError("SDP changed on a write/parse round trip:\n" + written);
    }
  }
}
