package io.cheenhub.sfu.transport;

import io.cheenhub.sfu.transport.dtls.Fingerprint;
import java.util.List;

/**
 * What the server needs from the browser's SDP to build a transport.
 *
 * @param iceUfrag the browser's {@code a=ice-ufrag}
 * @param icePassword the browser's {@code a=ice-pwd}
 * @param fingerprints the browser's {@code a=fingerprint} values; its DTLS certificate must match
 */
public record RemoteParameters(
    String iceUfrag, String icePassword, List<Fingerprint> fingerprints) {

  /** Copies the list. */
  public RemoteParameters {
    fingerprints = List.copyOf(fingerprints);
  }
}
