package io.cheenhub.sfu.loadgen.janus;

import java.io.IOException;

/** An error Janus reported: a core {@code "janus":"error"} reply or a plugin {@code error_code}. */
public final class JanusException extends IOException {

  private static final long serialVersionUID = 1L;

  private final int code;
  private final String reason;

  JanusException(String what, int code, String reason) {
    super(what + ": Janus error " + code + " (" + reason + ")");
    this.code = code;
    this.reason = reason;
  }

  /** Janus's error code, e.g. 458 (no such session) or 426 (no such room). */
  public int code() {
    return code;
  }

  /** Janus's error text. */
  public String reason() {
    return reason;
  }
}
