package io.cheenhub.sfu.sdp;

import static io.cheenhub.sfu.sdp.SdpFixtures.lines;
import static io.cheenhub.sfu.sdp.SdpFixtures.serverTransport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.sdp.Attribute.Direction;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Standard simulcast (RFC 8853) on a publish offer's audio m-line: answer, layers, refusals. */
class AudioSimulcastTest {
  private static final String RTP_STREAM_ID =
      "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
  private static final String REPAIRED_RTP_STREAM_ID =
      "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
  private static final String RIDS =
      "a=rid:h send max-br=64000\r\na=rid:m send max-br=32000\r\na=rid:l send max-br=16000\r\n";

  private static String offer() {
    return SdpFixtures.read(SdpFixtures.RFC8853_AUDIO_SIMULCAST);
  }

  @Test
  void answersTheRfc8853Offer() throws SdpException {
    assertThat(answerText(offer()))
        .isEqualTo(
            String.join(
                "\r\n",
                "v=0",
                "o=- 4611686018427387000 1 IN IP4 0.0.0.0",
                "s=-",
                "t=0 0",
                "a=group:BUNDLE 0",
                "a=ice-options:trickle",
                "m=audio 9 UDP/TLS/RTP/SAVPF 63 111",
                "c=IN IP4 0.0.0.0",
                "a=mid:0",
                "a=recvonly",
                "a=ice-ufrag:Srv1",
                "a=ice-pwd:ServerPassword0123456789",
                "a=fingerprint:sha-256 " + SdpFixtures.SERVER_FINGERPRINT.fingerprint(),
                "a=setup:passive",
                "a=rtcp-mux",
                "a=rtcp-rsize",
                "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
                "a=extmap:3 "
                    + "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
                "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
                // RFC 8853 §5.2 / RFC 8852: the ids that map the layers' SSRCs to rids.
                RTP_STREAM_ID,
                REPAIRED_RTP_STREAM_ID,
                "a=rtpmap:63 red/48000/2",
                "a=fmtp:63 111/111",
                "a=rtpmap:111 opus/48000/2",
                "a=rtcp-fb:111 transport-cc",
                "a=rtcp-fb:111 nack",
                "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1",
                // RFC 8851 §5.2: recv for each offered send rid; RFC 8853 §5.3: the same list.
                "a=rid:h recv max-br=64000",
                "a=rid:m recv max-br=32000",
                "a=rid:l recv max-br=16000",
                "a=simulcast:recv h;m;l",
                "a=" + SdpFixtures.SERVER_CANDIDATE_V4,
                "a=" + SdpFixtures.SERVER_CANDIDATE_V6,
                "a=end-of-candidates",
                ""));
  }

  @Test
  void layersFollowTheSimulcastList() throws SdpException {
    assertThat(negotiate(offer()).layers())
        .containsExactly(
            new PublishLayer("0", "h", 0, 64_000, List.of()),
            new PublishLayer("0", "m", 1, 32_000, List.of()),
            new PublishLayer("0", "l", 2, 16_000, List.of()));
    assertThat(negotiate(offer()).layers())
        .extracting(PublishLayer::name)
        .containsExactly("h", "m", "l");

    // The order of a=simulcast decides (RFC 8853 §5.1: decreasing preference), not the a=rid
    // lines; a declared rid left out of the list is not answered.
    String twoLayers =
        offer()
            .replace("a=simulcast:send h;m;l", "a=simulcast:send l;h")
            .replace("a=rid:l send max-br=16000", "a=rid:l send");
    assertThat(negotiate(twoLayers).layers())
        .containsExactly(
            new PublishLayer("0", "l", 0, 0, List.of()),
            new PublishLayer("0", "h", 1, 64_000, List.of()));
    assertThat(negotiate(twoLayers).layers())
        .extracting(PublishLayer::name)
        .containsExactly("h", "m");
    assertThat(lines(answerText(twoLayers)))
        .contains("a=rid:l recv", "a=rid:h recv max-br=64000", "a=simulcast:recv l;h")
        .noneMatch(line -> line.startsWith("a=rid:m"));
  }

  @Test
  void onlyTheFirstAlternativeIsUsedAndPausedStaysPaused() throws SdpException {
    String offer = offer().replace("a=simulcast:send h;m;l", "a=simulcast:send h,m;~l");

    assertThat(negotiate(offer).layers()).extracting(PublishLayer::rid).containsExactly("h", "l");
    assertThat(lines(answerText(offer)))
        .contains("a=rid:h recv max-br=64000", "a=rid:l recv max-br=16000", "a=simulcast:recv h;~l")
        .noneMatch(line -> line.startsWith("a=rid:m"));
  }

