package io.cheenhub.sfu.sdp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One {@code a=} line (RFC 8866 §5.13): typed where WebRTC needs it, kept verbatim as {@link Other}
 * otherwise.
 *
 * <p>Each type renders its own value, so {@code "a=" + attributeName() + ":" + attributeValue()} is
 * the line and parsing that line again gives an equal attribute.
 */
public sealed interface Attribute {

  /** The text between {@code a=} and the first colon, for example {@code rtpmap}. */
  String attributeName();

  /** The text after the first colon, or {@code null} for a property attribute ({@code a=flag}). */
  String attributeValue();

  /** Property attributes (no value) that the SFU reads. */
  enum Flag implements Attribute {
    /** RFC 5761 §5.1.1: RTP and RTCP share one port. */
    RTCP_MUX("rtcp-mux"),
    /** RFC 5506 §5: reduced-size RTCP allowed. */
    RTCP_RSIZE("rtcp-rsize"),
    /** RFC 8839 §5.3: the agent only answers connectivity checks. */
    ICE_LITE("ice-lite"),
    /** RFC 8838 §13 (SDP form: RFC 8840): no further candidates will be trickled. */
    END_OF_CANDIDATES("end-of-candidates"),
    /** RFC 8843 §6: accept this m-line only inside its BUNDLE group (port is 0). */
    BUNDLE_ONLY("bundle-only"),
    /** RFC 8285 §6: one-byte and two-byte header extensions may be mixed in one stream. */
    EXTMAP_ALLOW_MIXED("extmap-allow-mixed");

    private final String sdpName;

    Flag(String sdpName) {
      this.sdpName = sdpName;
    }

    @Override
    public String attributeName() {
      return sdpName;
    }

    @Override
    public String attributeValue() {
      return null;
    }

    private static final Flag[] ALL = values();

    static Flag forName(String name) {
      for (Flag flag : ALL) {
        if (flag.sdpName.equals(name)) {
          return flag;
        }
      }
      return null;
    }
  }

  /** Media direction (RFC 8866 §6.7); sendrecv when neither media nor session level has one. */
  enum Direction implements Attribute {
    SENDRECV("sendrecv"),
    SENDONLY("sendonly"),
    RECVONLY("recvonly"),
    INACTIVE("inactive");

    private final String sdpName;

    Direction(String sdpName) {
      this.sdpName = sdpName;
    }

    @Override
    public String attributeName() {
      return sdpName;
    }

    @Override
    public String attributeValue() {
      return null;
    }

    /** RFC 3264 §6.1: the direction that mirrors this one (sendonly and recvonly swap). */
    public Direction reverse() {
      return switch (this) {
        case SENDONLY -> RECVONLY;
        case RECVONLY -> SENDONLY;
        case SENDRECV, INACTIVE -> this;
      };
    }

    private static final Direction[] ALL = values();

    static Direction forName(String name) {
      for (Direction direction : ALL) {
        if (direction.sdpName.equals(name)) {
          return direction;
        }
      }
      return null;
    }
  }

  /** {@code a=setup}: who opens the DTLS connection (RFC 4145 §4, RFC 5763 §5). */
  enum Setup implements Attribute {
    ACTPASS("actpass"),
    ACTIVE("active"),
    PASSIVE("passive"),
    HOLDCONN("holdconn");

    private final String sdpValue;

    Setup(String sdpValue) {
      this.sdpValue = sdpValue;
    }

    @Override
    public String attributeName() {
      return "setup";
    }

    @Override
    public String attributeValue() {
      return sdpValue;
    }

    static Setup forValue(String value) {
      for (Setup setup : values()) {
        if (setup.sdpValue.equals(value)) {
          return setup;
        }
      }
      return null;
    }
  }

  /** Direction of an {@code a=rid} (RFC 8851 §4). */
  enum RidDirection {
    SEND("send"),
    RECV("recv");

    private final String sdpValue;

    RidDirection(String sdpValue) {
      this.sdpValue = sdpValue;
    }

    /** The SDP spelling, {@code send} or {@code recv}. */
    public String sdpValue() {
      return sdpValue;
    }

