package io.cheenhub.sfu.signaling;

import io.cheenhub.sfu.sdp.Attribute;
import io.cheenhub.sfu.sdp.LocalTransport;
import io.cheenhub.sfu.transport.MediaTransport;
import io.cheenhub.sfu.transport.RemoteParameters;
import io.cheenhub.sfu.transport.dtls.Fingerprint;
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

  /** What a transport needs from the browser's SDP to start. */
  static RemoteParameters remote(
      String iceUfrag, String icePwd, List<Attribute.Fingerprint> fingerprints) {
    return new RemoteParameters(
        iceUfrag,
        icePwd,
        fingerprints.stream()
            .map(f -> new Fingerprint(f.hashFunction(), f.fingerprint()))
            .toList());
  }
}
