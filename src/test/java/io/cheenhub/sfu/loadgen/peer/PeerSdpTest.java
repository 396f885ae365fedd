package io.cheenhub.sfu.loadgen.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.sdp.AnswerBuilder;
import io.cheenhub.sfu.sdp.Attribute;
import io.cheenhub.sfu.sdp.LocalTransport;
import io.cheenhub.sfu.sdp.PublishLayer;
import io.cheenhub.sfu.sdp.SdpParser;
import io.cheenhub.sfu.sdp.SessionDescription;
import io.cheenhub.sfu.transport.dtls.Fingerprint;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bots' publish offers, as the server's own negotiation reads and answers them. */
class PeerSdpTest {

  private static final String HASH =
      "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
  private static final PeerSdp.Local BOT =
      new PeerSdp.Local("Bot1", "BotPassword0123456789abc", new Fingerprint("sha-256", HASH), null);
  private static final LocalTransport SERVER =
      new LocalTransport(
          1,
          1,
          "Srv1",
          "ServerPassword0123456789",
          new Attribute.Fingerprint("sha-256", HASH),
          List.of("candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host"));

  @Test
  void theLayeredOfferIsStandardSimulcastThatTheServerAnswers() throws Exception {
    String text = PeerSdp.publishOffer(BOT, 1, "bot1", PeerSdp.Setup.ACTPASS, PeerSdp.AUDIO_LAYERS);
    assertThat(text)
        .contains(
            "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n",
            "a=rid:h send max-br=64000\r\n",
            "a=rid:m send max-br=32000\r\n",
            "a=rid:l send max-br=16000\r\n",
            "a=simulcast:send h;m;l\r\n")
        .doesNotContain("a=ssrc:"); // SSRCs first seen in media, mapped by their rid

    var negotiation = AnswerBuilder.negotiate(SdpParser.parse(text), Attribute.Direction.RECVONLY);
    assertThat(negotiation.layers())
        .extracting(PublishLayer::rid, PublishLayer::index, PublishLayer::maxBitrateBps)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("h", 0, 64_000L),
            org.assertj.core.groups.Tuple.tuple("m", 1, 32_000L),
            org.assertj.core.groups.Tuple.tuple("l", 2, 16_000L));
    SessionDescription answer = negotiation.answer(SERVER);
    assertThat(PeerSdp.acceptsSimulcast(answer)).isTrue();
    assertThat(answer.media().get(0).attributes(Attribute.Extmap.class))
        .anySatisfy(
            e -> {
              assertThat(e.uri()).isEqualTo(PeerSdp.RTP_STREAM_ID_URI);
              assertThat(e.id()).isEqualTo(PeerSdp.RTP_STREAM_ID_EXTENSION_ID);
            });
  }

  @Test
  void theOfferWithoutLayersIsOneStreamAsBefore() throws Exception {
    String text = PeerSdp.publishOffer(BOT, 0x0100_0007L, "bot7", PeerSdp.Setup.ACTPASS);
    assertThat(text)
        .contains("a=ssrc:16777223 cname:bot7\r\n")
        .doesNotContain("a=rid", "a=simulcast", "rtp-stream-id");
    var negotiation = AnswerBuilder.negotiate(SdpParser.parse(text), Attribute.Direction.RECVONLY);
    assertThat(negotiation.layers()).isEmpty();
    assertThat(PeerSdp.acceptsSimulcast(negotiation.answer(SERVER))).isFalse();
  }
}
