package io.cheenhub.sfu.loadgen.churn;

import java.util.Locale;

/** The ways a churn client's connection ends: every way a real network ends one. */
enum CloseMode {
  /** A close frame, the server's close frame read back, then FIN. */
  CLEAN,
  /** {@code leave}, its {@code left}, then a clean close. */
  LEAVE_THEN_CLOSE,
  /** FIN without a close frame (a tab killed by the OS, a proxy timing out). */
  FIN,
  /** RST without a close frame (a crashed process, a NAT dropping state). */
  RST,
  /** A burst of requests, then RST at once, while the server is still writing the answers. */
  RST_WHILE_WRITING,
  /** A client that stops reading (tiny receive buffer) while asking for more, then FIN. */
  STOP_READING,
  /** Half an upgrade request, then FIN. */
  HANDSHAKE_HALF,
  /** A whole upgrade request, then RST before the 101 is read. */
  HANDSHAKE_RST;

  String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
