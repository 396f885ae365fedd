package io.cheenhub.sfu.sdp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Builds the server's offer for a subscribe PeerConnection: one sendonly audio m-line per remote
 * publisher's track, all in one BUNDLE group (JSEP, RFC 8829 §5.2).
 *
 * <p>The caller keeps the list of {@link Slot}s for the PeerConnection and re-offers it when
 * publishers come and go. JSEP never removes an m-line: when a publisher leaves, replace its {@link
 * Track} with a {@link Retired} slot of the same mid, which becomes port 0, {@code a=inactive} and
 * leaves the BUNDLE group (RFC 8843 §7.5.3). JSEP would let a later track recycle that m-line; we
 * don't, so a mid always names one track and mids are never reused (a new track gets a new slot at
 * the end). Bump {@link LocalTransport#sessionVersion()} on every re-offer (RFC 3264 §8).
 */
public final class SubscribeOfferBuilder {
  /** Opus payload type in server offers (the value libwebrtc uses). */
  public static final int OPUS_PAYLOAD_TYPE = 111;

  /** Fixed header extension ids in server offers, all one-byte (RFC 8285 §4.2). */
  public static final int AUDIO_LEVEL_EXTENSION_ID = 1;

  public static final int ABS_SEND_TIME_EXTENSION_ID = 2;
  public static final int TRANSPORT_CC_EXTENSION_ID = 3;

  /** RED's payload type in every subscribe offer (libwebrtc's choice, so captures look alike). */
  public static final int RED_PAYLOAD_TYPE = 63;

  public static final int MID_EXTENSION_ID = 4;

  /** RFC 8830 §2: msid-id and msid-appdata are 1*64 token-char. */
  private static final int MAX_MSID_CHARS = 64;

  /** RFC 3550 §6.5.1 caps an SDES item, such as CNAME, at 255 octets. */
  private static final int MAX_CNAME_CHARS = 255;

  /**
   * JSEP (RFC 8829 §5.2.1) wants mids of 3 bytes or less; 16 leaves room without bloating the RTP
   * mid header extension (RFC 8843 §15.2, at most 16 bytes in a one-byte header).
   */
  private static final int MAX_MID_CHARS = 16;

  private SubscribeOfferBuilder() {}

  /** One m-line of the subscribe offer. */
  public sealed interface Slot permits Anchor, Track, Retired {
    /** The m-line's {@code a=mid}, fixed for the life of the PeerConnection. */
    String mid();
  }

  /**
   * A remote publisher's audio track forwarded on this m-line: {@code a=msid:<streamId> <trackId>}
   * (RFC 8830 §2) and the SSRC and CNAME the server sends it with (RFC 5576 §4.1).
   */
  public record Track(String mid, String streamId, String trackId, long ssrc, String cname)
      implements Slot {
    public Track {
      checkMid(mid);
      checkTokens("streamId", streamId, MAX_MSID_CHARS);
      checkTokens("trackId", trackId, MAX_MSID_CHARS);
      FieldReader.checkRange("ssrc", ssrc, 0, FieldReader.MAX_UINT32);
      checkVisible("cname", cname, MAX_CNAME_CHARS);
    }
  }

  /**
   * An {@code inactive} audio m-line that carries no track but holds the bundle's transport: a
   * subscribe PeerConnection connects before anyone publishes and survives everyone leaving (with
   * only port-0 m-lines the BUNDLE group, and its transport, would be gone). Put it first.
   */
  public record Anchor(String mid) implements Slot {
    public Anchor {
      checkMid(mid);
    }
  }

  /** The m-line of a publisher that left: kept, disabled, its mid never used again. */
  public record Retired(String mid) implements Slot {
    public Retired {
      checkMid(mid);
    }
  }

  /**
   * The offer for {@code slots}, in order.
   *
   * @throws IllegalArgumentException if two slots share a mid or two tracks share an SSRC
   */
  public static SessionDescription offer(List<? extends Slot> slots, LocalTransport local) {
    Objects.requireNonNull(local, "local");
    checkUnique(slots);
    var bundle = new ArrayList<String>();
    var media = new ArrayList<MediaDescription>(slots.size());
    for (Slot slot : slots) {
      if (slot instanceof Track track) {
        media.add(audioMedia(track.mid(), track, local, bundle.isEmpty()));
        bundle.add(track.mid());
      } else if (slot instanceof Anchor anchor) {
        media.add(audioMedia(anchor.mid(), null, local, bundle.isEmpty()));
        bundle.add(anchor.mid());
      } else {
        media.add(
            ServerProfile.disabledMedia(
                "audio",
                ServerProfile.PROTOCOL,
                Integer.toString(OPUS_PAYLOAD_TYPE),
                ServerProfile.opusRtpmap(OPUS_PAYLOAD_TYPE),
                slot.mid(),
                Attribute.Direction.INACTIVE));
      }
    }
    var attributes = new ArrayList<Attribute>(3);
    if (!bundle.isEmpty()) {
      attributes.add(new Attribute.Group(Attribute.Group.BUNDLE, bundle));
    }
    // RFC 8445 §6.1.1: the offerer would be ICE controlling, but the server's agent is always
    // controlled; as an ice-lite offerer (§2.5) it makes the browser the controlling agent. The
    // agent still answers and sends checks like a full one, which browsers accept.
    attributes.add(Attribute.Flag.ICE_LITE);
    // RFC 8838 §3: we accept trickled browser candidates (they may arrive after the answer).
    attributes.add(new Attribute.IceOptions(List.of("trickle")));
    return new SessionDescription(
        ServerProfile.origin(local),
        "-",
        SessionDescription.Timing.UNBOUNDED,
        null,
        List.of(),
        attributes,
        media);
  }

  /** A track's m-line, or the anchor's ({@code track} null: inactive, no msid or SSRC). */
  private static MediaDescription audioMedia(
      String mid, Track track, LocalTransport local, boolean bundleTag) {
    int pt = OPUS_PAYLOAD_TYPE;
    var attributes = new ArrayList<Attribute>(24);
    attributes.add(new Attribute.Mid(mid));
    attributes.add(track == null ? Attribute.Direction.INACTIVE : Attribute.Direction.SENDONLY);
    if (track != null) {
      attributes.add(new Attribute.Msid(track.streamId(), track.trackId()));
    }
    // RFC 5763 §5: the offerer says actpass; the browser answers active and we stay DTLS server.
    attributes.addAll(ServerProfile.transportAttributes(local, Attribute.Setup.ACTPASS));
    attributes.add(Attribute.Flag.RTCP_MUX);
    attributes.add(Attribute.Flag.RTCP_RSIZE);
    attributes.add(extmap(AUDIO_LEVEL_EXTENSION_ID, ServerProfile.AUDIO_LEVEL_URI));
    attributes.add(extmap(ABS_SEND_TIME_EXTENSION_ID, ServerProfile.ABS_SEND_TIME_URI));
    attributes.add(extmap(TRANSPORT_CC_EXTENSION_ID, ServerProfile.TRANSPORT_CC_URI));
    attributes.add(extmap(MID_EXTENSION_ID, ServerProfile.MID_URI));
    attributes.add(ServerProfile.opusRtpmap(pt));
    attributes.add(new Attribute.RtcpFeedback(pt, ServerProfile.TRANSPORT_CC_FEEDBACK, null));
    // RFC 4585 §4.2: the browser asks for lost packets; the server resends them (SentPackets).
    attributes.add(new Attribute.RtcpFeedback(pt, ServerProfile.NACK_FEEDBACK, null));
    attributes.add(new Attribute.Fmtp(pt, ServerProfile.OPUS_FMTP));
    // RFC 2198 over Opus, as libwebrtc offers it: the server sends RED to a lossy subscriber.
    attributes.add(ServerProfile.redRtpmap(RED_PAYLOAD_TYPE));
    attributes.add(ServerProfile.redFmtp(RED_PAYLOAD_TYPE, pt));
    if (track != null) {
      attributes.add(new Attribute.Ssrc(track.ssrc(), "cname", track.cname()));
      // RFC 5576 §4.1 source-level msid: what older libwebrtc reads to map the SSRC to a stream.
      attributes.add(
          new Attribute.Ssrc(track.ssrc(), "msid", track.streamId() + " " + track.trackId()));
    }
    if (bundleTag) {
      attributes.addAll(ServerProfile.candidateAttributes(local));
    }
    return new MediaDescription(
        "audio",
        ServerProfile.PLACEHOLDER_PORT,
        1,
        ServerProfile.PROTOCOL,
        List.of(Integer.toString(pt), Integer.toString(RED_PAYLOAD_TYPE)),
        SessionDescription.Connection.UNSPECIFIED,
        List.of(),
        attributes);
  }

  private static Attribute.Extmap extmap(int id, String uri) {
    return new Attribute.Extmap(id, null, uri, null);
  }

  private static void checkUnique(List<? extends Slot> slots) {
    var mids = new HashSet<String>();
    var ssrcs = new HashSet<Long>();
    for (Slot slot : slots) {
      if (!mids.add(slot.mid())) {
        throw new IllegalArgumentException("mid " + slot.mid() + " is used by two slots");
      }
      // RFC 3550 §8: one SSRC per source in a session.
      if (slot instanceof Track track && !ssrcs.add(track.ssrc())) {
        throw new IllegalArgumentException("ssrc " + track.ssrc() + " is used by two tracks");
      }
    }
  }

  private static void checkMid(String mid) {
    checkTokens("mid", mid, MAX_MID_CHARS);
  }

  /** RFC 8866 §9: {@code token-char}. */
  private static void checkTokens(String what, String value, int maxChars) {
    Objects.requireNonNull(value, what);
    if (value.isEmpty() || value.length() > maxChars) {
      throw new IllegalArgumentException(what + " must be 1.." + maxChars + " chars");
    }
    for (int i = 0; i < value.length(); i++) {
      if (!FieldReader.isTokenChar(value.charAt(i))) {
        throw new IllegalArgumentException(what + " may only hold SDP token characters");
      }
    }
  }

  private static void checkVisible(String what, String value, int maxChars) {
    Objects.requireNonNull(value, what);
    if (value.isEmpty() || value.length() > maxChars) {
      throw new IllegalArgumentException(what + " must be 1.." + maxChars + " chars");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw new IllegalArgumentException(what + " may only hold visible ASCII");
      }
    }
  }
}
