package io.cheenhub.sfu.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads SDP (RFC 8866) as WebRTC peers write it (JSEP, RFC 8829): CRLF or LF line ends, trailing
 * blanks and empty lines tolerated, every attribute kept in order.
 *
 * <p>Strict where a mistake would matter: the first line must be {@code v=0}; {@code o=}, {@code
 * s=} and one {@code t=} are required; numbers are range-checked; an unknown line type fails (RFC
 * 8866 §5); known attributes must follow their grammar. {@code i= u= e= p= r= z= k=} are skipped:
 * JSEP (RFC 8829 §5.2.1) says they are not useful and must not carry keys. Input size, line count
 * and m-line count are capped, so the work is linear in the input and bounded.
 */
public final class SdpParser {
  /**
   * Longest input accepted, in chars (SDP is ASCII in practice, so about bytes). A browser's
   * subscribe answer grows by about 0.7 KiB per remote publisher, so this covers {@link
   * #MAX_MEDIA_SECTIONS} with room to spare.
   */
  public static final int MAX_SDP_CHARS = 128 * 1024;

  /** Most lines accepted, empty ones included; about 25 per audio m-line in browser SDP. */
  public static final int MAX_LINES = 4096;

  /** Most m-lines accepted; one per remote publisher on a subscribe PeerConnection. */
  public static final int MAX_MEDIA_SECTIONS = 128;

  private SdpParser() {}

  /** Parses one session description; the only exception is {@link SdpParseException}. */
  public static SessionDescription parse(String sdp) throws SdpParseException {
    if (sdp == null || sdp.isEmpty()) {
      throw new SdpParseException(0, "empty SDP");
    }
    if (sdp.length() > MAX_SDP_CHARS) {
      throw new SdpParseException(
          0, "SDP is " + sdp.length() + " chars, more than the limit of " + MAX_SDP_CHARS);
    }
    var session = new SessionState();
    int lineNumber = 0;
    int start = 0;
    while (start < sdp.length()) {
      int newline = sdp.indexOf('\n', start);
      int end = newline < 0 ? sdp.length() : newline;
      lineNumber++;
      if (lineNumber > MAX_LINES) {
        throw new SdpParseException(lineNumber, "more than " + MAX_LINES + " lines");
      }
      String line = trimLineEnd(sdp, start, end);
      start = end + 1;
      if (!line.isEmpty()) {
        session.accept(line, lineNumber);
      }
    }
    return session.build(lineNumber);
  }

  /** The line without its CR and trailing blanks. */
  private static String trimLineEnd(String sdp, int start, int end) {
    int last = end;
    while (last > start) {
      char c = sdp.charAt(last - 1);
      if (c != '\r' && c != ' ' && c != '\t') {
        break;
      }
      last--;
    }
    return sdp.substring(start, last);
  }

  /** The session being read, line by line. */
  private static final class SessionState {
    private boolean seenVersion;
    private SessionDescription.Origin origin;
    private String sessionName;
    private SessionDescription.Timing timing;
    private SessionDescription.Connection connection;
    private final List<SessionDescription.Bandwidth> bandwidths = new ArrayList<>();
    private final List<Attribute> attributes = new ArrayList<>();
    private final List<MediaDescription> media = new ArrayList<>();
    private MediaState current;

    void accept(String line, int lineNumber) throws SdpParseException {
      checkCharacters(line, lineNumber);
      if (line.length() < 2 || line.charAt(1) != '=') {
        throw new SdpParseException(
            lineNumber, "expected <type>=<value>, found " + SdpParseException.quote(line));
      }
      char type = line.charAt(0);
      String value = line.substring(2);
      if (!seenVersion) {
        if (type != 'v') {
          throw new SdpParseException(lineNumber, "SDP must start with v=0");
        }
        if (!value.equals("0")) {
          throw new SdpParseException(
              lineNumber, "unsupported version " + SdpParseException.quote(value));
        }
        seenVersion = true;
        return;
      }
      switch (type) {
        case 'v' -> throw new SdpParseException(lineNumber, "second v= line");
        case 'o' -> origin(value, lineNumber);
        case 's' -> sessionName(value, lineNumber);
        case 't' -> timing(value, lineNumber);
        case 'c' -> connection(value, lineNumber);
        case 'b' -> bandwidth(value, lineNumber);
        case 'm' -> media(value, lineNumber);
        case 'a' -> attribute(value, lineNumber);
        case 'i', 'u', 'e', 'p', 'r', 'z', 'k' -> {
          // Not used by WebRTC (RFC 8829 §5.2.1); read past them.
        }
        default ->
            throw new SdpParseException(
                lineNumber, "unknown line type " + SdpParseException.quote(type + "="));
      }
    }

