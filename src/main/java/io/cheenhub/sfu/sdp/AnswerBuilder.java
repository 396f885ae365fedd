package io.cheenhub.sfu.sdp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds the server's answer to a browser offer (JSEP, RFC 8829 §5.3.1), for the publish
 * PeerConnection: a pure function of the offer, the server's {@link LocalTransport} and what the
 * server supports.
 *
 * <ul>
 *   <li>Same m-lines, same order, same mids. Audio m-lines in the BUNDLE group that offer {@code
 *       opus/48000/2} are accepted; everything else (video, data, audio without Opus or outside the
 *       group) is rejected with port 0 and left out of the answer's BUNDLE group (RFC 8843 §7.3.3).
 *       Only the offer's first BUNDLE group is used: the server runs one transport per
 *       PeerConnection.
 *   <li>Codecs: Opus with the offer's PT and fmtp {@code minptime=10;useinbandfec=1} (plus {@code
 *       usedtx=1} always: the server prefers DTX); RED ({@code red/48000/2} over that Opus PT,
 *       listed first), {@code rtcp-fb transport-cc} and {@code nack} only where offered; header
 *       extensions only audio level, mid, transport-wide cc and abs-send-time, only where offered,
 *       with the offer's ids.
 *   <li>Layers: an accepted audio m-line with {@code a=simulcast:send} (RFC 8853) is answered with
 *       {@code a=rid:<id> recv} per layer, {@code a=simulcast:recv} with the same rids and the RTP
 *       stream id extensions (RFC 8852) with the offer's ids; at most one m-line per offer may do
 *       so ({@link AudioSimulcast} has the rules). {@link Negotiation#layers()} and {@link
 *       Negotiation#browserLayers} give the server the layers of either form ({@link
 *       PublishLayer}).
 *   <li>Transport: {@code a=setup:passive} (the server is always the DTLS server), {@code
 *       a=rtcp-mux}, ICE credentials and fingerprint on every accepted m-line; candidates and
 *       {@code a=end-of-candidates} only on the first accepted one, the answerer BUNDLE tag (RFC
 *       8843 §7.3.1 and §10, JSEP §5.3.2), because a BUNDLE group has one transport. Repeating the
 *       identical transport attributes is what Chromium and Firefox do in their own answers, and
 *       Chromium checks {@code a=rtcp-mux} on every m-line that is not bundle-only.
 *   <li>Direction mirrors the offer (RFC 3264 §6.1): sendonly becomes recvonly, recvonly becomes
 *       sendonly, inactive stays; sendrecv becomes the direction the caller asks for (recvonly for
 *       publishing).
 * </ul>
 */
public final class AnswerBuilder {
  /** RFC 8285 §5: the largest id an answer can use (two-byte header elements). */
  private static final int MAX_ANSWERED_EXTMAP_ID = 255;

  private AnswerBuilder() {}

  /** The answer to a publish offer: a sendrecv offer is answered recvonly. */
  public static SessionDescription answer(SessionDescription offer, LocalTransport local)
      throws SdpNegotiationException {
    return negotiate(offer, Attribute.Direction.RECVONLY).answer(local);
  }

  /**
   * The answer to {@code offer}.
   *
   * @param answerToSendrecv the direction to answer a sendrecv m-line with (RFC 3264 §6.1 allows
   *     any)
   * @throws SdpNegotiationException with the reason the SFU cannot use the offer
   */
  public static SessionDescription answer(
      SessionDescription offer, LocalTransport local, Attribute.Direction answerToSendrecv)
      throws SdpNegotiationException {
    return negotiate(offer, answerToSendrecv).answer(local);
  }

