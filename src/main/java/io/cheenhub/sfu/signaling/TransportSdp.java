package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.sdp.Attribute;
import io.cheenhub.sfu.sdp.LocalTransport;
import io.cheenhub.sfu.transport.MediaTransport;
import io.cheenhub.sfu.transport.RemoteParameters;
import io.cheenhub.sfu.transport.dtls.Fingerprint;
import java.util.ArrayList;
import java.util.List;

/**
 * A media transport's parameters in SDP terms, both ways: for the server's SDP and from the
 * browser's.
 */
final class TransportSdp {

  private TransportSdp() {}

  /** What the server's offer or answer says about {@code transport}. */
  static LocalTransport local(MediaTransport transport, long sessionId, long sessionVersion) {
    Fingerprint fingerprint = transport.fingerprint();
    return new LocalTransport(
        sessionId,
        sessionVersion,
        transport.iceUfrag(),
        transport.icePassword(),
        new Attribute.Fingerprint(fingerprint.algorithm(), fingerprint.value()),
        transport.candidates().stream().map(c -> "candidate:" + c).toList());
  }

  /**
   * What a transport needs from the browser's SDP to start.
   *
   * @throws SignalingException {@code sdp-bad-fingerprint} for a fingerprint the DTLS check cannot
   *     use: a hash function other than sha-1/256/384/512 (RFC 8122 §5 forbids md2 and md5) or a
   *     digest of the wrong length
   */
  static RemoteParameters remote(
      String iceUfrag, String icePwd, List<Attribute.Fingerprint> fingerprints, String requestId)
      throws SignalingException {
    var accepted = new ArrayList<Fingerprint>(fingerprints.size());
    for (Attribute.Fingerprint f : fingerprints) {
      try {
        accepted.add(new Fingerprint(f.hashFunction(), f.fingerprint()));
      } catch (IllegalArgumentException e) {
        String hash = f.hashFunction();
        throw new SignalingException(
            ErrorCode.SDP_BAD_FINGERPRINT,
            "a=fingerprint with hash function '"
                + (hash.length() <= 16 ? hash : hash.substring(0, 16) + "…")
                + "' and "
                + f.fingerprint().length()
                + " characters: only sha-1, sha-256, sha-384 and sha-512 digests are accepted",
            requestId);
      }
    }
    return new RemoteParameters(iceUfrag, icePwd, accepted);
  }
}