    static RidDirection forValue(String value) {
      for (RidDirection direction : values()) {
        if (direction.sdpValue.equals(value)) {
          return direction;
        }
      }
      return null;
    }
  }

  /** {@code a=group:<semantics> <mid>...} (RFC 5888 §5), for example BUNDLE (RFC 8843 §7). */
  record Group(String semantics, List<String> mids) implements Attribute {
    /** RFC 8843 §7: the semantics of a BUNDLE group. */
    public static final String BUNDLE = "BUNDLE";

    public Group {
      Objects.requireNonNull(semantics, "semantics");
      mids = List.copyOf(mids);
    }

    @Override
    public String attributeName() {
      return "group";
    }

    @Override
    public String attributeValue() {
      return mids.isEmpty() ? semantics : semantics + " " + String.join(" ", mids);
    }
  }

  /** {@code a=mid:<identification-tag>} (RFC 5888 §4). */
  record Mid(String id) implements Attribute {
    public Mid {
      Objects.requireNonNull(id, "id");
    }

    @Override
    public String attributeName() {
      return "mid";
    }

    @Override
    public String attributeValue() {
      return id;
    }
  }

  /** {@code a=msid:<stream id> [<track id>]} (RFC 8830 §2); {@code trackId} may be null. */
  record Msid(String streamId, String trackId) implements Attribute {
    public Msid {
      Objects.requireNonNull(streamId, "streamId");
    }

    @Override
    public String attributeName() {
      return "msid";
    }

    @Override
    public String attributeValue() {
      return trackId == null ? streamId : streamId + " " + trackId;
    }
  }

  /**
   * {@code a=msid-semantic:<semantic> <stream id>...}: dropped from RFC 8830 but still sent by
   * libwebrtc and Firefox (draft-ietf-mmusic-msid-16 §4).
   */
  record MsidSemantic(String semantic, List<String> streamIds) implements Attribute {
    public MsidSemantic {
      Objects.requireNonNull(semantic, "semantic");
      streamIds = List.copyOf(streamIds);
    }

    @Override
    public String attributeName() {
      return "msid-semantic";
    }

    @Override
    public String attributeValue() {
      return streamIds.isEmpty() ? semantic : semantic + " " + String.join(" ", streamIds);
    }
  }

  /** {@code a=rtcp:<port> [<nettype> <addrtype> <address>]} (RFC 3605 §2.1). */
  record Rtcp(int port, SessionDescription.Connection connection) implements Attribute {
    public Rtcp {
      FieldReader.checkRange("port", port, 0, FieldReader.MAX_PORT);
    }

    @Override
    public String attributeName() {
      return "rtcp";
    }

    @Override
    public String attributeValue() {
      return connection == null ? Integer.toString(port) : port + " " + connection.sdpValue();
    }
  }

  /** {@code a=ice-ufrag} (RFC 8839 §5.4). */
  record IceUfrag(String ufrag) implements Attribute {
    public IceUfrag {
      Objects.requireNonNull(ufrag, "ufrag");
    }

    @Override
    public String attributeName() {
      return "ice-ufrag";
    }

    @Override
    public String attributeValue() {
      return ufrag;
    }
  }

  /** {@code a=ice-pwd} (RFC 8839 §5.4). */
  record IcePwd(String password) implements Attribute {
    public IcePwd {
      Objects.requireNonNull(password, "password");
    }

    @Override
    public String attributeName() {
      return "ice-pwd";
    }

    @Override
    public String attributeValue() {
      return password;
    }

    @Override
    public String toString() {
      return "IcePwd[password=<" + password.length() + " chars>]";
    }
  }

  /** {@code a=ice-options:<option>...} (RFC 8839 §5.6), for example {@code trickle}. */
  record IceOptions(List<String> options) implements Attribute {
    public IceOptions {
      options = List.copyOf(options);
    }

    @Override
    public String attributeName() {
      return "ice-options";
    }

    @Override
    public String attributeValue() {
      return String.join(" ", options);
    }
  }