  /**
   * Checks that the SFU can serve {@code offer} and decides the codecs, before any transport
   * exists: the server needs the offer's ICE credentials and fingerprints to create the transport
   * whose own credentials then go into the answer.
   *
   * @throws SdpNegotiationException with the reason the SFU cannot use the offer
   */
  public static Negotiation negotiate(
      SessionDescription offer, Attribute.Direction answerToSendrecv)
      throws SdpNegotiationException {
    Objects.requireNonNull(offer, "offer");
    Objects.requireNonNull(answerToSendrecv, "answerToSendrecv");
    checkMids(offer);

    boolean anyAudio = false;
    boolean anyBundledAudio = false;
    boolean anyOpus = false;
    List<String> offeredBundle = offer.bundleGroup().map(Attribute.Group::mids).orElse(List.of());
    Set<String> bundled = new HashSet<>(offeredBundle);
    var choices = new ArrayList<AudioCodecs>(offer.media().size());
    for (MediaDescription m : offer.media()) {
      AudioCodecs codecs = null;
      if (m.type().equals("audio") && m.isRtp() && !m.isDisabled()) {
        anyAudio = true;
        if (m.mid().filter(bundled::contains).isPresent()) {
          anyBundledAudio = true;
          codecs = AudioCodecs.choose(m);
          anyOpus |= codecs != null;
        }
      }
      choices.add(codecs);
    }
    if (!anyAudio) {
      throw fail(SdpErrorCode.NO_AUDIO, "offer has no audio m-line in use");
    }
    if (offer.bundleGroup().isEmpty()) {
      throw fail(SdpErrorCode.NO_BUNDLE, "offer has no a=group:BUNDLE");
    }
    if (!anyBundledAudio) {
      throw fail(SdpErrorCode.NO_BUNDLE, "no audio m-line is in the BUNDLE group");
    }
    if (!anyOpus) {
      throw fail(SdpErrorCode.NO_OPUS, "no bundled audio m-line offers opus/48000/2");
    }
    MediaDescription transport = offeredTransport(offer, offeredBundle, choices);
    checkTransport(offer, transport);
    return new Negotiation(offer, choices, simulcasts(offer, choices), transport, answerToSendrecv);
  }

  /**
   * The simulcast of each accepted audio m-line (null where there is none), parallel to {@code
   * choices}; one layered m-line per offer at most, since the server keeps one layered source per
   * publish.
   */
  private static List<AudioSimulcast> simulcasts(
      SessionDescription offer, List<AudioCodecs> choices) throws SdpNegotiationException {
    var simulcasts = new ArrayList<AudioSimulcast>(choices.size());
    AudioSimulcast found = null;
    for (int i = 0; i < choices.size(); i++) {
      AudioCodecs codecs = choices.get(i);
      AudioSimulcast simulcast =
          codecs == null
              ? null
              : AudioSimulcast.read(offer, offer.media().get(i), codecs.payloadTypes());
      if (simulcast != null && found != null) {
        throw fail(
            SdpErrorCode.BAD_SIMULCAST,
            "a=simulcast on mid "
                + SdpParseException.quote(found.mid())
                + " and mid "
                + SdpParseException.quote(simulcast.mid())
                + "; one layered m-line per offer is supported");
      }
      found = simulcast != null ? simulcast : found;
      simulcasts.add(simulcast);
    }
    return simulcasts;
  }

  /** An offer the SFU can serve: its transport parameters, and the answer once ours exist. */
  public static final class Negotiation {
    private final SessionDescription offer;
    private final List<AudioCodecs> choices;
    private final List<AudioSimulcast> simulcasts;
    private final MediaDescription transport;
    private final Attribute.Direction answerToSendrecv;

    private Negotiation(
        SessionDescription offer,
        List<AudioCodecs> choices,
        List<AudioSimulcast> simulcasts,
        MediaDescription transport,
        Attribute.Direction answerToSendrecv) {
      this.offer = offer;
      this.choices = choices;
      this.simulcasts = simulcasts;
      this.transport = transport;
      this.answerToSendrecv = answerToSendrecv;
    }

    /** The offerer's ICE ufrag on the bundled transport. */
    public String iceUfrag() {
      return offer.effective(transport, Attribute.IceUfrag.class).orElseThrow().ufrag();
    }

