package io.cheenhub.sfu.loadgen.peer;

import io.cheenhub.sfu.sdp.Attribute;
import io.cheenhub.sfu.sdp.MediaDescription;
import io.cheenhub.sfu.sdp.SessionDescription;
import io.cheenhub.sfu.transport.dtls.Fingerprint;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The SDP a bot writes: a browser-like audio publish offer (optionally with RFC 8853 simulcast
 * layers) and answers to a server's subscribe offers, with the peer's ICE credentials, certificate
 * fingerprint and (optionally) its host candidate. Opus is payload type 111; the audio-level
 * extension is offered with id 1, the RTP stream id with id {@value #RTP_STREAM_ID_EXTENSION_ID}.
 */
public final class PeerSdp {

  /** RFC 8445 §5.1.2.1 host priority with local preference 65535, component 1. */
  private static final long HOST_PRIORITY = (126L << 24) | (65_535L << 8) | 255;

  /** RFC 8852: the header extension whose value is a packet's rid. */
  public static final String RTP_STREAM_ID_URI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

  /** The id the layered publish offer gives {@link #RTP_STREAM_ID_URI} (one-byte form, 1–14). */
  public static final int RTP_STREAM_ID_EXTENSION_ID = 10;

  /** One simulcast layer of the publish offer: {@code a=rid:<id> send max-br=<bit/s>}. */
  public record Rid(String id, long maxBitrateBps) {}

  /**
   * The SFU's audio layers (docs/quality.md, "Audio layers"), best first, which is also the order
   * of {@code a=simulcast:send h;m;l}.
   */
  public static final List<Rid> AUDIO_LAYERS =
      List.of(new Rid("h", 64_000), new Rid("m", 32_000), new Rid("l", 16_000));

  private PeerSdp() {}

  /**
   * The local end of a PeerConnection as its SDP shows it: ICE credentials, certificate fingerprint
   * and, when the far end needs it in the SDP, the host candidate (else null).
   */
  public record Local(
      String ufrag, String password, Fingerprint fingerprint, InetSocketAddress candidate) {

    /** A bot peer's local end, with its socket as candidate if {@code withCandidate}. */
    public static Local of(Peer peer, boolean withCandidate) {
      return new Local(
          peer.ufrag(),
          peer.password(),
          peer.certificate().fingerprint(),
          withCandidate ? peer.localAddress() : null);
    }
  }

  /** DTLS role the bot asks for: {@code actpass} like a browser, or {@code active} (client). */
  public enum Setup {
    ACTPASS,
    ACTIVE;

    String sdp() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A sendonly Opus offer (BUNDLE, rtcp-mux) with one SSRC, or with simulcast {@code layers}. */
  public static String publishOffer(
      Peer peer, long ssrc, String cname, Setup setup, boolean withCandidate, List<Rid> layers) {
    return publishOffer(Local.of(peer, withCandidate), ssrc, cname, setup, layers);
  }

  /** A sendonly Opus offer (BUNDLE, rtcp-mux) with one SSRC, for any local end. */
  public static String publishOffer(Local peer, long ssrc, String cname, Setup setup) {
    return publishOffer(peer, ssrc, cname, setup, List.of());
  }

  /**
   * A sendonly Opus offer (BUNDLE, rtcp-mux); with {@code layers}, standard simulcast on its one
   * m-line (RFC 8853 §5.1, RFC 8851 §4): an {@code a=rid:<id> send max-br=…} per layer, {@code
   * a=simulcast:send} listing them best first, the RFC 8852 RTP stream id extension that names each
   * packet's layer, and no {@code a=ssrc} (the server maps SSRCs to rids from the packets, as for a
   * browser that does not signal its simulcast SSRCs). Without layers one {@code a=ssrc}.
   */
  public static String publishOffer(
      Local peer, long ssrc, String cname, Setup setup, List<Rid> layers) {
    var lines = new ArrayList<String>();
    header(lines, "a=group:BUNDLE 0");
    lines.add("a=msid-semantic: WMS " + cname);
    lines.add("m=audio 9 UDP/TLS/RTP/SAVPF 111");
    lines.add("c=IN IP4 0.0.0.0");
    lines.add("a=rtcp:9 IN IP4 0.0.0.0");
    transport(lines, peer, setup);
    lines.add("a=mid:0");
    lines.add("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level");
    if (!layers.isEmpty()) {
      lines.add("a=extmap:" + RTP_STREAM_ID_EXTENSION_ID + " " + RTP_STREAM_ID_URI);
    }
    lines.add("a=sendonly");
    lines.add("a=msid:" + cname + " audio");
    lines.add("a=rtcp-mux");
    lines.add("a=rtpmap:111 opus/48000/2");
    lines.add("a=fmtp:111 minptime=10;useinbandfec=1");
    if (layers.isEmpty()) {
      lines.add("a=ssrc:" + ssrc + " cname:" + cname);
    } else {
      var ids = new ArrayList<String>();
      for (Rid rid : layers) {
        lines.add("a=rid:" + rid.id() + " send max-br=" + rid.maxBitrateBps());
        ids.add(rid.id());
      }
      lines.add("a=simulcast:send " + String.join(";", ids));
    }
    return String.join("\r\n", lines) + "\r\n";
  }

  /**
   * Whether the answer accepted the offer's simulcast: its first m-line has {@code
   * a=simulcast:recv} (RFC 8853 §5.3; a server without simulcast leaves it out and takes one
   * stream).
   */
  public static boolean acceptsSimulcast(SessionDescription answer) {
    return answer.media().stream()
        .filter(m -> m.port() != 0)
        .findFirst()
        .map(
            m ->
                m.attributes(Attribute.Simulcast.class).stream()
                    .anyMatch(s -> !s.receive().isEmpty()))
        .orElse(false);
  }

  /**
   * A browser-like answer to a subscribe offer: every m-line kept in order ({@code recvonly}, or
   * port 0 where the offer retired it, {@code inactive} where the offer is), {@code
   * a=setup:active}.
   */
  public static String subscribeAnswer(SessionDescription offer, Peer peer, boolean withCandidate) {
    return subscribeAnswer(offer, Local.of(peer, withCandidate));
  }

  /** The same answer for any local end (the test peers use it too). */
  public static String subscribeAnswer(SessionDescription offer, Local peer) {
    var lines = new ArrayList<String>();
    var bundle = new ArrayList<String>();
    for (MediaDescription m : offer.media()) {
      if (m.port() != 0) {
        bundle.add(m.mid().orElseThrow());
      }
    }
    header(lines, "a=group:BUNDLE " + String.join(" ", bundle));
    for (MediaDescription m : offer.media()) {
      String mid = m.mid().orElseThrow(() -> new IllegalArgumentException("m-line without mid"));
      if (m.port() == 0) {
        lines.add("m=audio 0 UDP/TLS/RTP/SAVPF 111");
        lines.add("c=IN IP4 0.0.0.0");
        lines.add("a=mid:" + mid);
        lines.add("a=inactive");
        lines.add("a=rtpmap:111 opus/48000/2");
        continue;
      }
      int payloadType = opusPayloadType(m);
      lines.add("m=audio 9 UDP/TLS/RTP/SAVPF " + payloadType);
      lines.add("c=IN IP4 0.0.0.0");
      transport(lines, peer, Setup.ACTIVE);
      lines.add("a=mid:" + mid);
      for (Attribute.Extmap extmap : m.attributes(Attribute.Extmap.class)) {
        if (extmap.uri().equals("urn:ietf:params:rtp-hdrext:ssrc-audio-level")) {
          lines.add("a=extmap:" + extmap.id() + " " + extmap.uri());
        }
      }
      lines.add(offer.direction(m) == Attribute.Direction.INACTIVE ? "a=inactive" : "a=recvonly");
      lines.add("a=rtcp-mux");
      lines.add("a=rtpmap:" + payloadType + " opus/48000/2");
      lines.add("a=fmtp:" + payloadType + " minptime=10;useinbandfec=1");
    }
    return String.join("\r\n", lines) + "\r\n";
  }

  private static int opusPayloadType(MediaDescription m) {
    for (Attribute.Rtpmap rtpmap : m.attributes(Attribute.Rtpmap.class)) {
      if (rtpmap.encodingName().equalsIgnoreCase("opus")) {
        return rtpmap.payloadType();
      }
    }
    return 111;
  }

  private static void header(List<String> lines, String bundle) {
    lines.add("v=0");
    lines.add("o=- " + (System.nanoTime() & Long.MAX_VALUE) + " 2 IN IP4 127.0.0.1");
    lines.add("s=-");
    lines.add("t=0 0");
    lines.add(bundle);
  }

  private static void transport(List<String> lines, Local peer, Setup setup) {
    Fingerprint fingerprint = peer.fingerprint();
    lines.add("a=ice-ufrag:" + peer.ufrag());
    lines.add("a=ice-pwd:" + peer.password());
    lines.add("a=fingerprint:" + fingerprint.algorithm() + " " + fingerprint.value());
    lines.add("a=setup:" + setup.sdp());
    InetSocketAddress local = peer.candidate();
    if (local != null) {
      lines.add(
          "a=candidate:1 1 udp "
              + HOST_PRIORITY
              + " "
              + local.getAddress().getHostAddress()
              + " "
              + local.getPort()
              + " typ host");
      lines.add("a=end-of-candidates");
    }
  }
}