  /**
   * {@code a=candidate} (RFC 8839 §5.1). {@code relatedAddress} and {@code relatedPort} are null
   * when absent; extension pairs such as {@code tcptype} (RFC 6544 §4.5), {@code generation} or
   * {@code network-id} are kept in order.
   */
  record Candidate(
      String foundation,
      int component,
      String transport,
      long priority,
      String address,
      int port,
      String type,
      String relatedAddress,
      Integer relatedPort,
      List<Extension> extensions)
      implements Attribute {

    /** One {@code <name> <value>} extension pair of a candidate. */
    public record Extension(String name, String value) {
      public Extension {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
      }
    }

    public Candidate {
      Objects.requireNonNull(foundation, "foundation");
      FieldReader.checkRange("component", component, 1, FieldReader.MAX_CANDIDATE_COMPONENT);
      Objects.requireNonNull(transport, "transport");
      FieldReader.checkRange("priority", priority, 0, FieldReader.MAX_UINT32);
      Objects.requireNonNull(address, "address");
      FieldReader.checkRange("port", port, 0, FieldReader.MAX_PORT);
      Objects.requireNonNull(type, "type");
      if (relatedPort != null) {
        FieldReader.checkRange("rport", relatedPort, 0, FieldReader.MAX_PORT);
      }
      extensions = List.copyOf(extensions);
    }

    /**
     * Parses a trickled candidate as the browser's {@code RTCIceCandidate.candidate} gives it
     * ({@code candidate:...}); a leading {@code a=} or a bare value is accepted too.
     */
    public static Candidate parse(String candidate) throws SdpParseException {
      return AttributeParser.parseCandidate(candidate);
    }

    /** The value of extension {@code name}, if present. */
    public Optional<String> extension(String name) {
      for (Extension extension : extensions) {
        if (extension.name().equals(name)) {
          return Optional.of(extension.value());
        }
      }
      return Optional.empty();
    }

    /** RFC 6544 §4.5: {@code active}, {@code passive} or {@code so} for TCP candidates. */
    public Optional<String> tcpType() {
      return extension("tcptype");
    }

    /** The libwebrtc {@code generation} extension, when present and numeric. */
    public OptionalInt generation() {
      long value = extension("generation").map(FieldReader::digits).orElse(-1L);
      return value >= 0 && value <= Integer.MAX_VALUE
          ? OptionalInt.of((int) value)
          : OptionalInt.empty();
    }

    @Override
    public String attributeName() {
      return "candidate";
    }

    @Override
    public String attributeValue() {
      var out = new StringBuilder(96);
      out.append(foundation).append(' ').append(component).append(' ').append(transport);
      out.append(' ').append(priority).append(' ').append(address).append(' ').append(port);
      out.append(" typ ").append(type);
      if (relatedAddress != null) {
        out.append(" raddr ").append(relatedAddress);
      }
      if (relatedPort != null) {
        out.append(" rport ").append(relatedPort);
      }
      for (Extension extension : extensions) {
        out.append(' ').append(extension.name()).append(' ').append(extension.value());
      }
      return out.toString();
    }
  }

  /** {@code a=fingerprint:<hash function> <hex pairs>} (RFC 8122 §5). */
  record Fingerprint(String hashFunction, String fingerprint) implements Attribute {
    public Fingerprint {
      Objects.requireNonNull(hashFunction, "hashFunction");
      Objects.requireNonNull(fingerprint, "fingerprint");
    }

    @Override
    public String attributeName() {
      return "fingerprint";
    }

    @Override
    public String attributeValue() {
      return hashFunction + " " + fingerprint;
    }
  }

