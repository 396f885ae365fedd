package io.cheenhub.sfu.loadgen.peer;

import io.cheenhub.sfu.sdp.Attribute;
import io.cheenhub.sfu.sdp.MediaDescription;
import io.cheenhub.sfu.sdp.SessionDescription;
import io.cheenhub.sfu.transport.dtls.Fingerprint;
import java.net.InetSocketAddress;

/**
 * The far end of one PeerConnection as its SDP describes it: ICE credentials, certificate, host.
 */
public record Remote(
    String ufrag, String password, Fingerprint fingerprint, InetSocketAddress address) {

  /**
   * Reads the first live m-line of a BUNDLEd description (every m-line shares its transport): ICE
   * credentials, the first fingerprint and the first UDP candidate.
   *
   * @throws IllegalArgumentException if one of them is missing
   */
  public static Remote of(SessionDescription sdp) {
    MediaDescription first =
        sdp.media().stream()
            .filter(m -> m.port() != 0)
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no live m-line"));
    Attribute.Fingerprint fingerprint =
        sdp.fingerprints(first).stream()
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no fingerprint"));
    Attribute.Candidate candidate =
        first.candidates().stream()
            .filter(c -> c.transport().equalsIgnoreCase("udp") && c.component() == 1)
            .filter(c -> !c.address().contains(":"))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no IPv4 UDP candidate"));
    return new Remote(
        sdp.effective(first, Attribute.IceUfrag.class)
            .orElseThrow(() -> new IllegalArgumentException("no ice-ufrag"))
            .ufrag(),
        sdp.effective(first, Attribute.IcePwd.class)
            .orElseThrow(() -> new IllegalArgumentException("no ice-pwd"))
            .password(),
        new Fingerprint(fingerprint.hashFunction(), fingerprint.fingerprint()),
        new InetSocketAddress(candidate.address(), candidate.port()));
  }
}