    /** The offerer's ICE password on the bundled transport. */
    public String icePwd() {
      return offer.effective(transport, Attribute.IcePwd.class).orElseThrow().password();
    }

    /** The offerer's DTLS certificate fingerprints on the bundled transport. */
    public List<Attribute.Fingerprint> fingerprints() {
      return offer.fingerprints(transport);
    }

    /**
     * The standard simulcast layers (RFC 8853) of the offer's one m-line with {@code
     * a=simulcast:send}, in simulcast order (index 0 = first stream = best); empty when the offer
     * has no simulcast. Only the first alternative of each stream counts. The layers carry no
     * SSRCs: the publisher's SSRCs are mapped to rids from the RTP stream id header extension in
     * media.
     */
    public List<PublishLayer> layers() {
      for (AudioSimulcast simulcast : simulcasts) {
        if (simulcast != null) {
          return simulcast.publishLayers();
        }
      }
      return List.of();
    }

    /**
     * The layers of the browser form: the client names which of its {@code sendonly} audio m-lines
     * carries which layer ({@code mid -> h|m|l}, the {@code layers} field of {@code publishOffer});
     * {@link BrowserLayers} has the rules. The offer must not also use {@code a=simulcast}.
     *
     * @return the layers sorted by index
     * @throws IllegalArgumentException naming the entry that breaks a rule
     */
    public List<PublishLayer> browserLayers(Map<String, String> layerByMid) {
      Objects.requireNonNull(layerByMid, "layerByMid");
      for (AudioSimulcast simulcast : simulcasts) {
        if (simulcast != null) {
          throw new IllegalArgumentException(
              "layers cannot be given for an offer with a=simulcast (on mid "
                  + SdpParseException.quote(simulcast.mid())
                  + ")");
        }
      }
      var opusPayloadTypes = new ArrayList<Integer>(choices.size());
      for (AudioCodecs codecs : choices) {
        opusPayloadTypes.add(codecs == null ? null : codecs.opus().payloadType());
      }
      return BrowserLayers.read(offer, opusPayloadTypes, layerByMid);
    }

    /** The answer carrying the server's transport {@code local}. */
    public SessionDescription answer(LocalTransport local) {
      Objects.requireNonNull(local, "local");
      boolean trickle = offersTrickle(offer);
      var acceptedMids = new ArrayList<String>();
      var media = new ArrayList<MediaDescription>(offer.media().size());
      for (int i = 0; i < offer.media().size(); i++) {
        MediaDescription m = offer.media().get(i);
        AudioCodecs codecs = choices.get(i);
        if (codecs == null) {
          String format = m.formats().get(0);
          Attribute.Rtpmap rtpmap =
              m.isRtp() ? m.rtpmap(m.payloadTypes().get(0)).orElse(null) : null;
          media.add(
              ServerProfile.disabledMedia(
                  m.type(), m.protocol(), format, rtpmap, m.mid().orElse(null), null));
        } else {
          Attribute.Direction direction = answerDirection(offer.direction(m), answerToSendrecv);
          media.add(
              audio(offer, m, codecs, simulcasts.get(i), direction, local, acceptedMids.isEmpty()));
          acceptedMids.add(m.mid().orElseThrow());
        }
      }

      var attributes = new ArrayList<Attribute>(2);
      attributes.add(new Attribute.Group(Attribute.Group.BUNDLE, acceptedMids));
      if (trickle) {
        // RFC 8829 §5.3.1: ice-options trickle only when the offer had it.
        attributes.add(new Attribute.IceOptions(List.of("trickle")));
      }
      return new SessionDescription(
          ServerProfile.origin(local),
          "-",
          SessionDescription.Timing.UNBOUNDED,
          null,
          List.of(),
          attributes,
          media);
    }
  }