  /**
   * {@code a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]} (RFC 8866 §6.6); {@code channels} is
   * null when omitted.
   */
  record Rtpmap(int payloadType, String encodingName, int clockRate, Integer channels)
      implements Attribute {
    public Rtpmap {
      FieldReader.checkRange("payload type", payloadType, 0, FieldReader.MAX_PAYLOAD_TYPE);
      Objects.requireNonNull(encodingName, "encodingName");
      FieldReader.checkRange("clock rate", clockRate, 1, Integer.MAX_VALUE);
      if (channels != null) {
        FieldReader.checkRange("channels", channels, 1, Integer.MAX_VALUE);
      }
    }

    /** RFC 8866 §6.6: audio has one channel unless the encoding parameters say otherwise. */
    public int channelCount() {
      return channels == null ? 1 : channels;
    }

    /** Whether this is {@code name/clockRate/channels}, the name compared case-insensitively. */
    public boolean is(String name, int clockRate, int channels) {
      return encodingName.equalsIgnoreCase(name)
          && this.clockRate == clockRate
          && channelCount() == channels;
    }

    @Override
    public String attributeName() {
      return "rtpmap";
    }

    @Override
    public String attributeValue() {
      String base = payloadType + " " + encodingName + "/" + clockRate;
      return channels == null ? base : base + "/" + channels;
    }
  }

  /** {@code a=fmtp:<pt> <parameters>} (RFC 8866 §6.15); {@code parameters} may be null. */
  record Fmtp(int payloadType, String parameters) implements Attribute {
    public Fmtp {
      FieldReader.checkRange("payload type", payloadType, 0, FieldReader.MAX_PAYLOAD_TYPE);
    }

    /**
     * The {@code key=value} pairs of a {@code ;}-separated parameter list (RFC 7587 §7 style), in
     * order; entries without {@code =} (such as RED's {@code 111/111}) are left out.
     */
    public Map<String, String> parameterMap() {
      var map = new LinkedHashMap<String, String>();
      if (parameters != null) {
        for (String pair : parameters.split(";", -1)) {
          int equals = pair.indexOf('=');
          if (equals > 0) {
            map.putIfAbsent(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
          }
        }
      }
      return map;
    }

    @Override
    public String attributeName() {
      return "fmtp";
    }

    @Override
    public String attributeValue() {
      return parameters == null ? Integer.toString(payloadType) : payloadType + " " + parameters;
    }
  }

  /**
   * {@code a=rtcp-fb:<pt|*> <type> [<parameters>]} (RFC 4585 §4.2), for example {@code 111
   * transport-cc} or {@code 96 nack pli}; {@code *} is {@link #ALL_PAYLOAD_TYPES}.
   */
  record RtcpFeedback(int payloadType, String type, String parameters) implements Attribute {
    /** RFC 4585 §4.2: {@code *} applies the feedback to every payload type of the m-line. */
    public static final int ALL_PAYLOAD_TYPES = -1;

    public RtcpFeedback {
      FieldReader.checkRange(
          "payload type", payloadType, ALL_PAYLOAD_TYPES, FieldReader.MAX_PAYLOAD_TYPE);
      Objects.requireNonNull(type, "type");
    }

    /** Whether this feedback line covers payload type {@code pt}. */
    public boolean appliesTo(int pt) {
      return payloadType == pt || payloadType == ALL_PAYLOAD_TYPES;
    }

    @Override
    public String attributeName() {
      return "rtcp-fb";
    }

    @Override
    public String attributeValue() {
      String pt = payloadType == ALL_PAYLOAD_TYPES ? "*" : Integer.toString(payloadType);
      return parameters == null ? pt + " " + type : pt + " " + type + " " + parameters;
    }
  }

  /**
   * {@code a=extmap:<id>[/<direction>] <uri> [<extension attributes>]} (RFC 8285 §8); {@code
   * direction} and {@code extensionAttributes} may be null.
   */
  record Extmap(int id, Direction direction, String uri, String extensionAttributes)
      implements Attribute {
    public Extmap {
      FieldReader.checkExtmapId(id);
      Objects.requireNonNull(uri, "uri");
    }

    @Override
    public String attributeName() {
      return "extmap";
    }

    @Override
    public String attributeValue() {
      var out = new StringBuilder(80).append(id);
      if (direction != null) {
        out.append('/').append(direction.attributeName());
      }
      out.append(' ').append(uri);
      if (extensionAttributes != null) {
        out.append(' ').append(extensionAttributes);
      }
      return out.toString();
    }
  }

