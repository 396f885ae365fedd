package io.cheenhub.sfu.sdp;

import static io.cheenhub.sfu.sdp.SdpFixtures.serverTransport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.sdp.Attribute.Direction;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The browser form of layers: three sendonly audio m-lines named h, m and l by the client. */
class BrowserLayersTest {
  private static final long SSRC_0 = 2404477943L;
  private static final long SSRC_1 = 940809365L;
  private static final long SSRC_2 = 2904628633L;

  private static String offer() {
    return SdpFixtures.read(SdpFixtures.CHROMIUM_THREE_SENDONLY);
  }

  @Test
  void chromiumThreeTransceiversAreAnsweredRecvonly() throws SdpException {
    AnswerBuilder.Negotiation negotiation = negotiate(offer());
    SessionDescription answer = negotiation.answer(serverTransport());

    assertThat(answer.bundleGroup().orElseThrow().mids()).containsExactly("0", "1", "2");
    assertThat(answer.media()).hasSize(3);
    for (MediaDescription m : answer.media()) {
      assertThat(m.port()).isEqualTo(9);
      assertThat(answer.direction(m)).isEqualTo(Direction.RECVONLY);
      assertThat(m.formats()).containsExactly("63", "111");
      assertThat(m.attributes(Attribute.Rid.class)).isEmpty();
      assertThat(m.attribute(Attribute.Simulcast.class)).isEmpty();
    }
    assertThat(answer.media().get(0).candidates()).hasSize(2);
    assertThat(answer.media().get(1).candidates()).isEmpty();
    assertThat(SdpParser.parse(SdpWriter.write(answer))).isEqualTo(answer);
    assertThat(negotiation.layers()).isEmpty();
  }

  @Test
  void layersByNameWithEachMediaLinesSsrc() throws SdpException {
    assertThat(negotiate(offer()).browserLayers(Map.of("0", "h", "1", "m", "2", "l")))
        .containsExactly(
            new PublishLayer("0", null, 0, 0, List.of(SSRC_0)),
            new PublishLayer("1", null, 1, 0, List.of(SSRC_1)),
            new PublishLayer("2", null, 2, 0, List.of(SSRC_2)));
  }

  @Test
  void sortedByIndexWhateverTheOrderAndIndexFollowsTheName() throws SdpException {
    var layerByMid = new LinkedHashMap<String, String>();
    layerByMid.put("0", "l");
    layerByMid.put("2", "h");

    assertThat(negotiate(offer()).browserLayers(layerByMid))
        .containsExactly(
            new PublishLayer("2", null, 0, 0, List.of(SSRC_2)),
            new PublishLayer("0", null, 2, 0, List.of(SSRC_0)));
    assertThat(negotiate(offer()).browserLayers(Map.of("1", "m")))
        .containsExactly(new PublishLayer("1", null, 1, 0, List.of(SSRC_1)));
  }

  @Test
  void bitrateCapFromTiasAsOrOpusFmtp() throws SdpException {
    String offer = offer();
    int second = offer.indexOf("m=audio", offer.indexOf("m=audio") + 1);
    int third = offer.indexOf("m=audio", second + 1);
    String capped =
        offer
                .substring(0, second)
                .replace(
                    "c=IN IP4 192.0.2.2\r\n", "c=IN IP4 192.0.2.2\r\nb=TIAS:64000\r\nb=AS:70\r\n")
            + offer
                .substring(second, third)
                .replace("c=IN IP4 192.0.2.2\r\n", "c=IN IP4 192.0.2.2\r\nb=AS:32\r\n")
            + offer
                .substring(third)
                .replace(
                    "a=fmtp:111 minptime=10;useinbandfec=1",
                    "a=fmtp:111 minptime=10;useinbandfec=1;maxaveragebitrate=16000");

    assertThat(negotiate(capped).browserLayers(Map.of("0", "h", "1", "m", "2", "l")))
        .extracting(PublishLayer::maxBitrateBps)
        .containsExactly(64_000L, 32_000L, 16_000L);
  }

  @Test
  void ssrcsMayBeAbsent() throws SdpException {
    String offer = offer().replaceAll("a=ssrc:[^\r]*\r\n", "");

    assertThat(negotiate(offer).browserLayers(Map.of("0", "h")))
        .containsExactly(new PublishLayer("0", null, 0, 0, List.of()));
  }

  @Test
  void refusesBadEntriesNamingThem() throws SdpException {
    AnswerBuilder.Negotiation negotiation = negotiate(offer());

    assertRefused(negotiation, Map.of(), "layers has 0 entries; 1 to 3 are allowed");
    assertRefused(
        negotiation,
        Map.of("0", "h", "1", "m", "2", "l", "3", "l"),
        "layers has 4 entries; 1 to 3 are allowed");
    assertRefused(negotiation, Map.of("0", "x"), "layer 'x' of mid '0' is not h, m or l");
    assertRefused(negotiation, Map.of("0", "H"), "layer 'H' of mid '0' is not h, m or l");
    assertRefused(negotiation, Map.of("7", "h"), "mid '7' of layer 'h' is not an accepted audio");
    var sameName = new LinkedHashMap<String, String>();
    sameName.put("0", "m");
    sameName.put("2", "m");
    assertRefused(negotiation, sameName, "layer 'm' is given for mid '0' and mid '2'");
    var nulls = new HashMap<String, String>();
    nulls.put("0", null);
    assertRefused(negotiation, nulls, "layer entry without mid or name");
  }

  @Test
  void refusesMediaLinesThatAreRejectedOrDoNotSend() throws SdpException {
    // mid 1 without Opus is rejected (port 0 in the answer), so it cannot carry a layer.
    String noOpus = offer();
    int second = noOpus.indexOf("m=audio", noOpus.indexOf("m=audio") + 1);
    noOpus =
        noOpus.substring(0, second)
            + noOpus.substring(second).replaceFirst("a=rtpmap:111 opus/48000/2\r\n", "");
    assertRefused(
        negotiate(noOpus),
        Map.of("1", "m"),
        "mid '1' of layer 'm' is not an accepted audio m-line");

    String recvonly = offer().replaceFirst("a=sendonly", "a=recvonly");
    assertRefused(
        negotiate(recvonly), Map.of("0", "h"), "mid '0' of layer 'h' does not send (recvonly)");
    assertThat(negotiate(recvonly).browserLayers(Map.of("1", "m"))).hasSize(1);
  }

  @Test
  void refusesLayersNextToSimulcast() throws SdpException {
    AnswerBuilder.Negotiation negotiation =
        negotiate(SdpFixtures.read(SdpFixtures.RFC8853_AUDIO_SIMULCAST));

    assertRefused(
        negotiation,
        Map.of("0", "h"),
        "cannot be given for an offer with a=simulcast (on mid '0')");
  }

  private static AnswerBuilder.Negotiation negotiate(String offer) throws SdpException {
    return AnswerBuilder.negotiate(SdpParser.parse(offer), Direction.RECVONLY);
  }

  private static void assertRefused(
      AnswerBuilder.Negotiation negotiation, Map<String, String> layerByMid, String message) {
    assertThatThrownBy(() -> negotiation.browserLayers(layerByMid))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