  @Test
  void ridPayloadTypesKeepOnlyWhatTheAnswerHas() throws SdpException {
    String offer =
        offer().replace("a=rid:h send max-br=64000", "a=rid:h send pt=9,111,63;max-br=64000");

    assertThat(lines(answerText(offer))).contains("a=rid:h recv pt=111,63;max-br=64000");
    // G722 only: the rid could send nothing the server receives.
    assertCode(offer.replace("pt=9,111,63", "pt=9"), "allows only payload types");
  }

  @Test
  void extensionsOfFirefoxShapeAndSessionLevel() throws SdpException {
    // Firefox marks the stream id extensions sendonly (its video simulcast offer); mirrored.
    String sendonly =
        offer()
            .replace(RTP_STREAM_ID, RTP_STREAM_ID.replace("extmap:10", "extmap:10/sendonly"))
            .replace(REPAIRED_RTP_STREAM_ID, "");
    assertThat(lines(answerText(sendonly)))
        .contains(RTP_STREAM_ID.replace("extmap:10", "extmap:10/recvonly"))
        .noneMatch(line -> line.contains("repaired-rtp-stream-id"));
    // RFC 8285 §8 allows extmap at session level.
    String sessionLevel =
        offer()
            .replace(RTP_STREAM_ID + "\r\n", "")
            .replace(
                "a=extmap-allow-mixed\r\n", "a=extmap-allow-mixed\r\n" + RTP_STREAM_ID + "\r\n");
    assertThat(lines(answerText(sessionLevel))).contains(RTP_STREAM_ID, "a=simulcast:recv h;m;l");
  }

  @Test
  void withoutSimulcastTheStreamIdExtensionsAndRidsAreNotAnswered() throws SdpException {
    String chromium = SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY);
    String withRidLines =
        chromium.replace(
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                + RTP_STREAM_ID
                + "\r\n"
                + REPAIRED_RTP_STREAM_ID
                + "\r\n"
                + "a=rid:x recv\r\na=rid:x send\r\n");

