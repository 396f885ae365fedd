package io.cheenhub.sfu.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What the server supports and how it describes its own transport; shared by the builders. */
final class ServerProfile {
  /** RFC 5764 §8 and JSEP (RFC 8829 §5.2.1): DTLS-SRTP with RTCP feedback. */
  static final String PROTOCOL = "UDP/TLS/RTP/SAVPF";

  /** RFC 7587 §7: Opus is always announced as {@code opus/48000/2}. */
  static final String OPUS = "opus";

  static final int OPUS_CLOCK_RATE_HZ = 48_000;
  static final int OPUS_CHANNELS = 2;

  /**
   * RFC 7587 §6.1: 10 ms minimum packet time and in-band FEC, which the quality layer relies on.
   */
  static final String OPUS_FMTP = "minptime=10;useinbandfec=1";

  /** RFC 2198 with Opus as in libwebrtc: {@code red/48000/2}, fmtp lists the Opus PT per block. */
  static final String RED = "red";

  /** RFC 6464: client-to-mixer audio level. */
  static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

  /** RFC 8843 §15.2: the m-line's mid in each packet. */
  static final String MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";

  /** draft-holmer-rmcat-transport-wide-cc-extensions-01: transport-wide sequence numbers. */
  static final String TRANSPORT_CC_URI =
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

  /** libwebrtc's absolute send time, used by REMB-style bandwidth estimation. */
  static final String ABS_SEND_TIME_URI =
      "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

  /** RFC 8852 §3.1: the rid of the RTP stream in each packet; maps simulcast SSRCs to rids. */
  static final String RTP_STREAM_ID_URI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

  /** RFC 8852 §3.2: the rid of the stream a redundancy (RTX/FEC) stream repairs. */
  static final String REPAIRED_RTP_STREAM_ID_URI =
      "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";

  /** The header extensions the media path reads or writes; nothing else is negotiated. */
  static final Set<String> EXTENSION_URIS =
      Set.of(AUDIO_LEVEL_URI, MID_URI, TRANSPORT_CC_URI, ABS_SEND_TIME_URI);

  /**
   * On an m-line with simulcast also the RTP stream ids (RFC 8853 §5.2, RFC 8852); elsewhere they
   * are left out, so an answer without simulcast stays what it was.
   */
  static final Set<String> SIMULCAST_EXTENSION_URIS =
      Set.of(
          AUDIO_LEVEL_URI,
          MID_URI,
          TRANSPORT_CC_URI,
          ABS_SEND_TIME_URI,
          RTP_STREAM_ID_URI,
          REPAIRED_RTP_STREAM_ID_URI);

  /**
   * Transport-wide congestion control feedback, same draft: {@code a=rtcp-fb:<pt> transport-cc}.
   */
  static final String TRANSPORT_CC_FEEDBACK = "transport-cc";

  /** RFC 4585 §4.2: generic NACK, {@code a=rtcp-fb:<pt> nack}. */
  static final String NACK_FEEDBACK = "nack";

  /**
   * JSEP (RFC 8829 §5.2.1): the dummy "discard" port on m-lines in use; browsers take addresses
   * from the candidates, and Firefox does the same in its own SDP.
   */
  static final int PLACEHOLDER_PORT = 9;

  private ServerProfile() {}

  /** JSEP (RFC 8829 §5.2.1): {@code o=- <id> <version> IN IP4 0.0.0.0}, which leaks nothing. */
  static SessionDescription.Origin origin(LocalTransport local) {
    return new SessionDescription.Origin(
        "-", local.sessionId(), local.sessionVersion(), "IN", "IP4", "0.0.0.0");
  }

  /** ICE credentials, fingerprint and DTLS role (RFC 8839 §5.4, RFC 8122 §5, RFC 5763 §5). */
  static List<Attribute> transportAttributes(LocalTransport local, Attribute.Setup setup) {
    return List.of(
        new Attribute.IceUfrag(local.iceUfrag()),
        new Attribute.IcePwd(local.icePwd()),
        local.fingerprint(),
        setup);
  }

  /**
   * The server's candidates, then {@code a=end-of-candidates} because it never trickles (RFC 8838
   * §13). JSEP (RFC 8829 §5.3.2) puts them only on the m-line that carries the BUNDLE transport.
   */
  static List<Attribute> candidateAttributes(LocalTransport local) {
    var attributes = new ArrayList<Attribute>(local.parsedCandidates());
    attributes.add(Attribute.Flag.END_OF_CANDIDATES);
    return attributes;
  }

  static boolean isOpus(Attribute.Rtpmap rtpmap) {
    return rtpmap.is(OPUS, OPUS_CLOCK_RATE_HZ, OPUS_CHANNELS);
  }

  static boolean isRed(Attribute.Rtpmap rtpmap) {
    return rtpmap.is(RED, OPUS_CLOCK_RATE_HZ, OPUS_CHANNELS);
  }

  static Attribute.Rtpmap opusRtpmap(int payloadType) {
    return new Attribute.Rtpmap(payloadType, OPUS, OPUS_CLOCK_RATE_HZ, OPUS_CHANNELS);
  }

  static Attribute.Rtpmap redRtpmap(int payloadType) {
    return new Attribute.Rtpmap(payloadType, RED, OPUS_CLOCK_RATE_HZ, OPUS_CHANNELS);
  }

  /** RFC 2198 §5: {@code a=fmtp:<red> <opus>/<opus>}, the PT of each block (primary + one). */
  static Attribute.Fmtp redFmtp(int redPayloadType, int opusPayloadType) {
    return new Attribute.Fmtp(redPayloadType, opusPayloadType + "/" + opusPayloadType);
  }

  /**
   * An m-line not in use: port 0 (RFC 3264 §6, RFC 8843 §7.3.3), its mid, direction and the rtpmap
   * of its one format when known (JSEP, RFC 8829 §5.2.1: every format gets its rtpmap).
   */
  static MediaDescription disabledMedia(
      String type,
      String protocol,
      String format,
      Attribute.Rtpmap rtpmap,
      String mid,
      Attribute.Direction direction) {
    var attributes = new ArrayList<Attribute>(3);
    if (mid != null) {
      attributes.add(new Attribute.Mid(mid));
    }
    if (direction != null) {
      attributes.add(direction);
    }
    if (rtpmap != null) {
      attributes.add(rtpmap);
    }
    return new MediaDescription(
        type,
        0,
        1,
        protocol,
        List.of(format),
        SessionDescription.Connection.UNSPECIFIED,
        List.of(),
        attributes);
  }
}
