package io.cheenhub.sfu.room;

/** A join that the registry refused; {@link #reason()} says why. */
public final class JoinRejectedException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why a join was refused. */
  public enum Reason {
    /** The room id does not match {@code [A-Za-z0-9-]{1,100}}. */
    INVALID_ROOM_ID,
    /** The display name is empty, too long or contains control characters. */
    INVALID_DISPLAY_NAME,
    /** The room already holds the configured maximum of participants. */
    ROOM_FULL
  }

  private final Reason reason;

  JoinRejectedException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  /** Why the join was refused. */
  public Reason reason() {
    return reason;
  }
}