  /**
   * RFC 5888 §4-5: mids are unique and a group only names mids that exist. Also for answers ({@link
   * SubscribeAnswer}): the mid lookups of the BUNDLE group rely on it.
   */
  static void checkMids(SessionDescription offer) throws SdpNegotiationException {
    var seen = new HashSet<String>();
    for (String mid : offer.mids()) {
      if (!seen.add(mid)) {
        throw fail(
            SdpErrorCode.MALFORMED,
            "mid " + SdpParseException.quote(mid) + " is used by two m-lines");
      }
    }
    for (Attribute.Group group : offer.attributes(Attribute.Group.class)) {
      for (String mid : group.mids()) {
        if (!seen.contains(mid)) {
          throw fail(
              SdpErrorCode.MALFORMED,
              "a=group names mid " + SdpParseException.quote(mid) + " but no m-line has it");
        }
      }
    }
  }

  /**
   * The m-line whose transport the offer proposes for the group (RFC 8843 §7.3.1): the first
   * accepted one with a port, else the first m-line of the group with a port.
   */
  private static MediaDescription offeredTransport(
      SessionDescription offer, List<String> offeredBundle, List<AudioCodecs> choices)
      throws SdpNegotiationException {
    for (int i = 0; i < offer.media().size(); i++) {
      MediaDescription m = offer.media().get(i);
      if (choices.get(i) != null && m.port() != 0) {
        return m;
      }
    }
    for (String mid : offeredBundle) {
      MediaDescription m = offer.media(mid).orElseThrow();
      if (m.port() != 0) {
        return m;
      }
    }
    throw fail(SdpErrorCode.NO_BUNDLE, "no m-line of the BUNDLE group has a port");
  }

  /** What the server's transport needs from the offer, checked on the bundle's m-line. */
  private static void checkTransport(SessionDescription offer, MediaDescription transport)
      throws SdpNegotiationException {
    if (offer.effective(transport, Attribute.IceUfrag.class).isEmpty()
        || offer.effective(transport, Attribute.IcePwd.class).isEmpty()) {
      throw fail(SdpErrorCode.NO_ICE_CREDENTIALS, "offer has no a=ice-ufrag and a=ice-pwd");
    }
    if (offer.fingerprints(transport).isEmpty()) {
      throw fail(SdpErrorCode.NO_FINGERPRINT, "offer has no a=fingerprint");
    }
    checkFingerprints(offer.fingerprints(transport));
    // RFC 4145 §4: an offer without a=setup means active, which leaves us passive too.
    Attribute.Setup setup =
        offer.effective(transport, Attribute.Setup.class).orElse(Attribute.Setup.ACTIVE);
    if (setup == Attribute.Setup.PASSIVE || setup == Attribute.Setup.HOLDCONN) {
      throw fail(
          SdpErrorCode.BAD_SETUP,
          "offer has a=setup:" + setup.attributeValue() + " but the server is the DTLS server");
    }
    // RFC 8843 §9.3 / RFC 5761 §5.1.1: the bundle runs RTP and RTCP on one ICE component. An
    // extra a=rtcp (Firefox) is harmless next to a=rtcp-mux.
    if (!transport.has(Attribute.Flag.RTCP_MUX)) {
      throw fail(SdpErrorCode.NO_RTCP_MUX, "offer has no a=rtcp-mux on the bundled transport");
    }
  }

  /**
   * RFC 8122 §5 lets one m-line carry fingerprints of several certificates, but a BUNDLE transport
   * with rtcp-mux has one DTLS association, so one certificate, and a certificate has one digest
   * per hash function: two fingerprints of one hash function that differ cannot both be right, and
   * the DTLS check would accept whichever certificate matches either. Refuse them.
   */
  static void checkFingerprints(List<Attribute.Fingerprint> fingerprints)
      throws SdpNegotiationException {
    var byHash = new HashMap<String, String>();
    for (Attribute.Fingerprint f : fingerprints) {
      // RFC 8122 §5: hash function names are case-insensitive; the hex is upper case, but be
      // lenient like the parser.
      String hash = f.hashFunction().toLowerCase(Locale.ROOT);
      String previous = byHash.putIfAbsent(hash, f.fingerprint().toUpperCase(Locale.ROOT));
      if (previous != null && !previous.equals(f.fingerprint().toUpperCase(Locale.ROOT))) {
        throw fail(
            SdpErrorCode.BAD_FINGERPRINT,
            "two a=fingerprint:" + SdpParseException.quote(hash) + " lines disagree");
      }
    }
  }

