package io.cheenhub.sfu.sdp;

/**
 * Reads the space-separated fields of one SDP line value and turns every problem into an {@link
 * SdpParseException} that names the line. No regular expressions and no {@code Integer.parseInt}:
 * numbers are checked digit by digit so nothing but our exception escapes.
 */
final class FieldReader {
  /** Largest UDP/TCP port. */
  static final int MAX_PORT = 65_535;

  /** RTP payload types are 7 bits (RFC 3550 §5.1). */
  static final int MAX_PAYLOAD_TYPE = 127;

  /** SSRCs and ICE priorities are unsigned 32-bit numbers (RFC 3550 §5.1, RFC 8445 §5.1.2). */
  static final long MAX_UINT32 = 0xFFFF_FFFFL;

  /** RFC 8839 §5.1: component-id is 1*3DIGIT and at most 256. */
  static final int MAX_CANDIDATE_COMPONENT = 256;

  /** Most digits read as a number: 19 covers every long (o= session ids use all 63 bits). */
  private static final int MAX_DIGITS = 19;

  private final String text;
  private final int line;
  private final String lineType;
  private final String attributeName;
  private int position;

  /**
   * @param text the value to read
   * @param line 1-based line number for messages, 0 when unknown
   * @param lineType the line being read, for messages, for example {@code m=} or {@code a=}
   * @param attributeName the attribute name after {@code a=}, else empty; kept apart so the message
   *     text is only built when there is an error
   */
  FieldReader(String text, int line, String lineType, String attributeName) {
    this.text = text;
    this.line = line;
    this.lineType = lineType;
    this.attributeName = attributeName;
  }

  /** Whether another field follows. */
  boolean hasNext() {
    skipSpaces();
    return position < text.length();
  }

  /** The next field; {@code what} names it in the message when it is missing. */
  String next(String what) throws SdpParseException {
    skipSpaces();
    if (position >= text.length()) {
      throw error("missing " + what);
    }
    int start = position;
    while (position < text.length() && text.charAt(position) != ' ') {
      position++;
    }
    return text.substring(start, position);
  }

  /**
   * The next field, which must be an RFC 8866 §9 {@code token} (visible ASCII but for a few
   * separators). A tab or any other control character inside would not survive being written and
   * read again: the reader trims line ends and splits only at spaces (a fuzzing finding).
   */
  String nextToken(String what) throws SdpParseException {
    String field = next(what);
    for (int i = 0; i < field.length(); i++) {
      if (!isTokenChar(field.charAt(i))) {
        throw error(what + " " + SdpParseException.quote(field) + " is not a token");
      }
    }
    return field;
  }

  /** The next field as an RFC 8866 §5.14 {@code proto}: tokens separated by {@code /}. */
  String nextProto(String what) throws SdpParseException {
    String field = next(what);
    boolean partStart = true;
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      boolean ok = c == '/' ? !partStart : isTokenChar(c);
      if (!ok) {
        throw error(what + " " + SdpParseException.quote(field) + " is not a protocol");
      }
      partStart = c == '/';
    }
    if (partStart) {
      throw error(what + " " + SdpParseException.quote(field) + " is not a protocol");
    }
    return field;
  }

  /** RFC 8866 §9: token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E. */
  static boolean isTokenChar(char c) {
    return c == 0x21
        || (c >= 0x23 && c <= 0x27)
        || c == 0x2A
        || c == 0x2B
        || c == 0x2D
        || c == 0x2E
        || (c >= 0x30 && c <= 0x39)
        || (c >= 0x41 && c <= 0x5A)
        || (c >= 0x5E && c <= 0x7E);
  }

  /** RFC 5234 ALPHA / DIGIT: an ASCII letter or digit. */
  static boolean isAlphaNumeric(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  /** Everything after the next spaces, verbatim, or null when nothing follows. */
  String rest() {
    skipSpaces();
    String rest = position < text.length() ? text.substring(position) : null;
    position = text.length();
    return rest;
  }

  /** The next field as a number in {@code [min, max]}. */
  long nextNumber(String what, long min, long max) throws SdpParseException {
    return number(next(what), what, min, max);
  }

  /** The next field as an int in {@code [min, max]}. */
  int nextInt(String what, int min, int max) throws SdpParseException {
    return (int) nextNumber(what, min, max);
  }

  /** {@code token} as a number in {@code [min, max]}. */
  long number(String token, String what, long min, long max) throws SdpParseException {
    long value = digits(token);
    if (value < 0) {
      throw error(what + " " + SdpParseException.quote(token) + " is not a number");
    }
    if (value < min || value > max) {
      throw error(what + " " + value + " is outside " + min + ".." + max);
    }
    return value;
  }

  /** Fails when fields are left over. */
  void expectEnd() throws SdpParseException {
    if (hasNext()) {
      throw error("unexpected " + SdpParseException.quote(text.substring(position)));
    }
  }

  /** An exception for this line, the message prefixed with the context. */
  SdpParseException error(String detail) {
    return new SdpParseException(line, lineType + attributeName + ": " + detail);
  }

  private void skipSpaces() {
    while (position < text.length() && text.charAt(position) == ' ') {
      position++;
    }
  }

  /** The value of an all-digit string that fits a long, else -1. */
  static long digits(String token) {
    if (token.isEmpty() || token.length() > MAX_DIGITS) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < '0' || c > '9' || value > (Long.MAX_VALUE - (c - '0')) / 10) {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /** Guards record invariants; the parser checks the same ranges first with a line number. */
  static void checkRange(String what, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(what + " " + value + " is outside " + min + ".." + max);
    }
  }

  /**
   * RFC 8285 §5: ids 1-14 fit the one-byte header and 1-255 the two-byte header. The 4096-4351
   * range that RFC 5285 allowed in offers (for the answerer to remap) is tolerated when reading.
   */
  static boolean isExtmapId(long id) {
    return (id >= 1 && id <= 255) || (id >= 4096 && id <= 4351);
  }

  static void checkExtmapId(int id) {
    if (!isExtmapId(id)) {
      throw new IllegalArgumentException("extmap id " + id + " is outside 1..255 and 4096..4351");
    }
  }
}
