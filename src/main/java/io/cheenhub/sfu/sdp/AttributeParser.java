package io.cheenhub.sfu.sdp;

import java.util.ArrayList;
import java.util.List;

/** Parses the value of one {@code a=} line into its typed {@link Attribute}. */
final class AttributeParser {
  private AttributeParser() {}

  /**
   * @param name text between {@code a=} and the first colon
   * @param value text after the first colon, or null when the line has no colon
   * @param line 1-based line number for messages
   */
  static Attribute parse(String name, String value, int line) throws SdpParseException {
    if (name.isEmpty()) {
      throw new SdpParseException(line, "a= line without attribute name");
    }
    Attribute property = propertyAttribute(name);
    if (property != null) {
      if (value != null) {
        throw new SdpParseException(line, "a=" + name + " takes no value");
      }
      return property;
    }
    var fields = new FieldReader(value == null ? "" : value, line, "a=", name);
    return switch (name) {
      case "group" -> group(fields);
      case "mid" -> new Attribute.Mid(single(fields, "identification tag"));
      case "msid" -> msid(fields);
      case "msid-semantic" -> msidSemantic(fields);
      case "rtcp" -> rtcp(fields);
      case "ice-ufrag" -> new Attribute.IceUfrag(single(fields, "ufrag"));
      case "ice-pwd" -> new Attribute.IcePwd(single(fields, "password"));
      case "ice-options" -> iceOptions(fields);
      case "candidate" -> candidate(fields);
      case "fingerprint" -> fingerprint(fields);
      case "setup" -> setup(fields);
      case "rtpmap" -> rtpmap(fields);
      case "fmtp" -> new Attribute.Fmtp(payloadType(fields), fields.rest());
      case "rtcp-fb" -> rtcpFeedback(fields);
      case "extmap" -> extmap(fields);
      case "ssrc" -> ssrc(fields);
      case "ssrc-group" -> ssrcGroup(fields);
      case "rid" -> rid(fields);
      case "simulcast" -> simulcast(fields);
      default -> new Attribute.Other(name, value);
    };
  }

  /** A trickled candidate: {@code candidate:...}, optionally with {@code a=}, or the bare value. */
  static Attribute.Candidate parseCandidate(String text) throws SdpParseException {
    if (text == null) {
      throw new SdpParseException(0, "a=candidate: missing");
    }
    String value = text.strip();
    if (value.startsWith("a=")) {
      value = value.substring(2);
    }
    if (value.startsWith("candidate:")) {
      value = value.substring("candidate:".length());
    }
    for (int i = 0; i < value.length(); i++) {
      if (value.charAt(i) < 0x20) {
        throw new SdpParseException(0, "a=candidate: control character");
      }
    }
    return candidate(new FieldReader(value, 0, "a=", "candidate"));
  }

  private static Attribute propertyAttribute(String name) {
    Attribute.Flag flag = Attribute.Flag.forName(name);
    return flag != null ? flag : Attribute.Direction.forName(name);
  }

  private static String single(FieldReader fields, String what) throws SdpParseException {
    String token = fields.next(what);
    fields.expectEnd();
    return token;
  }

  private static int payloadType(FieldReader fields) throws SdpParseException {
    return fields.nextInt("payload type", 0, FieldReader.MAX_PAYLOAD_TYPE);
  }

  private static List<String> remainingTokens(FieldReader fields) throws SdpParseException {
    var tokens = new ArrayList<String>();
    while (fields.hasNext()) {
      tokens.add(fields.next("token"));
    }
    return tokens;
  }

  /** RFC 5888 §5: {@code group:<semantics> *(SP identification-tag)}. */
  private static Attribute group(FieldReader fields) throws SdpParseException {
    String semantics = fields.next("semantics");
    return new Attribute.Group(semantics, remainingTokens(fields));
  }

  /** RFC 8830 §2: {@code msid:<id> [<appdata>]}. */
  private static Attribute msid(FieldReader fields) throws SdpParseException {
    String streamId = fields.next("stream id");
    String trackId = fields.hasNext() ? fields.next("track id") : null;
    fields.expectEnd();
    return new Attribute.Msid(streamId, trackId);
  }

