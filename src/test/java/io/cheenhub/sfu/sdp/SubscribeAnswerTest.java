package io.cheenhub.sfu.sdp;

import static io.cheenhub.sfu.sdp.SdpFixtures.serverTransport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.sdp.SubscribeOfferBuilder.Anchor;
import io.cheenhub.sfu.sdp.SubscribeOfferBuilder.Retired;
import io.cheenhub.sfu.sdp.SubscribeOfferBuilder.Track;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubscribeAnswerTest {

  private static final List<SubscribeOfferBuilder.Slot> SLOTS =
      List.of(new Anchor("0"), new Retired("a1"), new Track("a2", "bob", "audio", 1002L, "bob"));

  private static final SessionDescription OFFER =
      SubscribeOfferBuilder.offer(SLOTS, serverTransport());

  /** Shaped like Chromium's answer to such an offer (port-0 line kept, transport repeated). */
  private static final String ANSWER =
      String.join(
              "\r\n",
              "v=0",
              "o=- 3190263468203385571 2 IN IP4 127.0.0.1",
              "s=-",
              "t=0 0",
              "a=group:BUNDLE 0 a2",
              "a=msid-semantic: WMS",
              "m=audio 9 UDP/TLS/RTP/SAVPF 111",
              "c=IN IP4 0.0.0.0",
              "a=rtcp:9 IN IP4 0.0.0.0",
              "a=ice-ufrag:Brws",
              "a=ice-pwd:browserpasswordbrowserpw",
              "a=ice-options:trickle",
              "a=fingerprint:sha-256 "
                  + "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
                  + "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89",
              "a=setup:active",
              "a=mid:0",
              "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
              "a=inactive",
              "a=rtcp-mux",
              "a=rtpmap:111 opus/48000/2",
              "m=audio 0 UDP/TLS/RTP/SAVPF 111",
              "c=IN IP4 0.0.0.0",
              "a=mid:a1",
              "a=inactive",
              "a=rtpmap:111 opus/48000/2",
              "m=audio 9 UDP/TLS/RTP/SAVPF 111",
              "c=IN IP4 0.0.0.0",
              "a=ice-ufrag:Brws",
              "a=ice-pwd:browserpasswordbrowserpw",
              "a=setup:active",
              "a=mid:a2",
              "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
              "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
              "a=recvonly",
              "a=rtcp-mux",
              "a=rtpmap:111 opus/48000/2",
              "a=fmtp:111 minptime=10;useinbandfec=1")
          + "\r\n";

  @Test
  void theOfferIsIceLiteWithAnInactiveAnchorFirst() {
    assertThat(OFFER.has(Attribute.Flag.ICE_LITE)).isTrue();
    assertThat(OFFER.bundleGroup().orElseThrow().mids()).containsExactly("0", "a2");
    MediaDescription anchor = OFFER.media().get(0);
    assertThat(anchor.port()).isEqualTo(9);
    assertThat(OFFER.direction(anchor)).isEqualTo(Attribute.Direction.INACTIVE);
    assertThat(anchor.attributes(Attribute.Msid.class)).isEmpty();
    assertThat(anchor.attributes(Attribute.Ssrc.class)).isEmpty();
    assertThat(anchor.candidates()).isNotEmpty(); // the BUNDLE tag carries the candidates
    assertThat(OFFER.media().get(1).port()).isZero();
    assertThat(OFFER.direction(OFFER.media().get(2))).isEqualTo(Attribute.Direction.SENDONLY);
  }

  @Test
  void readsTheBrowsersTransportAndExtensions() throws SdpException {
    SubscribeAnswer answer = SubscribeAnswer.read(SdpParser.parse(ANSWER), OFFER);

    SubscribeAnswer.Transport transport = answer.transport().orElseThrow();
    assertThat(transport.iceUfrag()).isEqualTo("Brws");
    assertThat(transport.icePwd()).isEqualTo("browserpasswordbrowserpw");
    assertThat(transport.fingerprints())
        .singleElement()
        .satisfies(f -> assertThat(f.hashFunction()).isEqualTo("sha-256"));
    assertThat(answer.extensionIds())
        .isEqualTo(Map.of("urn:ietf:params:rtp-hdrext:ssrc-audio-level", 1));
    assertThat(answer.rejectedMids()).containsExactly("a1");
  }

  @Test
  void redCountsOnlyWhenEveryActiveLineKeepsIt() throws SdpException {
    assertThat(SubscribeAnswer.read(SdpParser.parse(ANSWER), OFFER).red()).isFalse();
    String withRed =
        ANSWER
            .replace(
                "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", "m=audio 9 UDP/TLS/RTP/SAVPF 111 63\r\n")
            .replace(
                "a=rtpmap:111 opus/48000/2\r\na=fmtp",
                "a=rtpmap:111 opus/48000/2\r\na=rtpmap:63 red/48000/2\r\na=fmtp");
    assertThat(SubscribeAnswer.read(SdpParser.parse(withRed), OFFER).red()).isTrue();
    String onlyOneLine = withRed.replaceFirst("SAVPF 111 63\r\n", "SAVPF 111\r\n");
    assertThat(SubscribeAnswer.read(SdpParser.parse(onlyOneLine), OFFER).red()).isFalse();
  }

  @Test
  void nackCountsOnlyWhenEveryActiveLineKeepsIt() throws SdpException {
    assertThat(SubscribeAnswer.read(SdpParser.parse(ANSWER), OFFER).nack()).isFalse();
    String withNack =
        ANSWER.replace(
            "a=rtpmap:111 opus/48000/2\r\na=fmtp",
            "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 nack\r\na=fmtp");
    // Only the last active line had an fmtp to anchor on; add it to the first one too.
    withNack =
        withNack.replaceFirst(
            "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n",
            "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 nack\r\n");
    assertThat(SubscribeAnswer.read(SdpParser.parse(withNack), OFFER).nack()).isTrue();
    String pli = withNack.replace("a=rtcp-fb:111 nack\r\n", "a=rtcp-fb:111 nack pli\r\n");
    assertThat(SubscribeAnswer.read(SdpParser.parse(pli), OFFER).nack()).isFalse();
  }

  /**
   * werift 0.24.4 answers the anchor-only offer (nobody publishes yet) with the inactive m-line
   * rejected (port 0) yet named in its BUNDLE group and with its ICE and DTLS parameters, which it
   * then uses (captured verbatim from e2e/werift.mjs). RFC 8843 §7.3.3: a rejected m-line is in no
   * BUNDLE group, so the answer accepts no media; its transport is taken.
   */
  @Test
  void acceptsWeriftsAnswerThatRejectsTheAnchor() throws SdpException {
    SessionDescription offer = SdpFixtures.parse("server-subscribe-anchor-offer.sdp");
    SessionDescription answer = SdpFixtures.parse("werift-answer-to-anchor-offer.sdp");
    assertThat(answer.media()).singleElement().satisfies(m -> assertThat(m.port()).isZero());
    assertThat(answer.bundleGroup().orElseThrow().mids()).containsExactly("0");

    SubscribeAnswer read = SubscribeAnswer.read(answer, offer);

    SubscribeAnswer.Transport transport = read.transport().orElseThrow();
    assertThat(transport.iceUfrag()).isEqualTo("30bf");
    assertThat(transport.icePwd()).isEqualTo("20e02373ad9f28ba12c8bb");
    assertThat(transport.fingerprints()).singleElement();
    assertThat(read.rejectedMids()).containsExactly("0");
    assertThat(read.extensionIds()).isEmpty();
    assertThat(read.red()).isFalse();
    assertThat(read.nack()).isFalse();
  }

  /** The strict RFC 8843 §7.3.3 form: every m-line rejected, no BUNDLE group, no transport. */
  @Test
  void acceptsAnAnswerThatRejectsEveryLineAndNamesNoTransport() throws SdpException {
    SessionDescription offer = SdpFixtures.parse("server-subscribe-anchor-offer.sdp");
    String rejected =
        String.join(
                "\r\n",
                "v=0",
                "o=- 1 0 IN IP4 0.0.0.0",
                "s=-",
                "t=0 0",
                "m=audio 0 UDP/TLS/RTP/SAVPF 111",
                "c=IN IP4 0.0.0.0",
                "a=mid:0",
                "a=inactive",
                "a=rtpmap:111 opus/48000/2")
            + "\r\n";

    SubscribeAnswer read = SubscribeAnswer.read(SdpParser.parse(rejected), offer);

    assertThat(read.transport()).isEmpty();
    assertThat(read.extensionIds()).isEmpty();
  }

  @Test
  void stillRefusesBrokenAnswersToTheAnchorOffer() {
    SessionDescription offer = SdpFixtures.parse("server-subscribe-anchor-offer.sdp");
    String werift = SdpFixtures.read("werift-answer-to-anchor-offer.sdp");
    record Case(String answer, SdpErrorCode code) {}
    List<Case> cases =
        List.of(
            // An accepted m-line outside any BUNDLE group: the server runs one transport.
            new Case(
                werift.replace("a=group:BUNDLE 0\r\n", "").replace("m=audio 0 ", "m=audio 9 "),
                SdpErrorCode.NO_BUNDLE),
            // A transport half given is no transport.
            new Case(
                werift.replaceAll("a=fingerprint:[^\r]*\r\n", ""), SdpErrorCode.NO_FINGERPRINT),
            new Case(
                werift.replaceAll("a=ice-pwd:[^\r]*\r\n", ""), SdpErrorCode.NO_ICE_CREDENTIALS),
            new Case(werift.replace("a=setup:active", "a=setup:passive"), SdpErrorCode.BAD_SETUP),
            new Case(
                werift.replace("a=group:BUNDLE 0", "a=group:BUNDLE 0 x"), SdpErrorCode.MALFORMED));
    for (Case c : cases) {
      assertThatThrownBy(() -> SubscribeAnswer.read(SdpParser.parse(c.answer()), offer))
          .as(c.code().name())
          .isInstanceOfSatisfying(
              SdpException.class, e -> assertThat(e.errorCode()).isEqualTo(c.code()));
    }
  }

  @Test
  void refusesAnswersTheServerCannotUse() {
    record Case(String answer, SdpErrorCode code) {}
    List<Case> cases =
        List.of(
            new Case(ANSWER.replace("a=setup:active", "a=setup:passive"), SdpErrorCode.BAD_SETUP),
            new Case(ANSWER.replace("a=setup:active", "a=setup:actpass"), SdpErrorCode.BAD_SETUP),
            new Case(
                ANSWER.replaceAll("a=fingerprint:[^\\r]*\\r\\n", ""), SdpErrorCode.NO_FINGERPRINT),
            new Case(
                ANSWER.replaceAll("a=ice-(ufrag|pwd):[^\\r]*\\r\\n", ""),
                SdpErrorCode.NO_ICE_CREDENTIALS),
            new Case(ANSWER.replace("a=rtcp-mux\r\n", ""), SdpErrorCode.NO_RTCP_MUX),
            new Case(ANSWER.replace("a=group:BUNDLE 0 a2\r\n", ""), SdpErrorCode.NO_BUNDLE),
            new Case(ANSWER.replace("a=mid:a2", "a=mid:zz"), SdpErrorCode.MALFORMED),
            // A BUNDLE group naming a mid no m-line has was an internal error (issue 13).
            new Case(
                ANSWER.replace("a=group:BUNDLE 0 a2", "a=group:BUNDLE nope 0 a2"),
                SdpErrorCode.MALFORMED),
            new Case(
                ANSWER.replace("a=group:BUNDLE 0 a2", "a=group:BUNDLE nope"),
                SdpErrorCode.MALFORMED),
            // RFC 8122 §5: one certificate, so two sha-256 fingerprints cannot both be right.
            new Case(
                ANSWER.replace(
                    "a=setup:active\r\na=mid:0",
                    "a=fingerprint:sha-256 "
                        + "00:".repeat(31)
                        + "00\r\na=setup:active\r\na=mid:0"),
                SdpErrorCode.BAD_FINGERPRINT),
            new Case(
                ANSWER.replace(
                    "SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:Brws\r\na=ice-pwd:browserpasswordbrowserpw\r\na=setup",
                    "SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:Brws\r\na=ice-pwd:browserpasswordbrowserpw\r\na=setup"),
                SdpErrorCode.NO_OPUS));
    for (Case c : cases) {
      assertThatThrownBy(() -> SubscribeAnswer.read(SdpParser.parse(c.answer()), OFFER))
          .as(c.code().name())
          .isInstanceOfSatisfying(
              SdpException.class, e -> assertThat(e.errorCode()).isEqualTo(c.code()));
    }
  }
}