  /**
   * {@code a=ssrc:<ssrc> <attribute>[:<value>]} (RFC 5576 §4.1), for example {@code cname} or
   * {@code msid}; {@code value} may be null.
   */
  record Ssrc(long ssrc, String attribute, String value) implements Attribute {
    public Ssrc {
      FieldReader.checkRange("ssrc", ssrc, 0, FieldReader.MAX_UINT32);
      Objects.requireNonNull(attribute, "attribute");
    }

    @Override
    public String attributeName() {
      return "ssrc";
    }

    @Override
    public String attributeValue() {
      return value == null ? ssrc + " " + attribute : ssrc + " " + attribute + ":" + value;
    }
  }

  /** {@code a=ssrc-group:<semantics> <ssrc>...} (RFC 5576 §4.2), for example FID or SIM. */
  record SsrcGroup(String semantics, List<Long> ssrcs) implements Attribute {
    public SsrcGroup {
      Objects.requireNonNull(semantics, "semantics");
      ssrcs = List.copyOf(ssrcs);
      for (long ssrc : ssrcs) {
        FieldReader.checkRange("ssrc", ssrc, 0, FieldReader.MAX_UINT32);
      }
    }

    @Override
    public String attributeName() {
      return "ssrc-group";
    }

    @Override
    public String attributeValue() {
      var out = new StringBuilder(semantics);
      for (long ssrc : ssrcs) {
        out.append(' ').append(ssrc);
      }
      return out.toString();
    }
  }

  /**
   * {@code a=rid:<id> <send|recv> [pt=<fmt>,...][;<restriction>...]} (RFC 8851 §4 and §10): the
   * {@code pt=} list as {@code payloadTypes} (empty when absent), then the other restrictions such
   * as {@code max-br=64000} as name and value, in order.
   */
  record Rid(
      String id, RidDirection direction, List<Integer> payloadTypes, List<Restriction> restrictions)
      implements Attribute {

    /** RFC 8851 §4: {@code max-br}, the most the stream may send, in bits per second. */
    public static final String MAX_BR = "max-br";

    /** RFC 8851 §10: the name of the payload type list, which comes first when present. */
    static final String PT = "pt";

    /**
     * One {@code <name>[=<value>]} restriction (RFC 8851 §10 {@code rid-param}); {@code value} is
     * null for a bare name. Names are {@code 1*(ALPHA / DIGIT / "-")} but not {@code pt} (that is
     * {@link Rid#payloadTypes()}); values are printable ASCII without {@code ;}.
     */
    public record Restriction(String name, String value) {
      public Restriction {
        if (!isRestrictionName(name) || name.equals(PT)) {
          throw new IllegalArgumentException("bad rid restriction name " + name);
        }
        if (value != null && !isRestrictionValue(value)) {
          throw new IllegalArgumentException("bad value of rid restriction " + name);
        }
      }

      /** RFC 8851 §10: {@code 1*(alpha-numeric / "-")}. */
      static boolean isRestrictionName(String name) {
        if (name == null || name.isEmpty()) {
          return false;
        }
        for (int i = 0; i < name.length(); i++) {
          char c = name.charAt(i);
          if (!(FieldReader.isAlphaNumeric(c) || c == '-')) {
            return false;
          }
        }
        return true;
      }

      /** RFC 8851 §10 {@code param-val}: {@code *( %x20-3A / %x3C-7E )}. */
      static boolean isRestrictionValue(String value) {
        for (int i = 0; i < value.length(); i++) {
          char c = value.charAt(i);
          if (c < 0x20 || c > 0x7E || c == ';') {
            return false;
          }
        }
        return true;
      }
    }

    public Rid {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(direction, "direction");
      payloadTypes = List.copyOf(payloadTypes);
      for (int pt : payloadTypes) {
        FieldReader.checkRange("payload type", pt, 0, FieldReader.MAX_PAYLOAD_TYPE);
      }
      restrictions = List.copyOf(restrictions);
    }

    /** A rid without payload types or restrictions. */
    public Rid(String id, RidDirection direction) {
      this(id, direction, List.of(), List.of());
    }

    /** The first restriction called {@code name}. */
    public Optional<Restriction> restriction(String name) {
      for (Restriction restriction : restrictions) {
        if (restriction.name().equals(name)) {
          return Optional.of(restriction);
        }
      }
      return Optional.empty();
    }

    @Override
    public String attributeName() {
      return "rid";
    }

    @Override
    public String attributeValue() {
      var out = new StringBuilder(32).append(id).append(' ').append(direction.sdpValue());
      char separator = ' ';
      if (!payloadTypes.isEmpty()) {
        out.append(separator).append(PT).append('=');
        for (int i = 0; i < payloadTypes.size(); i++) {
          out.append(i == 0 ? "" : ",").append(payloadTypes.get(i));
        }
        separator = ';';
      }
      for (Restriction restriction : restrictions) {
        out.append(separator).append(restriction.name());
        if (restriction.value() != null) {
          out.append('=').append(restriction.value());
        }
        separator = ';';
      }
      return out.toString();
    }
  }