  /** libwebrtc writes {@code msid-semantic: WMS ...} with a space; Firefox without. */
  private static Attribute msidSemantic(FieldReader fields) throws SdpParseException {
    String semantic = fields.next("semantic");
    return new Attribute.MsidSemantic(semantic, remainingTokens(fields));
  }

  /** RFC 3605 §2.1: {@code rtcp:<port> [<nettype> <addrtype> <connection-address>]}. */
  private static Attribute rtcp(FieldReader fields) throws SdpParseException {
    int port = fields.nextInt("port", 0, FieldReader.MAX_PORT);
    SessionDescription.Connection connection = null;
    if (fields.hasNext()) {
      connection =
          new SessionDescription.Connection(
              fields.next("network type"), fields.next("address type"), fields.next("address"));
    }
    fields.expectEnd();
    return new Attribute.Rtcp(port, connection);
  }

  /** RFC 8839 §5.6: {@code ice-options:<option> *(SP <option>)}. */
  private static Attribute iceOptions(FieldReader fields) throws SdpParseException {
    List<String> options = remainingTokens(fields);
    if (options.isEmpty()) {
      throw fields.error("missing option");
    }
    return new Attribute.IceOptions(options);
  }

  /**
   * RFC 8839 §5.1: {@code <foundation> <component-id> <transport> <priority> <address> <port> typ
   * <cand-type> [raddr <rel-addr>] [rport <rel-port>] *(<extension-name> <extension-value>)}.
   */
  private static Attribute.Candidate candidate(FieldReader fields) throws SdpParseException {
    String foundation = fields.next("foundation");
    int component = fields.nextInt("component", 1, FieldReader.MAX_CANDIDATE_COMPONENT);
    String transport = fields.next("transport");
    long priority = fields.nextNumber("priority", 0, FieldReader.MAX_UINT32);
    String address = fields.next("address");
    int port = fields.nextInt("port", 0, FieldReader.MAX_PORT);
    String typ = fields.next("'typ'");
    if (!typ.equals("typ")) {
      throw fields.error("expected 'typ', found " + SdpParseException.quote(typ));
    }
    String type = fields.next("candidate type");
    String relatedAddress = null;
    Integer relatedPort = null;
    var extensions = new ArrayList<Attribute.Candidate.Extension>();
    while (fields.hasNext()) {
      String name = fields.next("extension name");
      if (name.equals("raddr") && relatedAddress == null) {
        relatedAddress = fields.next("raddr");
      } else if (name.equals("rport") && relatedPort == null) {
        relatedPort = fields.nextInt("rport", 0, FieldReader.MAX_PORT);
      } else if (name.equals("raddr") || name.equals("rport")) {
        throw fields.error("duplicate " + name);
      } else {
        extensions.add(new Attribute.Candidate.Extension(name, fields.next("value of " + name)));
      }
    }
    return new Attribute.Candidate(
        foundation,
        component,
        transport,
        priority,
        address,
        port,
        type,
        relatedAddress,
        relatedPort,
        extensions);
  }

  /** RFC 8122 §5: {@code fingerprint:<hash-func> <2UHEX *(":" 2UHEX)>}. */
  private static Attribute fingerprint(FieldReader fields) throws SdpParseException {
    String hashFunction = fields.next("hash function");
    String fingerprint = fields.next("fingerprint");
    fields.expectEnd();
    if (!isHexPairs(fingerprint)) {
      throw fields.error("fingerprint is not colon-separated hex pairs");
    }
    return new Attribute.Fingerprint(hashFunction, fingerprint);
  }

