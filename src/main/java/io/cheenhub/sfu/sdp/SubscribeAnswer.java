package io.cheenhub.sfu.sdp;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the server takes from the browser's answer to a subscribe offer ({@link
 * SubscribeOfferBuilder}): the answerer's transport (ICE credentials and certificate fingerprints),
 * and the RTP parameters it accepted (the offer fixed them; an answer may only drop header
 * extensions).
 *
 * @param transport the answerer's transport; empty only for an answer that rejects every m-line
 *     (port 0) and gives no ICE credentials or fingerprint for them: it accepts no media and names
 *     no transport yet (RFC 8843 §7.3.3), which then starts with a later answer
 * @param rejectedMids the mids of the m-lines the answer rejected (port 0), in order
 * @param extensionIds accepted header extension ids by URI
 * @param red whether every active m-line kept RED ({@link SubscribeOfferBuilder#RED_PAYLOAD_TYPE})
 * @param nack whether every active m-line kept {@code a=rtcp-fb:111 nack}
 */
public record SubscribeAnswer(
    Optional<Transport> transport,
    List<String> rejectedMids,
    Map<String, Integer> extensionIds,
    boolean red,
    boolean nack) {

  /**
   * The answerer's end of the subscribe transport.
   *
   * @param iceUfrag the answerer's {@code a=ice-ufrag}
   * @param icePwd the answerer's {@code a=ice-pwd}
   * @param fingerprints its DTLS certificate fingerprints
   */
  public record Transport(
      String iceUfrag, String icePwd, List<Attribute.Fingerprint> fingerprints) {
    public Transport {
      Objects.requireNonNull(iceUfrag);
      Objects.requireNonNull(icePwd);
      fingerprints = List.copyOf(fingerprints);
    }
  }

  public SubscribeAnswer {
    Objects.requireNonNull(transport);
    rejectedMids = List.copyOf(rejectedMids);
    extensionIds = Map.copyOf(extensionIds);
  }

  /**
   * Reads and checks {@code answer} against the {@code offer} it answers.
   *
   * @throws SdpNegotiationException if the answer does not fit the offer or the server's transport
   */
  public static SubscribeAnswer read(SessionDescription answer, SessionDescription offer)
      throws SdpNegotiationException {
    Objects.requireNonNull(answer, "answer");
    Objects.requireNonNull(offer, "offer");
    // RFC 3264 §6 / JSEP §5.3.1: the answer has the offer's m-lines, in order, with their mids.
    if (!answer.mids().equals(offer.mids()) || answer.media().size() != offer.media().size()) {
      throw fail(SdpErrorCode.MALFORMED, "answer m-lines do not match the offer's mids");
    }
    // RFC 5888 §5: a=group:BUNDLE may only name mids of this answer's m-lines.
    AnswerBuilder.checkMids(answer);
    List<String> bundle = answer.bundleGroup().map(Attribute.Group::mids).orElse(List.of());
    MediaDescription transport = null;
    for (String mid : bundle) {
      MediaDescription m = answer.media(mid).orElseThrow();
      if (m.port() != 0) {
        transport = m;
        break;
      }
    }
    if (transport == null) {
      if (answer.media().stream().anyMatch(m -> m.port() != 0)) {
        throw fail(SdpErrorCode.NO_BUNDLE, "answer has no BUNDLE group with a port");
      }
      // RFC 8843 §7.3.3: a rejected (port 0) m-line is not in any BUNDLE group, so an answer that
      // rejects every m-line (werift answers the inactive anchor so) has no BUNDLE transport and
      // accepts no media; valid, e.g. before anyone publishes. Its offerer-tagged m-line may still
      // carry the answerer's transport (werift keeps running ICE and DTLS on it): taken if whole.
      transport = answer.media(offerTaggedMid(offer)).orElseThrow();
      if (answer.effective(transport, Attribute.IceUfrag.class).isEmpty()
          && answer.effective(transport, Attribute.IcePwd.class).isEmpty()
          && answer.fingerprints(transport).isEmpty()) {
        return new SubscribeAnswer(Optional.empty(), rejectedMids(answer), Map.of(), false, false);
      }
    }
    var ufrag = answer.effective(transport, Attribute.IceUfrag.class);
    var pwd = answer.effective(transport, Attribute.IcePwd.class);
    if (ufrag.isEmpty() || pwd.isEmpty()) {
      throw fail(SdpErrorCode.NO_ICE_CREDENTIALS, "answer has no a=ice-ufrag and a=ice-pwd");
    }
    List<Attribute.Fingerprint> fingerprints = answer.fingerprints(transport);
    if (fingerprints.isEmpty()) {
      throw fail(SdpErrorCode.NO_FINGERPRINT, "answer has no a=fingerprint");
    }
    AnswerBuilder.checkFingerprints(fingerprints);
    // RFC 5763 §5: the offer said actpass, the server is the DTLS server: the answer must be
    // active. (No a=setup in an answer means active too, RFC 4145 §4.)
    Attribute.Setup setup =
        answer.effective(transport, Attribute.Setup.class).orElse(Attribute.Setup.ACTIVE);
    if (setup != Attribute.Setup.ACTIVE) {
      throw fail(
          SdpErrorCode.BAD_SETUP,
          "answer has a=setup:" + setup.attributeValue() + " but the server is the DTLS server");
    }
    if (!transport.has(Attribute.Flag.RTCP_MUX)) {
      throw fail(SdpErrorCode.NO_RTCP_MUX, "answer has no a=rtcp-mux on the bundled transport");
    }
    boolean red = true;
    boolean nack = true;
    for (MediaDescription m : answer.media()) {
      if (m.port() != 0) {
        red &= m.payloadTypes().contains(SubscribeOfferBuilder.RED_PAYLOAD_TYPE);
        nack &=
            m.rtcpFeedback(SubscribeOfferBuilder.OPUS_PAYLOAD_TYPE).stream()
                .anyMatch(
                    fb -> fb.type().equals(ServerProfile.NACK_FEEDBACK) && fb.parameters() == null);
      }
      if (m.port() != 0 && !m.payloadTypes().contains(SubscribeOfferBuilder.OPUS_PAYLOAD_TYPE)) {
        throw fail(
            SdpErrorCode.NO_OPUS,
            "answer m-line "
                + m.mid().orElse("?")
                + " does not accept opus as payload type "
                + SubscribeOfferBuilder.OPUS_PAYLOAD_TYPE);
      }
    }
    var remote = new Transport(ufrag.get().ufrag(), pwd.get().password(), fingerprints);
    if (transport.port() == 0) {
      // Nothing accepted: no extensions, no RED or NACK until an answer accepts an m-line.
      return new SubscribeAnswer(Optional.of(remote), rejectedMids(answer), Map.of(), false, false);
    }
    return new SubscribeAnswer(
        Optional.of(remote), rejectedMids(answer), transport.extensionIds(), red, nack);
  }

  private static List<String> rejectedMids(SessionDescription answer) {
    return answer.media().stream()
        .filter(m -> m.port() == 0)
        .flatMap(m -> m.mid().stream())
        .toList();
  }

  /** The first mid of the offer's BUNDLE group (RFC 8843 §7.2.1), or its first m-line's mid. */
  private static String offerTaggedMid(SessionDescription offer) {
    return offer
        .bundleGroup()
        .map(group -> group.mids().get(0))
        .or(() -> offer.media().get(0).mid())
        .orElseThrow();
  }

  private static SdpNegotiationException fail(SdpErrorCode code, String message) {
    return new SdpNegotiationException(code, message);
  }
}