  private static boolean offersTrickle(SessionDescription offer) {
    var options = new ArrayList<>(offer.attributes(Attribute.IceOptions.class));
    for (MediaDescription m : offer.media()) {
      options.addAll(m.attributes(Attribute.IceOptions.class));
    }
    for (Attribute.IceOptions option : options) {
      if (option.options().contains("trickle")) {
        return true;
      }
    }
    return false;
  }

  /** RFC 3264 §6.1. */
  private static Attribute.Direction answerDirection(
      Attribute.Direction offered, Attribute.Direction answerToSendrecv) {
    return offered == Attribute.Direction.SENDRECV ? answerToSendrecv : offered.reverse();
  }

  private static MediaDescription audio(
      SessionDescription offer,
      MediaDescription m,
      AudioCodecs codecs,
      AudioSimulcast simulcast,
      Attribute.Direction direction,
      LocalTransport local,
      boolean bundleTag) {
    var attributes = new ArrayList<Attribute>(24);
    attributes.add(new Attribute.Mid(m.mid().orElseThrow()));
    attributes.add(direction);
    attributes.addAll(ServerProfile.transportAttributes(local, Attribute.Setup.PASSIVE));
    attributes.add(Attribute.Flag.RTCP_MUX);
    if (m.has(Attribute.Flag.RTCP_RSIZE)) {
      attributes.add(Attribute.Flag.RTCP_RSIZE);
    }
    attributes.addAll(
        extensions(
            offer,
            m,
            simulcast == null
                ? ServerProfile.EXTENSION_URIS
                : ServerProfile.SIMULCAST_EXTENSION_URIS));
    var formats = new ArrayList<String>(2);
    // RED first: libwebrtc sends RED only when it precedes the codec it carries in the answer
    // (WebRtcVoiceSendChannel::SetSendCodecs), and the server wants the redundancy (issue 7).
    if (codecs.red() != null) {
      formats.add(Integer.toString(codecs.red().payloadType()));
      attributes.add(codecs.red());
      attributes.add(codecs.redFmtp());
    }
    int opusPt = codecs.opus().payloadType();
    formats.add(Integer.toString(opusPt));
    attributes.add(ServerProfile.opusRtpmap(opusPt));
    if (codecs.transportCc()) {
      attributes.add(new Attribute.RtcpFeedback(opusPt, ServerProfile.TRANSPORT_CC_FEEDBACK, null));
    }
    if (codecs.nack()) {
      // RFC 4585 §4.2: the server asks for lost uplink packets (media/NackGenerator).
      attributes.add(new Attribute.RtcpFeedback(opusPt, ServerProfile.NACK_FEEDBACK, null));
    }
    attributes.add(new Attribute.Fmtp(opusPt, codecs.opusFmtp()));
    if (simulcast != null) {
      attributes.addAll(simulcast.answerAttributes());
    }
    if (bundleTag) {
      attributes.addAll(ServerProfile.candidateAttributes(local));
    }
    return new MediaDescription(
        "audio",
        ServerProfile.PLACEHOLDER_PORT,
        1,
        m.protocol(),
        formats,
        SessionDescription.Connection.UNSPECIFIED,
        List.of(),
        attributes);
  }