  private static boolean isHexPairs(String text) {
    if (text.length() % 3 != 2) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok = i % 3 == 2 ? c == ':' : Character.digit(c, 16) >= 0 && c < 0x80;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** RFC 4145 §4: {@code setup:active|passive|actpass|holdconn}. */
  private static Attribute setup(FieldReader fields) throws SdpParseException {
    String value = single(fields, "role");
    Attribute.Setup setup = Attribute.Setup.forValue(value);
    if (setup == null) {
      throw fields.error("unknown role " + SdpParseException.quote(value));
    }
    return setup;
  }

  /** RFC 8866 §6.6: {@code rtpmap:<pt> <encoding name>/<clock rate>[/<encoding parameters>]}. */
  private static Attribute rtpmap(FieldReader fields) throws SdpParseException {
    int payloadType = payloadType(fields);
    String encoding = fields.next("encoding");
    fields.expectEnd();
    String[] parts = encoding.split("/", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty()) {
      throw fields.error("expected <name>/<clock rate>[/<channels>]");
    }
    int clockRate = (int) fields.number(parts[1], "clock rate", 1, Integer.MAX_VALUE);
    Integer channels =
        parts.length == 3 ? (int) fields.number(parts[2], "channels", 1, Integer.MAX_VALUE) : null;
    return new Attribute.Rtpmap(payloadType, parts[0], clockRate, channels);
  }

  /** RFC 4585 §4.2: {@code rtcp-fb:<pt|*> <type> [<parameters>]}. */
  private static Attribute rtcpFeedback(FieldReader fields) throws SdpParseException {
    String pt = fields.next("payload type");
    int payloadType =
        pt.equals("*")
            ? Attribute.RtcpFeedback.ALL_PAYLOAD_TYPES
            : (int) fields.number(pt, "payload type", 0, FieldReader.MAX_PAYLOAD_TYPE);
    String type = fields.next("feedback type");
    return new Attribute.RtcpFeedback(payloadType, type, fields.rest());
  }

  /** RFC 8285 §8: {@code extmap:<id>["/"<direction>] <uri> [<extension attributes>]}. */
  private static Attribute extmap(FieldReader fields) throws SdpParseException {
    String idField = fields.next("id");
    int slash = idField.indexOf('/');
    String idText = slash < 0 ? idField : idField.substring(0, slash);
    long id = fields.number(idText, "id", 1, 4351);
    if (!FieldReader.isExtmapId(id)) {
      throw fields.error("id " + id + " is outside 1..255 and 4096..4351");
    }
    Attribute.Direction direction = null;
    if (slash >= 0) {
      String directionText = idField.substring(slash + 1);
      direction = Attribute.Direction.forName(directionText);
      if (direction == null) {
        throw fields.error("unknown direction " + SdpParseException.quote(directionText));
      }
    }
    String uri = fields.next("uri");
    return new Attribute.Extmap((int) id, direction, uri, fields.rest());
  }

  /** RFC 5576 §4.1: {@code ssrc:<ssrc-id> <attribute>[:<value>]}. */
  private static Attribute ssrc(FieldReader fields) throws SdpParseException {
    long ssrc = fields.nextNumber("ssrc", 0, FieldReader.MAX_UINT32);
    String attribute = fields.rest();
    if (attribute == null) {
      throw fields.error("missing source attribute");
    }
    int colon = attribute.indexOf(':');
    if (colon == 0) {
      throw fields.error("source attribute without name");
    }
    return colon < 0
        ? new Attribute.Ssrc(ssrc, attribute, null)
        : new Attribute.Ssrc(ssrc, attribute.substring(0, colon), attribute.substring(colon + 1));
  }

  /** RFC 5576 §4.2: {@code ssrc-group:<semantics> *(SP <ssrc-id>)}. */
  private static Attribute ssrcGroup(FieldReader fields) throws SdpParseException {
    String semantics = fields.next("semantics");
    var ssrcs = new ArrayList<Long>();
    while (fields.hasNext()) {
      ssrcs.add(fields.nextNumber("ssrc", 0, FieldReader.MAX_UINT32));
    }
    return new Attribute.SsrcGroup(semantics, ssrcs);
  }

  /**
   * RFC 8851 §10: {@code rid:<rid-id> SP <send|recv> [SP [pt=<fmt>*(,<fmt>)][;<rid-param>]...]}.
   *
   * <p>This reads the structure: the id must be a token, payload types numbers, restriction names
   * {@code 1*(ALPHA / DIGIT / "-")}. Whether the ids and values suit the SFU (RFC 8851 rid-syntax,
   * length, a numeric {@code max-br}) is decided by the negotiation of the m-lines it accepts, so a
   * rid on an m-line the server rejects anyway cannot fail the whole offer.
   */
  private static Attribute rid(FieldReader fields) throws SdpParseException {
    String id = fields.nextToken("rid");
    String directionText = fields.next("direction");
    Attribute.RidDirection direction = Attribute.RidDirection.forValue(directionText);
    if (direction == null) {
      throw fields.error("direction must be send or recv");
    }
    String rest = fields.rest();
    var payloadTypes = new ArrayList<Integer>();
    var restrictions = new ArrayList<Attribute.Rid.Restriction>();
    if (rest != null) {
      String[] params = rest.split(";", -1);
      for (int i = 0; i < params.length; i++) {
        String param = params[i];
        int equals = param.indexOf('=');
        String name = equals < 0 ? param : param.substring(0, equals);
        String value = equals < 0 ? null : param.substring(equals + 1);
        if (name.equals(Attribute.Rid.PT)) {
          if (i != 0 || value == null) {
            throw fields.error("pt=<formats> must come first");
          }
          for (String format : value.split(",", -1)) {
            payloadTypes.add(
                (int) fields.number(format, "payload type", 0, FieldReader.MAX_PAYLOAD_TYPE));
          }
        } else if (!Attribute.Rid.Restriction.isRestrictionName(name)) {
          throw fields.error("restriction " + SdpParseException.quote(param) + " has a bad name");
        } else if (value != null && !Attribute.Rid.Restriction.isRestrictionValue(value)) {
          throw fields.error("restriction " + SdpParseException.quote(name) + " has a bad value");
        } else {
          restrictions.add(new Attribute.Rid.Restriction(name, value));
        }
      }
    }
    return new Attribute.Rid(id, direction, payloadTypes, restrictions);
  }

  /**
   * RFC 8853 §5.1: {@code simulcast:send <streams> [recv <streams>]} or recv first; streams are
   * {@code ;}-separated, alternatives {@code ,}-separated, a paused rid starts with {@code ~}.
   */
  private static Attribute simulcast(FieldReader fields) throws SdpParseException {
    List<Attribute.Simulcast.Stream> send = null;
    List<Attribute.Simulcast.Stream> receive = null;
    while (fields.hasNext()) {
      String direction = fields.next("direction");
      List<Attribute.Simulcast.Stream> streams =
          simulcastStreams(fields, fields.next("stream list"));
      if (direction.equals("send") && send == null) {
        send = streams;
      } else if (direction.equals("recv") && receive == null) {
        receive = streams;
      } else {
        throw fields.error("expected one send and at most one recv list");
      }
    }
    if (send == null && receive == null) {
      throw fields.error("missing send or recv list");
    }
    return new Attribute.Simulcast(
        send == null ? List.of() : send, receive == null ? List.of() : receive);
  }

  private static List<Attribute.Simulcast.Stream> simulcastStreams(FieldReader fields, String list)
      throws SdpParseException {
    var streams = new ArrayList<Attribute.Simulcast.Stream>();
    for (String stream : list.split(";", -1)) {
      var alternatives = new ArrayList<Attribute.Simulcast.Alternative>();
      for (String id : stream.split(",", -1)) {
        boolean paused = !id.isEmpty() && id.charAt(0) == Attribute.Simulcast.Alternative.PAUSED;
        String rid = paused ? id.substring(1) : id;
        if (rid.isEmpty()) {
          throw fields.error("empty rid in " + SdpParseException.quote(list));
        }
        for (int i = 0; i < rid.length(); i++) {
          if (!FieldReader.isTokenChar(rid.charAt(i))) {
            throw fields.error("rid " + SdpParseException.quote(rid) + " is not a token");
          }
        }
        alternatives.add(new Attribute.Simulcast.Alternative(rid, paused));
      }
      streams.add(new Attribute.Simulcast.Stream(alternatives));
    }
    return streams;
  }
}