    // Byte for byte the answer to the offer without them (RFC 8851 rids alone are ignored).
    assertThat(answerText(withRidLines)).isEqualTo(answerText(chromium));
    assertThat(negotiate(withRidLines).layers()).isEmpty();
    assertThat(negotiate(chromium).layers()).isEmpty();
  }

  @Test
  void answerReadsBackToTheSameModel() throws SdpException {
    SessionDescription answer =
        AnswerBuilder.answer(
            SdpFixtures.parse(SdpFixtures.RFC8853_AUDIO_SIMULCAST), serverTransport());

    SessionDescription reparsed = SdpParser.parse(SdpWriter.write(answer));

    assertThat(reparsed).isEqualTo(answer);
    MediaDescription audio = reparsed.media().get(0);
    assertThat(reparsed.direction(audio)).isEqualTo(Direction.RECVONLY);
    assertThat(audio.attribute(Attribute.Simulcast.class).orElseThrow().receive())
        .extracting(stream -> stream.first().rid())
        .containsExactly("h", "m", "l");
    assertThat(audio.attributes(Attribute.Rid.class))
        .allMatch(rid -> rid.direction() == Attribute.RidDirection.RECV)
        .hasSize(3);
  }

  @Test
  void simulcastOnARejectedMediaLineIsIgnored() throws SdpException {
    // The video simulcast of Chromium next to plain audio: the video line is rejected, its rids
    // are not checked, and the audio has no layers.
    String audio = SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY);
    String video = SdpFixtures.read(SdpFixtures.CHROMIUM_SIMULCAST);
    String videoSection =
        video
            .substring(video.indexOf("m=video"))
            .replace("a=mid:0\r\n", "a=mid:1\r\n")
            .replace("a=rid:l send", "a=rid:l recv")
            .replace("a=rid:m send", "a=rid:m.bad send");
    String offer = audio.replace("a=group:BUNDLE 0\r\n", "a=group:BUNDLE 0 1\r\n") + videoSection;

    assertThat(negotiate(offer).layers()).isEmpty();
    assertThat(lines(answerText(offer))).contains("m=video 0 UDP/TLS/RTP/SAVPF 96");
  }

  static List<Object[]> refusals() {
    String offer = offer();
    String secondLine =
        offer
            + offer
                .substring(offer.indexOf("m=audio"))
                .replace("a=mid:0", "a=mid:1")
                .replace(
                    "a=candidate:1 1 udp 2130706431 192.0.2.20 50000 typ host generation 0\r\n",
                    "");
    return List.of(
        new Object[] {
          offer.replace("a=rid:l send max-br=16000\r\n", ""),
          "mid '0': simulcast rid 'l' has no a=rid line"
        },
        new Object[] {
          offer.replace("a=simulcast:send h;m;l", "a=simulcast:send h;m,x;l"),
          "simulcast rid 'x' has no a=rid line"
        },
        new Object[] {offer.replace(RIDS, RIDS + "a=rid:h send\r\n"), "rid 'h' is declared twice"},
        new Object[] {
          offer.replace("a=rid:l send max-br=16000", "a=rid:l recv max-br=16000"),
          "rid 'l' has direction recv in a publish offer"
        },
        new Object[] {
          offer.replace("a=simulcast:send h;m;l", "a=simulcast:send h;m;l recv l"),
          "a=simulcast with a recv list in a publish offer"
        },
        new Object[] {
          offer.replace("a=simulcast:send h;m;l", "a=simulcast:recv h;m;l"),
          "a=simulcast with a recv list in a publish offer"
        },
        new Object[] {
          offer
              .replace(RIDS, RIDS + "a=rid:x send\r\n")
              .replace("a=simulcast:send h;m;l", "a=simulcast:send h;m;l;x"),
          "4 send rids; at most 3 layers are supported"
        },
        new Object[] {
          offer.replace("a=simulcast:send h;m;l", "a=simulcast:send h;m;l;~h"),
          "lists 4 streams; at most 3 layers"
        },
        new Object[] {
          offer.replace("a=simulcast:send h;m;l", "a=simulcast:send h;m;h"),
          "rid 'h' is listed twice in a=simulcast"
        },
        new Object[] {
          offer.replace("a=rid:h send", "a=rid:h.1 send").replace("send h;", "send h.1;"),
          "rid 'h.1' is not 1 to 16 letters, digits, '-' or '_'"
        },
        new Object[] {
          offer
              .replace("a=rid:h send", "a=rid:abcdefghijklmnopq send")
              .replace("send h;", "send abcdefghijklmnopq;"),
          "rid 'abcdefghijklmnopq' is not 1 to 16"
        },
        // A malformed rid that the simulcast list does not name is refused as well.
        new Object[] {offer.replace(RIDS, RIDS + "a=rid:x~ send\r\n"), "rid 'x~' is not 1 to 16"},
        new Object[] {
          offer.replace("max-br=64000", "max-br=64k"), "rid 'h': max-br '64k' is not a number"
        },
        new Object[] {
          offer.replace(RTP_STREAM_ID + "\r\n", ""),
          "a=simulcast without the urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id header extension"
        },
        // Ids above 255 cannot be answered (RFC 8285 §5), so the extension is as good as absent.
        new Object[] {
          offer.replace(RTP_STREAM_ID, RTP_STREAM_ID.replace("extmap:10", "extmap:4096")),
          "without the urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
        },
        new Object[] {
          offer.replace("a=sendonly", "a=recvonly"),
          "a=simulcast:send on an m-line that does not send (recvonly)"
        },
        new Object[] {
          offer.replace("a=simulcast:send h;m;l", "a=simulcast:send h;m;l\r\na=simulcast:send h"),
          "more than one a=simulcast line"
        },
        new Object[] {
          secondLine.replace("a=group:BUNDLE 0", "a=group:BUNDLE 0 1"),
          "a=simulcast on mid '0' and mid '1'; one layered m-line per offer"
        });
  }

  @ParameterizedTest
  @MethodSource("refusals")
  void refusesInconsistentSimulcast(String offer, String message) {
    assertCode(offer, message);
  }

  private static AnswerBuilder.Negotiation negotiate(String offer) throws SdpException {
    return AnswerBuilder.negotiate(SdpParser.parse(offer), Direction.RECVONLY);
  }

  private static String answerText(String offer) throws SdpException {
    return SdpWriter.write(negotiate(offer).answer(serverTransport()));
  }

  private static void assertCode(String offer, String message) {
    assertThatThrownBy(() -> negotiate(offer))
        .isInstanceOf(SdpNegotiationException.class)
        .hasMessageContaining(message)
        .satisfies(
            e -> assertThat(((SdpException) e).errorCode()).isEqualTo(SdpErrorCode.BAD_SIMULCAST));
  }
}
