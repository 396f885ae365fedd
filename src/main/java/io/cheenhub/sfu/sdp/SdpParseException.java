package io.cheenhub.sfu.sdp;

/** The text is not SDP we can read; the message names the offending line. */
public final class SdpParseException extends SdpException {
  private static final long serialVersionUID = 1L;

  /** Longest piece of the input quoted in a message, in chars; keeps hostile input out of logs. */
  private static final int MAX_QUOTED_CHARS = 40;

  private final int lineNumber;

  /**
   * @param lineNumber 1-based line of the problem, or 0 when it concerns the whole input
   */
  SdpParseException(int lineNumber, String detail) {
    super(SdpErrorCode.MALFORMED, lineNumber > 0 ? "line " + lineNumber + ": " + detail : detail);
    this.lineNumber = lineNumber;
  }

  /** The 1-based line of the problem, or 0 when it concerns the whole input. */
  public int lineNumber() {
    return lineNumber;
  }

  /** Quotes a piece of untrusted input for a message: shortened, control characters masked. */
  static String quote(String text) {
    var out = new StringBuilder(Math.min(text.length(), MAX_QUOTED_CHARS) + 5).append('\'');
    for (int i = 0; i < text.length() && i < MAX_QUOTED_CHARS; i++) {
      char c = text.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    if (text.length() > MAX_QUOTED_CHARS) {
      out.append("...");
    }
    return out.append('\'').toString();
  }
}