    /**
     * RFC 8866 §9 forbids NUL, CR and LF inside a line. Other C0 controls are legal there but no
     * WebRTC stack sends them and they only confuse logs, so they are refused too (TAB excepted).
     */
    private static void checkCharacters(String line, int lineNumber) throws SdpParseException {
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (c < 0x20 && c != '\t') {
          throw new SdpParseException(
              lineNumber, "control character 0x" + Integer.toHexString(c) + " in line");
        }
      }
    }

    private void requireSessionLevel(char type, int lineNumber) throws SdpParseException {
      if (current != null) {
        throw new SdpParseException(lineNumber, type + "= line inside a media section");
      }
    }

    /** RFC 8866 §5.2: {@code o=<username> <sess-id> <sess-version> <nettype> <addrtype> <addr>}. */
    private void origin(String value, int lineNumber) throws SdpParseException {
      requireSessionLevel('o', lineNumber);
      if (origin != null) {
        throw new SdpParseException(lineNumber, "second o= line");
      }
      var fields = new FieldReader(value, lineNumber, "o=", "");
      String username = fields.next("username");
      long sessionId = fields.nextNumber("session id", 0, Long.MAX_VALUE);
      long sessionVersion = fields.nextNumber("session version", 0, Long.MAX_VALUE);
      String netType = fields.next("network type");
      String addressType = fields.next("address type");
      String address = fields.next("address");
      fields.expectEnd();
      origin =
          new SessionDescription.Origin(
              username, sessionId, sessionVersion, netType, addressType, address);
    }

    private void sessionName(String value, int lineNumber) throws SdpParseException {
      requireSessionLevel('s', lineNumber);
      if (sessionName != null) {
        throw new SdpParseException(lineNumber, "second s= line");
      }
      sessionName = value;
    }

    /** RFC 8866 §5.9: {@code t=<start> <stop>}; WebRTC sends exactly one, {@code t=0 0}. */
    private void timing(String value, int lineNumber) throws SdpParseException {
      requireSessionLevel('t', lineNumber);
      if (timing != null) {
        throw new SdpParseException(lineNumber, "more than one t= line is not supported");
      }
      var fields = new FieldReader(value, lineNumber, "t=", "");
      long startTime = fields.nextNumber("start time", 0, Long.MAX_VALUE);
      long stopTime = fields.nextNumber("stop time", 0, Long.MAX_VALUE);
      fields.expectEnd();
      timing = new SessionDescription.Timing(startTime, stopTime);
    }

    /** RFC 8866 §5.7: {@code c=<nettype> <addrtype> <connection-address>}, once per level. */
    private void connection(String value, int lineNumber) throws SdpParseException {
      var fields = new FieldReader(value, lineNumber, "c=", "");
      var parsed =
          new SessionDescription.Connection(
              fields.next("network type"), fields.next("address type"), fields.next("address"));
      fields.expectEnd();
      if (current == null) {
        if (connection != null) {
          throw new SdpParseException(lineNumber, "second session-level c= line");
        }
        connection = parsed;
      } else {
        if (current.connection != null) {
          throw new SdpParseException(lineNumber, "second c= line in media section");
        }
        current.connection = parsed;
      }
    }