  /**
   * {@code a=simulcast} (RFC 8853 §5.1): per direction, the simulcast streams in order of
   * decreasing preference, each with its alternative rids.
   */
  record Simulcast(List<Stream> send, List<Stream> receive) implements Attribute {

    /** One simulcast stream ({@code sc-alt-list}): alternative rids, separated by {@code ,}. */
    public record Stream(List<Alternative> alternatives) {
      public Stream {
        alternatives = List.copyOf(alternatives);
        if (alternatives.isEmpty()) {
          throw new IllegalArgumentException("simulcast stream without rid");
        }
      }

      /** A stream of one rid. */
      public static Stream of(String rid, boolean paused) {
        return new Stream(List.of(new Alternative(rid, paused)));
      }

      /** The first alternative, the one the offerer lists first. */
      public Alternative first() {
        return alternatives.get(0);
      }
    }

    /** One rid of a stream ({@code sc-id}); {@code paused} when written {@code ~<rid>}. */
    public record Alternative(String rid, boolean paused) {
      /** RFC 8853 §5.1 {@code sc-id-paused}. */
      static final char PAUSED = '~';

      public Alternative {
        Objects.requireNonNull(rid, "rid");
        if (rid.isEmpty()) {
          throw new IllegalArgumentException("empty simulcast rid");
        }
      }

      String sdpValue() {
        return paused ? PAUSED + rid : rid;
      }
    }

    public Simulcast {
      send = List.copyOf(send);
      receive = List.copyOf(receive);
      if (send.isEmpty() && receive.isEmpty()) {
        throw new IllegalArgumentException("simulcast needs a send or a recv list");
      }
    }

    /** Every rid offered for sending, in order, alternatives included, without pause markers. */
    public List<String> sendRids() {
      var rids = new ArrayList<String>();
      for (Stream stream : send) {
        for (Alternative alternative : stream.alternatives()) {
          rids.add(alternative.rid());
        }
      }
      return rids;
    }

    @Override
    public String attributeName() {
      return "simulcast";
    }

    @Override
    public String attributeValue() {
      var out = new StringBuilder(32);
      if (!send.isEmpty()) {
        out.append("send ").append(streams(send));
      }
      if (!receive.isEmpty()) {
        out.append(out.length() == 0 ? "" : " ").append("recv ").append(streams(receive));
      }
      return out.toString();
    }

    private static String streams(List<Stream> streams) {
      var out = new StringBuilder(16);
      for (int i = 0; i < streams.size(); i++) {
        out.append(i == 0 ? "" : ";");
        List<Alternative> alternatives = streams.get(i).alternatives();
        for (int j = 0; j < alternatives.size(); j++) {
          out.append(j == 0 ? "" : ",").append(alternatives.get(j).sdpValue());
        }
      }
      return out.toString();
    }
  }

  /** Any other attribute, kept verbatim; {@code value} is null for a property attribute. */
  record Other(String name, String value) implements Attribute {
    public Other {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public String attributeName() {
      return name;
    }

    @Override
    public String attributeValue() {
      return value;
    }
  }
}