  /**
   * RFC 8285 offer/answer and JSEP (RFC 8829 §5.3.1): the supported extensions that the offer lists
   * (media level, then session level), with the offer's ids and the mirrored direction.
   */
  private static List<Attribute> extensions(
      SessionDescription offer, MediaDescription m, Set<String> supported) {
    var offered = new ArrayList<>(m.extmaps());
    offered.addAll(offer.attributes(Attribute.Extmap.class));
    var uris = new HashSet<String>();
    var answered = new ArrayList<Attribute>(supported.size());
    for (Attribute.Extmap extmap : offered) {
      boolean usable = supported.contains(extmap.uri()) && isAnswerableExtmapId(extmap.id());
      if (usable && uris.add(extmap.uri())) {
        Attribute.Direction direction =
            extmap.direction() == null ? null : extmap.direction().reverse();
        answered.add(new Attribute.Extmap(extmap.id(), direction, extmap.uri(), null));
      }
    }
    return answered;
  }

  /** Ids above 255 are offer-only (RFC 5285) and need remapping; we simply leave them out. */
  static boolean isAnswerableExtmapId(int id) {
    return id <= MAX_ANSWERED_EXTMAP_ID;
  }

  private static SdpNegotiationException fail(SdpErrorCode code, String message) {
    return new SdpNegotiationException(code, message);
  }

  /** The codecs the answer keeps for one offered audio m-line. */
  private record AudioCodecs(
      Attribute.Rtpmap opus,
      String opusFmtp,
      boolean transportCc,
      boolean nack,
      Attribute.Rtpmap red,
      Attribute.Fmtp redFmtp) {

    /** The payload types the answer keeps: Opus, and RED when used. */
    Set<Integer> payloadTypes() {
      var payloadTypes = new HashSet<Integer>(2);
      payloadTypes.add(opus.payloadType());
      if (red != null) {
        payloadTypes.add(red.payloadType());
      }
      return payloadTypes;
    }

    /** The first {@code opus/48000/2} in format order and RED over it, or null without Opus. */
    static AudioCodecs choose(MediaDescription m) {
      Attribute.Rtpmap opus = null;
      for (int pt : m.payloadTypes()) {
        var rtpmap = m.rtpmap(pt);
        if (rtpmap.isPresent() && ServerProfile.isOpus(rtpmap.get())) {
          opus = rtpmap.get();
          break;
        }
      }
      if (opus == null) {
        return null;
      }
      int opusPt = opus.payloadType();
      // RFC 7587 §6.1: usedtx is the decoder's preference, and the server prefers DTX: in silence
      // the
      // browser then sends one frame per 400 ms instead of 50 per second, to every listener, which
      // is all their jitter buffers need (docs/quality.md).
      String fmtp = ServerProfile.OPUS_FMTP + ";usedtx=1";
      boolean transportCc = false;
      boolean nack = false;
      for (Attribute.RtcpFeedback fb : m.rtcpFeedback(opusPt)) {
        transportCc |= fb.type().equals(ServerProfile.TRANSPORT_CC_FEEDBACK);
        nack |= fb.type().equals(ServerProfile.NACK_FEEDBACK) && fb.parameters() == null;
      }
      for (int pt : m.payloadTypes()) {
        var rtpmap = m.rtpmap(pt);
        var redFmtp = m.fmtp(pt);
        if (rtpmap.isPresent()
            && ServerProfile.isRed(rtpmap.get())
            && redFmtp.isPresent()
            && carriesOnly(redFmtp.get(), opusPt)) {
          return new AudioCodecs(opus, fmtp, transportCc, nack, rtpmap.get(), redFmtp.get());
        }
      }
      return new AudioCodecs(opus, fmtp, transportCc, nack, null, null);
    }

    /** RFC 2198 §5: RED's fmtp lists the payload type of each block, {@code 111/111} here. */
    private static boolean carriesOnly(Attribute.Fmtp fmtp, int opusPt) {
      if (fmtp.parameters() == null) {
        return false;
      }
      String pt = Integer.toString(opusPt);
      for (String block : fmtp.parameters().split("/", -1)) {
        if (!block.equals(pt)) {
          return false;
        }
      }
      return true;
    }
  }
}
