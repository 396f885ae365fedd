package io.cheenhub.sfu.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the server puts in its own SDP for one PeerConnection: the {@code o=} session id and
 * version, its ICE credentials, its DTLS certificate fingerprint and its ICE candidates (as {@code
 * candidate:...} strings, the form ice4j and browsers use).
 *
 * <p>Values are checked here, so a builder never writes an SDP the browser would reject.
 */
public record LocalTransport(
    long sessionId,
    long sessionVersion,
    String iceUfrag,
    String icePwd,
    Attribute.Fingerprint fingerprint,
    List<String> candidates) {

  /** RFC 8839 §5.4: ice-ufrag is 4 to 256 ice-chars. */
  private static final int MIN_UFRAG_CHARS = 4;

  /** RFC 8839 §5.4: ice-pwd is 22 to 256 ice-chars. */
  private static final int MIN_PWD_CHARS = 22;

  /** RFC 8839 §5.4: upper bound for both credentials. */
  private static final int MAX_CREDENTIAL_CHARS = 256;

  public LocalTransport {
    FieldReader.checkRange("session id", sessionId, 0, Long.MAX_VALUE);
    FieldReader.checkRange("session version", sessionVersion, 0, Long.MAX_VALUE);
    checkIceChars("ice-ufrag", iceUfrag, MIN_UFRAG_CHARS);
    checkIceChars("ice-pwd", icePwd, MIN_PWD_CHARS);
    Objects.requireNonNull(fingerprint, "fingerprint");
    candidates = List.copyOf(candidates);
    parse(candidates);
  }

  /** The candidates as attributes, in the given order. */
  List<Attribute.Candidate> parsedCandidates() {
    return parse(candidates);
  }

  private static List<Attribute.Candidate> parse(List<String> candidates) {
    var parsed = new ArrayList<Attribute.Candidate>(candidates.size());
    for (String candidate : candidates) {
      try {
        parsed.add(Attribute.Candidate.parse(candidate));
      } catch (SdpParseException e) {
        throw new IllegalArgumentException("bad local candidate: " + e.getMessage(), e);
      }
    }
    return parsed;
  }

  /** RFC 8839 §5.4: {@code ice-char = ALPHA / DIGIT / "+" / "/"}. */
  private static void checkIceChars(String what, String value, int minChars) {
    Objects.requireNonNull(value, what);
    if (value.length() < minChars || value.length() > MAX_CREDENTIAL_CHARS) {
      throw new IllegalArgumentException(
          what + " must be " + minChars + ".." + MAX_CREDENTIAL_CHARS + " chars");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean iceChar =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '+'
              || c == '/';
      if (!iceChar) {
        throw new IllegalArgumentException(what + " may only hold ALPHA, DIGIT, '+' and '/'");
      }
    }
  }

  @Override
  public String toString() {
    return "LocalTransport[sessionId="
        + sessionId
        + ", sessionVersion="
        + sessionVersion
        + ", iceUfrag="
        + iceUfrag
        + ", icePwd=<hidden>, fingerprint="
        + fingerprint
        + ", candidates="
        + candidates
        + "]";
  }
}
