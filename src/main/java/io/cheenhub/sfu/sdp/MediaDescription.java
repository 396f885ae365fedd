package io.cheenhub.sfu.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One media section: {@code m=<type> <port>[/<count>] <proto> <fmt>...} and its {@code c=}, {@code
 * b=} and {@code a=} lines (RFC 8866 §5.14). {@code connection} is null without a {@code c=} line.
 */
public record MediaDescription(
    String type,
    int port,
    int portCount,
    String protocol,
    List<String> formats,
    SessionDescription.Connection connection,
    List<SessionDescription.Bandwidth> bandwidths,
    List<Attribute> attributes) {

  public MediaDescription {
    Objects.requireNonNull(type, "type");
    FieldReader.checkRange("port", port, 0, FieldReader.MAX_PORT);
    FieldReader.checkRange("port count", portCount, 1, FieldReader.MAX_PORT);
    Objects.requireNonNull(protocol, "protocol");
    formats = List.copyOf(formats);
    if (formats.isEmpty()) {
      throw new IllegalArgumentException("an m-line needs at least one format");
    }
    if (isRtp(protocol)) {
      for (String format : formats) {
        FieldReader.checkRange(
            "payload type", FieldReader.digits(format), 0, FieldReader.MAX_PAYLOAD_TYPE);
      }
    }
    bandwidths = List.copyOf(bandwidths);
    attributes = List.copyOf(attributes);
  }

  /** Whether the formats of this m-line are RTP payload types (RFC 8866 §5.14). */
  public boolean isRtp() {
    return isRtp(protocol);
  }

  /** The formats as RTP payload types, in m-line order; empty when this is not RTP. */
  public List<Integer> payloadTypes() {
    if (!isRtp()) {
      return List.of();
    }
    var payloadTypes = new ArrayList<Integer>(formats.size());
    for (String format : formats) {
      payloadTypes.add((int) FieldReader.digits(format));
    }
    return payloadTypes;
  }

  /** Attributes of one type, in order. */
  public <T extends Attribute> List<T> attributes(Class<T> type) {
    return ofType(attributes, type);
  }

  /** The first attribute of one type. */
  public <T extends Attribute> Optional<T> attribute(Class<T> type) {
    return firstOfType(attributes, type);
  }

  /** Whether this m-line carries {@code flag}. */
  public boolean has(Attribute.Flag flag) {
    return attributes.contains(flag);
  }

  /** {@code a=mid} (RFC 5888 §4). */
  public Optional<String> mid() {
    return attribute(Attribute.Mid.class).map(Attribute.Mid::id);
  }

  /** {@code a=candidate} lines, in order. */
  public List<Attribute.Candidate> candidates() {
    return attributes(Attribute.Candidate.class);
  }

  /** {@code a=extmap} lines, in order. */
  public List<Attribute.Extmap> extmaps() {
    return attributes(Attribute.Extmap.class);
  }

  /** Header extension ids by URI (RFC 8285), the first id where a URI is listed twice. */
  public java.util.Map<String, Integer> extensionIds() {
    var ids = new java.util.HashMap<String, Integer>();
    for (Attribute.Extmap extmap : extmaps()) {
      ids.putIfAbsent(extmap.uri(), extmap.id());
    }
    return ids;
  }

  /** The {@code a=rtpmap} of payload type {@code pt}. */
  public Optional<Attribute.Rtpmap> rtpmap(int pt) {
    for (Attribute.Rtpmap rtpmap : attributes(Attribute.Rtpmap.class)) {
      if (rtpmap.payloadType() == pt) {
        return Optional.of(rtpmap);
      }
    }
    return Optional.empty();
  }

  /** The {@code a=fmtp} of payload type {@code pt}. */
  public Optional<Attribute.Fmtp> fmtp(int pt) {
    for (Attribute.Fmtp fmtp : attributes(Attribute.Fmtp.class)) {
      if (fmtp.payloadType() == pt) {
        return Optional.of(fmtp);
      }
    }
    return Optional.empty();
  }

  /** The {@code a=rtcp-fb} lines that apply to payload type {@code pt}, {@code *} included. */
  public List<Attribute.RtcpFeedback> rtcpFeedback(int pt) {
    var feedback = new ArrayList<Attribute.RtcpFeedback>();
    for (Attribute.RtcpFeedback fb : attributes(Attribute.RtcpFeedback.class)) {
      if (fb.appliesTo(pt)) {
        feedback.add(fb);
      }
    }
    return feedback;
  }

  /** RFC 8843 §6: port 0 with {@code a=bundle-only}, to be used only inside its BUNDLE group. */
  public boolean isBundleOnly() {
    return has(Attribute.Flag.BUNDLE_ONLY);
  }

  /** RFC 3264 §6 and §8.2, RFC 8843 §6: port 0 without {@code a=bundle-only} means not in use. */
  public boolean isDisabled() {
    return port == 0 && !isBundleOnly();
  }

  static boolean isRtp(String protocol) {
    return protocol.contains("RTP/");
  }

  static <T extends Attribute> List<T> ofType(List<Attribute> attributes, Class<T> type) {
    var matches = new ArrayList<T>();
    for (Attribute attribute : attributes) {
      if (type.isInstance(attribute)) {
        matches.add(type.cast(attribute));
      }
    }
    return matches;
  }

  static <T extends Attribute> Optional<T> firstOfType(List<Attribute> attributes, Class<T> type) {
    for (Attribute attribute : attributes) {
      if (type.isInstance(attribute)) {
        return Optional.of(type.cast(attribute));
      }
    }
    return Optional.empty();
  }
}
