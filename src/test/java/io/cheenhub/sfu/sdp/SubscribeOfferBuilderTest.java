package io.cheenhub.sfu.sdp;

import static io.cheenhub.sfu.sdp.SdpFixtures.lines;
import static io.cheenhub.sfu.sdp.SdpFixtures.serverTransport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.cheenhub.sfu.sdp.Attribute.Direction;
import io.cheenhub.sfu.sdp.SubscribeOfferBuilder.Retired;
import io.cheenhub.sfu.sdp.SubscribeOfferBuilder.Track;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubscribeOfferBuilderTest {
  private static final Track ALICE =
      new Track("0", "alice-stream", "alice-audio", 1001L, "alice-cname");
  private static final Track BOB = new Track("1", "bob-stream", "bob-audio", 1002L, "bob/cname+");
  private static final Track CAROL =
      new Track("2", "{carol}", "{carol-audio}", 4_294_967_295L, "carol");

  @Test
  void threePublishersGiveThreeBundledSendonlyLines() throws SdpParseException {
    SessionDescription offer =
        SubscribeOfferBuilder.offer(List.of(ALICE, BOB, CAROL), serverTransport());
    String text = SdpWriter.write(offer);

    assertThat(SdpParser.parse(text)).isEqualTo(offer);
    assertThat(offer.media()).hasSize(3);
    assertThat(offer.mids()).containsExactly("0", "1", "2");
    assertThat(offer.bundleGroup().orElseThrow().mids()).containsExactly("0", "1", "2");
    List<Track> tracks = List.of(ALICE, BOB, CAROL);
    for (int i = 0; i < tracks.size(); i++) {
      Track track = tracks.get(i);
      MediaDescription m = offer.media().get(i);
      assertThat(m.type()).isEqualTo("audio");
      assertThat(m.port()).isEqualTo(9);
      assertThat(m.protocol()).isEqualTo("UDP/TLS/RTP/SAVPF");
      assertThat(m.payloadTypes()).containsExactly(111, 63);
      assertThat(m.rtpmap(63).orElseThrow().encodingName()).isEqualTo("red");
      assertThat(m.fmtp(63).orElseThrow().parameters()).isEqualTo("111/111");
      assertThat(m.rtcpFeedback(111))
          .extracting(Attribute.RtcpFeedback::type)
          .containsExactly("transport-cc", "nack");
      assertThat(offer.direction(m)).isEqualTo(Direction.SENDONLY);
      assertThat(offer.effective(m, Attribute.Setup.class)).contains(Attribute.Setup.ACTPASS);
      assertThat(offer.fingerprints(m)).containsExactly(SdpFixtures.SERVER_FINGERPRINT);
      assertThat(m.has(Attribute.Flag.RTCP_MUX)).isTrue();
      assertThat(m.attributes(Attribute.Msid.class))
          .containsExactly(new Attribute.Msid(track.streamId(), track.trackId()));
      assertThat(m.attributes(Attribute.Ssrc.class))
          .containsExactly(
              new Attribute.Ssrc(track.ssrc(), "cname", track.cname()),
              new Attribute.Ssrc(track.ssrc(), "msid", track.streamId() + " " + track.trackId()));
      assertThat(m.extmaps())
          .extracting(Attribute.Extmap::id, Attribute.Extmap::uri)
          .containsExactly(
              tuple(1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"),
              tuple(2, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"),
              tuple(3, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"),
              tuple(4, "urn:ietf:params:rtp-hdrext:sdes:mid"));
      assertThat(m.fmtp(111)).contains(new Attribute.Fmtp(111, "minptime=10;useinbandfec=1"));
      assertThat(m.candidates()).hasSize(i == 0 ? 2 : 0);
    }
    assertThat(lines(text))
        .contains(
            "a=group:BUNDLE 0 1 2",
            "a=msid:bob-stream bob-audio",
            "a=ssrc:1002 cname:bob/cname+",
            "a=ssrc:1002 msid:bob-stream bob-audio",
            "a=ssrc:4294967295 cname:carol",
            "a=rtpmap:111 opus/48000/2",
            "a=setup:actpass");
  }

  @Test
  void theServerAcceptsItsOwnOffer() throws SdpException {
    SessionDescription offer =
        SubscribeOfferBuilder.offer(List.of(ALICE, BOB, CAROL), serverTransport());

    SessionDescription answer = AnswerBuilder.answer(offer, serverTransport());

    assertThat(answer.bundleGroup().orElseThrow().mids()).containsExactly("0", "1", "2");
    assertThat(answer.media()).allSatisfy(m -> assertThat(m.port()).isEqualTo(9));
  }

  @Test
  void aRetiredPublisherKeepsItsLineDisabledAndOutOfTheBundle() throws SdpParseException {
    SessionDescription offer =
        SubscribeOfferBuilder.offer(
            List.of(new Retired("0"), BOB, new Retired("2"), new Track("3", "d", "d1", 7L, "d")),
            serverTransport());

    assertThat(SdpParser.parse(SdpWriter.write(offer))).isEqualTo(offer);
    assertThat(offer.mids()).containsExactly("0", "1", "2", "3");
    assertThat(offer.bundleGroup().orElseThrow().mids()).containsExactly("1", "3");
    MediaDescription retired = offer.media().get(0);
    assertThat(retired.port()).isZero();
    assertThat(retired.isDisabled()).isTrue();
    assertThat(retired.attributes())
        .containsExactly(
            new Attribute.Mid("0"),
            Direction.INACTIVE,
            new Attribute.Rtpmap(111, "opus", 48000, 2));
    // The transport moves to the first line still in use.
    assertThat(offer.media().get(1).candidates()).hasSize(2);
    assertThat(offer.media().get(3).candidates()).isEmpty();
  }

  @Test
  void everyPublisherGone() {
    SessionDescription offer =
        SubscribeOfferBuilder.offer(List.of(new Retired("0")), serverTransport());

    assertThat(offer.bundleGroup()).isEmpty();
    assertThat(offer.media()).hasSize(1);
    assertThat(SubscribeOfferBuilder.offer(List.of(), serverTransport()).media()).isEmpty();
  }

  @Test
  void midsAndSsrcsAreNeverShared() {
    assertThatThrownBy(
            () ->
                SubscribeOfferBuilder.offer(
                    List.of(ALICE, new Retired("1"), new Track("1", "x", "y", 5L, "z")),
                    serverTransport()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mid 1");
    assertThatThrownBy(
            () ->
                SubscribeOfferBuilder.offer(
                    List.of(ALICE, new Track("9", "x", "y", ALICE.ssrc(), "z")), serverTransport()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ssrc");
  }

  @Test
  void tracksOnlyHoldValuesThatWriteAsOneToken() {
    assertThatThrownBy(() -> new Track("0", "a b", "t", 1L, "c"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Track("0", "s", "t\r\na=evil", 1L, "c"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Track("", "s", "t", 1L, "c"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Track("0", "s", "t", -1L, "c"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Track("0", "s", "t", 1L, "c name"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void localTransportIsChecked() {
    var fingerprint = SdpFixtures.SERVER_FINGERPRINT;
    assertThatThrownBy(
            () -> new LocalTransport(1, 1, "ab", SdpFixtures.SERVER_PWD, fingerprint, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ice-ufrag");
    assertThatThrownBy(
            () ->
                new LocalTransport(
                    1, 1, "abcd", "short:password-xxxxxxxxxx", fingerprint, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ice-pwd");
    assertThatThrownBy(
            () ->
                new LocalTransport(
                    1, 1, "abcd", SdpFixtures.SERVER_PWD, fingerprint, List.of("candidate:x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad local candidate");
    assertThat(serverTransport().toString()).doesNotContain(SdpFixtures.SERVER_PWD);
  }
}
