package io.cheenhub.sfu.auth;

import java.util.Set;

/**
 * Who a verified token says the caller is, and what it may do.
 *
 * @param subject the token's {@code sub}: the user, for the rooms-per-user limit
 * @param room the room id the token is for, or {@link #ANY_ROOM}
 * @param name display name to use instead of the client's, or null
 * @param permissions what the caller may do there ({@link #JOIN}, {@link #PUBLISH}, ...)
 */
public record Identity(String subject, String room, String name, Set<String> permissions) {

  /** The {@code room} claim value that allows every room. */
  public static final String ANY_ROOM = "*";

  /** Permission to join a room (and hear nothing unless also {@link #SUBSCRIBE}). */
  public static final String JOIN = "join";

  /** Permission to send audio ({@code publishOffer}). */
  public static final String PUBLISH = "publish";

  /** Permission to receive audio ({@code subscribe}). */
  public static final String SUBSCRIBE = "subscribe";

  /**
   * Permission to use the REST API ({@code /api}: rooms, names, stats, drain); only with {@code
   * room} {@link #ANY_ROOM}, since the API spans every room.
   */
  public static final String OPERATOR = "operator";

  public Identity {
    permissions = Set.copyOf(permissions);
  }

  /** Fails with {@link AuthFailure#FORBIDDEN} unless this identity may {@code permission} in it. */
  public void authorize(String roomId, String permission) throws AuthException {
    if (!room.equals(ANY_ROOM) && !room.equals(roomId)) {
      throw new AuthException(
          AuthFailure.FORBIDDEN, "the token is for room " + room + ", not " + roomId);
    }
    if (!permissions.contains(permission)) {
      throw new AuthException(
          AuthFailure.FORBIDDEN, "the token does not grant the " + permission + " permission");
    }
  }
}
