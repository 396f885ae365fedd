package io.cheenhub.sfu.sdp;

/**
 * Writes a {@link SessionDescription} as SDP text: CRLF line ends (RFC 8866 §5), fields in the RFC
 * order, attributes in model order, so {@code parse(write(d))} equals {@code d}.
 */
public final class SdpWriter {
  /** RFC 8866 §5: lines end with CRLF. */
  private static final String CRLF = "\r\n";

  /** Typical size of a browser offer, to size the buffer once. */
  private static final int INITIAL_CAPACITY_CHARS = 2048;

  private SdpWriter() {}

  /**
   * Writes {@code description}.
   *
   * @throws IllegalArgumentException if a value holds a control character (it would split or
   *     corrupt a line, the SDP equivalent of header injection)
   */
  public static String write(SessionDescription description) {
    var out = new StringBuilder(INITIAL_CAPACITY_CHARS);
    line(out, 'v', "0");
    var origin = description.origin();
    line(
        out,
        'o',
        origin.username()
            + " "
            + origin.sessionId()
            + " "
            + origin.sessionVersion()
            + " "
            + origin.netType()
            + " "
            + origin.addressType()
            + " "
            + origin.address());
    line(out, 's', description.sessionName());
    if (description.connection() != null) {
      line(out, 'c', description.connection().sdpValue());
    }
    for (var bandwidth : description.bandwidths()) {
      line(out, 'b', bandwidth.type() + ":" + bandwidth.value());
    }
    line(out, 't', description.timing().start() + " " + description.timing().stop());
    for (Attribute attribute : description.attributes()) {
      attribute(out, attribute);
    }
    for (MediaDescription m : description.media()) {
      media(out, m);
    }
    return out.toString();
  }

  private static void media(StringBuilder out, MediaDescription m) {
    var mline = new StringBuilder(64).append(m.type()).append(' ').append(m.port());
    if (m.portCount() != 1) {
      mline.append('/').append(m.portCount());
    }
    mline.append(' ').append(m.protocol());
    for (String format : m.formats()) {
      mline.append(' ').append(format);
    }
    line(out, 'm', mline.toString());
    if (m.connection() != null) {
      line(out, 'c', m.connection().sdpValue());
    }
    for (var bandwidth : m.bandwidths()) {
      line(out, 'b', bandwidth.type() + ":" + bandwidth.value());
    }
    for (Attribute attribute : m.attributes()) {
      attribute(out, attribute);
    }
  }

  private static void attribute(StringBuilder out, Attribute attribute) {
    String value = attribute.attributeValue();
    line(
        out,
        'a',
        value == null ? attribute.attributeName() : attribute.attributeName() + ":" + value);
  }

  private static void line(StringBuilder out, char type, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t') {
        throw new IllegalArgumentException(
            "control character 0x" + Integer.toHexString(c) + " in " + type + "= line");
      }
    }
    out.append(type).append('=').append(value).append(CRLF);
  }
}
