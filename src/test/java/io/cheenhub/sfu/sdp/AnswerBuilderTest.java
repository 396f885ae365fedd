package io.cheenhub.sfu.sdp;

import static io.cheenhub.sfu.sdp.SdpFixtures.lines;
import static io.cheenhub.sfu.sdp.SdpFixtures.serverTransport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cheenhub.sfu.sdp.Attribute.Direction;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerBuilderTest {
  private static final String AUDIO_LEVEL =
      "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level";

  @Test
  void answersChromiumSendonlyOffer() throws SdpException {
    String answer = answerText(SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY));

    assertThat(answer)
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
                AUDIO_LEVEL,
                "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
                "a=extmap:3 "
                    + "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
                "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
                // RED first, or libwebrtc would not send it (WebRtcVoiceSendChannel).
                "a=rtpmap:63 red/48000/2",
                "a=fmtp:63 111/111",
                "a=rtpmap:111 opus/48000/2",
                "a=rtcp-fb:111 transport-cc",
                "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1",
                "a=" + SdpFixtures.SERVER_CANDIDATE_V4,
                "a=" + SdpFixtures.SERVER_CANDIDATE_V6,
                "a=end-of-candidates",
                ""));
  }

  @Test
  void answersFirefoxSendonlyOffer() throws SdpException {
    List<String> answer = lines(answerText(SdpFixtures.read(SdpFixtures.FIREFOX_SENDONLY)));

    assertThat(answer)
        .contains(
            "a=group:BUNDLE 0",
            "m=audio 9 UDP/TLS/RTP/SAVPF 109",
            "a=mid:0",
            "a=recvonly",
            "a=setup:passive",
            "a=rtcp-mux",
            AUDIO_LEVEL,
            "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            "a=rtpmap:109 opus/48000/2",
            "a=rtcp-fb:109 transport-cc",
            "a=fmtp:109 minptime=10;useinbandfec=1;usedtx=1",
            "a=end-of-candidates")
        // Not offered (rtcp-rsize, RED), not supported (csrc-audio-level, G722...), or not ours.
        .noneMatch(line -> line.startsWith("a=rtcp-rsize"))
        .noneMatch(line -> line.contains("red/"))
        .noneMatch(line -> line.contains("csrc-audio-level"))
        .noneMatch(line -> line.startsWith("a=rtpmap:9 "))
        .noneMatch(line -> line.startsWith("a=rtcp:"))
        .noneMatch(line -> line.equals("a=sendonly") || line.equals("a=sendrecv"));
  }

  @Test
  void genericNackIsAnsweredOnlyWhenOffered() throws SdpException {
    String chromium = SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY);
    assertThat(lines(answerText(chromium))).noneMatch(line -> line.contains("nack"));
    // What the web client offers (publish.js withAudioNack): NACK added for Opus.
    String withNack =
        chromium.replace(
            "a=rtpmap:111 opus/48000/2\r\n", "a=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 nack\r\n");
    assertThat(withNack).contains("a=rtcp-fb:111 nack");
    assertThat(lines(answerText(withNack))).contains("a=rtcp-fb:111 nack");
    // "nack pli" is a different feedback (RFC 4585 §4.2), never answered for audio.
    String pli = withNack.replace("a=rtcp-fb:111 nack\r\n", "a=rtcp-fb:111 nack pli\r\n");
    assertThat(lines(answerText(pli))).noneMatch(line -> line.contains("nack"));
  }

  @Test
  void answersNodeWrtcOffer() throws SdpException {
    List<String> answer = lines(answerText(SdpFixtures.read(SdpFixtures.NODE_WRTC_SENDONLY)));

    assertThat(answer)
        .contains(
            "m=audio 9 UDP/TLS/RTP/SAVPF 63 111",
            "a=recvonly",
            "a=setup:passive",
            AUDIO_LEVEL,
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1",
            "a=fmtp:63 111/111")
        .noneMatch(line -> line.contains("ISAC") || line.contains("telephone-event"));
  }

  @Test
  void answersWeriftOffer() throws SdpException {
    List<String> answer = lines(answerText(SdpFixtures.read(SdpFixtures.WERIFT_SENDONLY)));

    assertThat(answer)
        .contains(
            "a=group:BUNDLE 0",
            "m=audio 9 UDP/TLS/RTP/SAVPF 96",
            "a=recvonly",
            "a=setup:passive",
            "a=rtpmap:96 opus/48000/2",
            "a=rtcp-fb:96 transport-cc",
            "a=fmtp:96 minptime=10;useinbandfec=1;usedtx=1")
        .noneMatch(line -> line.startsWith("a=extmap"))
        .noneMatch(line -> line.contains("red/"));
  }

  @Test
  void answerIsAParseableModel() throws SdpException {
    for (String name :
        List.of(
            SdpFixtures.CHROMIUM_SENDONLY,
            SdpFixtures.FIREFOX_SENDONLY,
            SdpFixtures.NODE_WRTC_SENDONLY,
            SdpFixtures.WERIFT_SENDONLY)) {
      SessionDescription answer = AnswerBuilder.answer(SdpFixtures.parse(name), serverTransport());

      SessionDescription reparsed = SdpParser.parse(SdpWriter.write(answer));

      assertThat(reparsed).as(name).isEqualTo(answer);
      MediaDescription audio = reparsed.media().get(0);
      assertThat(reparsed.bundleGroup().orElseThrow().mids()).containsExactly("0");
      assertThat(reparsed.direction(audio)).isEqualTo(Direction.RECVONLY);
      assertThat(reparsed.effective(audio, Attribute.Setup.class))
          .contains(Attribute.Setup.PASSIVE);
      assertThat(reparsed.fingerprints(audio)).containsExactly(SdpFixtures.SERVER_FINGERPRINT);
      assertThat(audio.candidates()).hasSize(2);
    }
  }

  @Test
  void mirrorsTheOfferedDirection() throws SdpException {
    SessionDescription sendrecv = SdpFixtures.parse(SdpFixtures.CHROMIUM_SENDRECV);
    assertThat(directionOfFirst(AnswerBuilder.answer(sendrecv, serverTransport())))
        .isEqualTo(Direction.RECVONLY);
    assertThat(
            directionOfFirst(AnswerBuilder.answer(sendrecv, serverTransport(), Direction.SENDRECV)))
        .isEqualTo(Direction.SENDRECV);
    // Firefox: session-level sendrecv, media-level sendrecv as well.
    assertThat(
            directionOfFirst(
                AnswerBuilder.answer(
                    SdpFixtures.parse(SdpFixtures.FIREFOX_SENDRECV), serverTransport())))
        .isEqualTo(Direction.RECVONLY);
  }

  @Test
  void answersEveryBundledAudioLineButCandidatesOnlyOnTheFirst() throws SdpException {
    SessionDescription answer =
        AnswerBuilder.answer(SdpFixtures.parse(SdpFixtures.FIREFOX_RECVONLY), serverTransport());

    assertThat(answer.bundleGroup().orElseThrow().mids()).containsExactly("0", "1", "2");
    assertThat(answer.media()).hasSize(3);
    for (MediaDescription m : answer.media()) {
      assertThat(m.port()).isEqualTo(9);
      assertThat(m.isBundleOnly()).isFalse();
      assertThat(answer.direction(m)).isEqualTo(Direction.SENDONLY);
      assertThat(m.has(Attribute.Flag.RTCP_MUX)).isTrue();
      assertThat(answer.effective(m, Attribute.Setup.class)).contains(Attribute.Setup.PASSIVE);
    }
    assertThat(answer.media().get(0).candidates()).hasSize(2);
    assertThat(answer.media().get(0).has(Attribute.Flag.END_OF_CANDIDATES)).isTrue();
    assertThat(answer.media().get(1).candidates()).isEmpty();
    assertThat(answer.media().get(2).candidates()).isEmpty();
  }

  @Test
  void rejectsVideoAndDataButKeepsTheirMids() throws SdpException {
    String audio = SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY);
    String video = SdpFixtures.read(SdpFixtures.CHROMIUM_SIMULCAST);
    String videoSection =
        video.substring(video.indexOf("m=video")).replace("a=mid:0\r\n", "a=mid:1\r\n");
    String offer =
        audio.replace("a=group:BUNDLE 0\r\n", "a=group:BUNDLE 0 1 2\r\n")
            + videoSection
            + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
            + "a=mid:2\r\na=sctp-port:5000\r\n";

    List<String> answer = lines(answerText(offer));

    assertThat(answer)
        .contains(
            "a=group:BUNDLE 0",
            "m=audio 9 UDP/TLS/RTP/SAVPF 63 111",
            "m=video 0 UDP/TLS/RTP/SAVPF 96",
            "a=mid:1",
            "m=application 0 UDP/DTLS/SCTP webrtc-datachannel",
            "a=mid:2")
        .noneMatch(line -> line.startsWith("a=rid") || line.startsWith("a=simulcast"));
    assertThat(answer.subList(answer.indexOf("m=video 0 UDP/TLS/RTP/SAVPF 96"), answer.size()))
        .containsExactly(
            "m=video 0 UDP/TLS/RTP/SAVPF 96",
            "c=IN IP4 0.0.0.0",
            "a=mid:1",
            "a=rtpmap:96 VP8/90000",
            "m=application 0 UDP/DTLS/SCTP webrtc-datachannel",
            "c=IN IP4 0.0.0.0",
            "a=mid:2");
  }

  @Test
  void rejectsAudioWithoutOpusNextToAudioWithOpus() throws SdpException {
    String offer =
        SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY).replace("BUNDLE 0", "BUNDLE 0 1")
            + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=sendonly\r\n"
            + "a=bundle-only\r\na=rtpmap:0 PCMU/8000\r\n";

    SessionDescription answer = AnswerBuilder.answer(SdpParser.parse(offer), serverTransport());

    assertThat(answer.bundleGroup().orElseThrow().mids()).containsExactly("0");
    assertThat(answer.media().get(1).port()).isZero();
    assertThat(answer.media().get(1).mid()).contains("1");
  }

  @Test
  void asksForDtxAndDropsWhatItDoesNotUse() throws SdpException {
    String offer =
        SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY)
            .replace(
                "a=fmtp:111 minptime=10;useinbandfec=1",
                "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1;stereo=1");

    assertThat(lines(answerText(offer)))
        .contains("a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1")
        .noneMatch(line -> line.contains("stereo"));
    // The browser did not offer DTX: the server still prefers it (RFC 7587 §6.1, the decoder's
    // say).
    assertThat(lines(answerText(SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY))))
        .contains("a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1");
  }

  @Test
  void redNeedsItsFmtpToPointAtOpus() throws SdpException {
    String offer =
        SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY)
            .replace("a=fmtp:63 111/111", "a=fmtp:63 0/0");

    assertThat(lines(answerText(offer)))
        .contains("m=audio 9 UDP/TLS/RTP/SAVPF 111")
        .noneMatch(line -> line.contains("red/"));
  }

  @Test
  void acceptsSetupActiveOrNoSetup() throws SdpException {
    String chromium = SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY);
    assertThat(answerText(chromium.replace("a=setup:actpass", "a=setup:active")))
        .contains("a=setup:passive");
    assertThat(answerText(chromium.replace("a=setup:actpass\r\n", ""))).contains("a=setup:passive");
  }

  @Test
  void noFingerprint() {
    assertCode(
        SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY).replaceAll("a=fingerprint:[^\r]*\r\n", ""),
        SdpErrorCode.NO_FINGERPRINT);
    // Firefox only has the session-level one.
    assertCode(
        SdpFixtures.read(SdpFixtures.FIREFOX_SENDONLY).replaceAll("a=fingerprint:[^\r]*\r\n", ""),
        SdpErrorCode.NO_FINGERPRINT);
  }

  @Test
  void fingerprintsOfOneHashFunctionMustAgree() throws SdpException {
    String chromium = SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY);
    String fingerprint = chromium.replaceAll("(?s).*(a=fingerprint:[^\r]*)\r\n.*", "$1");
    String other = "a=fingerprint:sha-256 " + "00:".repeat(31) + "00";
    // RFC 8122 §5: the one DTLS certificate of a bundle has one sha-256 digest.
    assertCode(
        chromium.replace(fingerprint, fingerprint + "\r\n" + other), SdpErrorCode.BAD_FINGERPRINT);
    // Hash function names are case-insensitive: still the same function.
    assertCode(
        chromium.replace(fingerprint, fingerprint + "\r\n" + other.replace("sha-256", "SHA-256")),
        SdpErrorCode.BAD_FINGERPRINT);
    // The same fingerprint twice, or another hash function next to it, is fine.
    assertThat(answerText(chromium.replace(fingerprint, fingerprint + "\r\n" + fingerprint)))
        .contains("a=setup:passive");
    assertThat(
            answerText(
                chromium.replace(
                    fingerprint,
                    fingerprint + "\r\na=fingerprint:sha-1 " + "00:".repeat(19) + "00")))
        .contains("a=setup:passive");
  }

  @Test
  void aBundleGroupNamingAMissingMidIsMalformed() {
    // Both the lookup of the offered transport and the accepted m-lines rely on the mids.
    assertCode(
        SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY)
            .replace("a=group:BUNDLE 0", "a=group:BUNDLE 7"),
        SdpErrorCode.MALFORMED);
  }

  @Test
  void noBundle() {
    assertCode(
        SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY).replace("a=group:BUNDLE 0\r\n", ""),
        SdpErrorCode.NO_BUNDLE);
    assertCode(
        SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY)
            .replace("a=group:BUNDLE 0\r\n", "a=group:LS 0\r\n"),
        SdpErrorCode.NO_BUNDLE);
  }

  @Test
  void noAudio() {
    assertCode(SdpFixtures.read(SdpFixtures.CHROMIUM_SIMULCAST), SdpErrorCode.NO_AUDIO);
    assertCode(SdpFixtures.read(SdpFixtures.FIREFOX_SIMULCAST), SdpErrorCode.NO_AUDIO);
    // A disabled audio line (port 0, no bundle-only) does not count.
    assertCode(
        SdpFixtures.read(SdpFixtures.WERIFT_SENDONLY).replace("m=audio 9 ", "m=audio 0 "),
        SdpErrorCode.NO_AUDIO);
  }

  @Test
  void noOpus() {
    assertCode(
        SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY)
            .replace("a=rtpmap:111 opus/48000/2\r\n", ""),
        SdpErrorCode.NO_OPUS);
    assertCode(
        SdpFixtures.read(SdpFixtures.WERIFT_SENDONLY).replace("opus/48000/2", "opus/48000/1"),
        SdpErrorCode.NO_OPUS);
  }

  @Test
  void noIceCredentials() {
    assertCode(
        SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY).replaceAll("a=ice-pwd:[^\r]*\r\n", ""),
        SdpErrorCode.NO_ICE_CREDENTIALS);
    assertCode(
        SdpFixtures.read(SdpFixtures.FIREFOX_SENDONLY).replaceAll("a=ice-ufrag:[^\r]*\r\n", ""),
        SdpErrorCode.NO_ICE_CREDENTIALS);
  }

  @Test
  void badSetup() {
    String chromium = SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY);
    assertCode(chromium.replace("a=setup:actpass", "a=setup:passive"), SdpErrorCode.BAD_SETUP);
    assertCode(chromium.replace("a=setup:actpass", "a=setup:holdconn"), SdpErrorCode.BAD_SETUP);
  }

  @Test
  void noRtcpMux() {
    assertCode(
        SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY).replace("a=rtcp-mux\r\n", ""),
        SdpErrorCode.NO_RTCP_MUX);
  }

  @Test
  void malformedMids() {
    assertCode(
        SdpFixtures.read(SdpFixtures.FIREFOX_RECVONLY).replace("a=mid:2", "a=mid:1"),
        SdpErrorCode.MALFORMED);
    assertCode(
        SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY)
            .replace("a=group:BUNDLE 0", "a=group:BUNDLE 0 7"),
        SdpErrorCode.MALFORMED);
  }

  @Test
  void everyErrorCodeHasAStableWireString() {
    assertThat(SdpErrorCode.values())
        .extracting(SdpErrorCode::wireValue)
        .containsExactly(
            "sdp-malformed",
            "sdp-no-fingerprint",
            "sdp-bad-fingerprint",
            "sdp-no-bundle",
            "sdp-no-audio",
            "sdp-no-opus",
            "sdp-no-ice-credentials",
            "sdp-bad-setup",
            "sdp-no-rtcp-mux",
            "sdp-bad-simulcast");
  }

  private static String answerText(String offer) throws SdpException {
    return SdpWriter.write(AnswerBuilder.answer(SdpParser.parse(offer), serverTransport()));
  }

  private static Direction directionOfFirst(SessionDescription answer) {
    return answer.direction(answer.media().get(0));
  }

  private static void assertCode(String offer, SdpErrorCode code) {
    assertThatThrownBy(() -> AnswerBuilder.answer(SdpParser.parse(offer), serverTransport()))
        .isInstanceOf(SdpNegotiationException.class)
        .satisfies(e -> assertThat(((SdpException) e).errorCode()).isEqualTo(code));
  }
}
