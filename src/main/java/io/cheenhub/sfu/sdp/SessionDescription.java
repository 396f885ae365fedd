package io.cheenhub.sfu.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed SDP (RFC 8866 §5), limited to what WebRTC uses: the session part and its m-lines.
 *
 * <p>The version is always {@code v=0}. Attributes keep their order, so writing and parsing again
 * gives an equal value. {@code connection} is null when the session has no {@code c=} line.
 */
public record SessionDescription(
    Origin origin,
    String sessionName,
    Timing timing,
    Connection connection,
    List<Bandwidth> bandwidths,
    List<Attribute> attributes,
    List<MediaDescription> media) {

  /** {@code o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>} (§5.2). */
  public record Origin(
      String username,
      long sessionId,
      long sessionVersion,
      String netType,
      String addressType,
      String address) {
    public Origin {
      Objects.requireNonNull(username, "username");
      FieldReader.checkRange("session id", sessionId, 0, Long.MAX_VALUE);
      FieldReader.checkRange("session version", sessionVersion, 0, Long.MAX_VALUE);
      Objects.requireNonNull(netType, "netType");
      Objects.requireNonNull(addressType, "addressType");
      Objects.requireNonNull(address, "address");
    }
  }

  /** {@code t=<start> <stop>} (§5.9); WebRTC always uses {@code t=0 0}. */
  public record Timing(long start, long stop) {
    /** JSEP (RFC 8829 §5.2.1): an unbounded session. */
    public static final Timing UNBOUNDED = new Timing(0, 0);

    public Timing {
      FieldReader.checkRange("start time", start, 0, Long.MAX_VALUE);
      FieldReader.checkRange("stop time", stop, 0, Long.MAX_VALUE);
    }
  }

  /** {@code c=<nettype> <addrtype> <address>} (§5.7), also the address part of {@code a=rtcp}. */
  public record Connection(String netType, String addressType, String address) {
    /**
     * JSEP (RFC 8829 §5.2.1): the dummy address used before (or instead of) a default candidate.
     */
    public static final Connection UNSPECIFIED = new Connection("IN", "IP4", "0.0.0.0");

    public Connection {
      Objects.requireNonNull(netType, "netType");
      Objects.requireNonNull(addressType, "addressType");
      Objects.requireNonNull(address, "address");
    }

    String sdpValue() {
      return netType + " " + addressType + " " + address;
    }
  }

  /** {@code b=<bwtype>:<bandwidth>} (§5.8), for example {@code AS} in kbit/s or TIAS in bit/s. */
  public record Bandwidth(String type, long value) {
    public Bandwidth {
      Objects.requireNonNull(type, "type");
      FieldReader.checkRange("bandwidth", value, 0, Long.MAX_VALUE);
    }
  }

  public SessionDescription {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(sessionName, "sessionName");
    Objects.requireNonNull(timing, "timing");
    bandwidths = List.copyOf(bandwidths);
    attributes = List.copyOf(attributes);
    media = List.copyOf(media);
  }

  /** Session-level attributes of one type, in order. */
  public <T extends Attribute> List<T> attributes(Class<T> type) {
    return MediaDescription.ofType(attributes, type);
  }

  /** The first session-level attribute of one type. */
  public <T extends Attribute> Optional<T> attribute(Class<T> type) {
    return MediaDescription.firstOfType(attributes, type);
  }

  /** Whether the session level carries {@code flag}. */
  public boolean has(Attribute.Flag flag) {
    return attributes.contains(flag);
  }

  /** The first {@code a=group:BUNDLE} (RFC 8843 §7). */
  public Optional<Attribute.Group> bundleGroup() {
    for (Attribute.Group group : attributes(Attribute.Group.class)) {
      if (group.semantics().equals(Attribute.Group.BUNDLE)) {
        return Optional.of(group);
      }
    }
    return Optional.empty();
  }

  /** The m-line whose {@code a=mid} is {@code mid}. */
  public Optional<MediaDescription> media(String mid) {
    for (MediaDescription m : media) {
      if (m.mid().filter(mid::equals).isPresent()) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /**
   * The attribute of one type that applies to {@code m}: its own, else the session-level one (RFC
   * 8866 §5: a media-level attribute overrides the session default). Use it for ICE credentials,
   * setup and direction.
   */
  public <T extends Attribute> Optional<T> effective(MediaDescription m, Class<T> type) {
    Optional<T> own = m.attribute(type);
    return own.isPresent() ? own : attribute(type);
  }

  /** The direction of {@code m}: media level, else session level, else sendrecv (§6.7). */
  public Attribute.Direction direction(MediaDescription m) {
    return effective(m, Attribute.Direction.class).orElse(Attribute.Direction.SENDRECV);
  }

  /**
   * The DTLS fingerprints that apply to {@code m} (RFC 8122 §5): its own, else the session-level
   * ones (Firefox only sends them at session level).
   */
  public List<Attribute.Fingerprint> fingerprints(MediaDescription m) {
    List<Attribute.Fingerprint> own = m.attributes(Attribute.Fingerprint.class);
    return own.isEmpty() ? attributes(Attribute.Fingerprint.class) : own;
  }

  /** Every mid, in m-line order (m-lines without one are skipped). */
  public List<String> mids() {
    var mids = new ArrayList<String>(media.size());
    for (MediaDescription m : media) {
      m.mid().ifPresent(mids::add);
    }
    return mids;
  }
}