    /** RFC 8866 §5.8: {@code b=<bwtype>:<bandwidth>}. */
    private void bandwidth(String value, int lineNumber) throws SdpParseException {
      var fields = new FieldReader(value, lineNumber, "b=", "");
      int colon = value.indexOf(':');
      if (colon <= 0) {
        throw fields.error("expected <type>:<bandwidth>");
      }
      long amount = fields.number(value.substring(colon + 1), "bandwidth", 0, Long.MAX_VALUE);
      var parsed = new SessionDescription.Bandwidth(value.substring(0, colon), amount);
      (current == null ? bandwidths : current.bandwidths).add(parsed);
    }

    /** RFC 8866 §5.14: {@code m=<media> <port>[/<number of ports>] <proto> 1*(SP <fmt>)}. */
    private void media(String value, int lineNumber) throws SdpParseException {
      if (origin == null || sessionName == null || timing == null) {
        throw new SdpParseException(lineNumber, "o=, s= and t= must come before the first m=");
      }
      finishMedia();
      if (media.size() == MAX_MEDIA_SECTIONS) {
        throw new SdpParseException(lineNumber, "more than " + MAX_MEDIA_SECTIONS + " m-lines");
      }
      var fields = new FieldReader(value, lineNumber, "m=", "");
      String type = fields.nextToken("media type");
      String portField = fields.next("port");
      int slash = portField.indexOf('/');
      int port =
          (int)
              fields.number(
                  slash < 0 ? portField : portField.substring(0, slash),
                  "port",
                  0,
                  FieldReader.MAX_PORT);
      int portCount =
          slash < 0
              ? 1
              : (int)
                  fields.number(
                      portField.substring(slash + 1), "number of ports", 1, FieldReader.MAX_PORT);
      String protocol = fields.nextProto("protocol");
      var formats = new ArrayList<String>();
      boolean rtp = MediaDescription.isRtp(protocol);
      while (fields.hasNext()) {
        String format = fields.nextToken("format");
        if (rtp) {
          fields.number(format, "payload type", 0, FieldReader.MAX_PAYLOAD_TYPE);
        }
        formats.add(format);
      }
      if (formats.isEmpty()) {
        throw fields.error("missing format");
      }
      current = new MediaState(type, port, portCount, protocol, formats);
    }

    private void attribute(String value, int lineNumber) throws SdpParseException {
      int colon = value.indexOf(':');
      String name = colon < 0 ? value : value.substring(0, colon);
      String attributeValue = colon < 0 ? null : value.substring(colon + 1);
      Attribute parsed = AttributeParser.parse(name, attributeValue, lineNumber);
      (current == null ? attributes : current.attributes).add(parsed);
    }

    private void finishMedia() {
      if (current != null) {
        media.add(current.build());
        current = null;
      }
    }

    SessionDescription build(int lastLine) throws SdpParseException {
      if (!seenVersion) {
        throw new SdpParseException(0, "empty SDP");
      }
      if (origin == null) {
        throw new SdpParseException(lastLine, "SDP ends without an o= line");
      }
      if (sessionName == null) {
        throw new SdpParseException(lastLine, "SDP ends without an s= line");
      }
      if (timing == null) {
        throw new SdpParseException(lastLine, "SDP ends without a t= line");
      }
      finishMedia();
      return new SessionDescription(
          origin, sessionName, timing, connection, bandwidths, attributes, media);
    }
  }

  /** One m-line being read. */
  private static final class MediaState {
    private final String type;
    private final int port;
    private final int portCount;
    private final String protocol;
    private final List<String> formats;
    private SessionDescription.Connection connection;
    private final List<SessionDescription.Bandwidth> bandwidths = new ArrayList<>();
    private final List<Attribute> attributes = new ArrayList<>();

    MediaState(String type, int port, int portCount, String protocol, List<String> formats) {
      this.type = type;
      this.port = port;
      this.portCount = portCount;
      this.protocol = protocol;
      this.formats = formats;
    }

    MediaDescription build() {
      return new MediaDescription(
          type, port, portCount, protocol, formats, connection, bandwidths, attributes);
    }
  }
}
