package io.cheenhub.sfu.cluster;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;

/**
 * One participant of a cascaded room as its own instance announces it on the Data Grid ({@code
 * sfu.cascade}, key {@link #key}): the other instances that have the room open show it to their
 * clients and take its audio from the relay. The key ends with the instance's grid member UUID, so
 * that the entries of a member that left the grid are removed in one step ({@link #ofMember}).
 *
 * @param room the room id
 * @param id the participant id
 * @param name its display name
 * @param instance the instance it is connected to
 * @param member that instance's grid member UUID (an entry of an earlier life of the instance is
 *     stale)
 * @param span the token the instance drew when it opened the room ({@code RelayKeys})
 * @param ssrc its audio's SSRC on the relay, 0 while it does not publish
 * @param muted whether it muted its microphone
 */
public record CascadeMember(
    String room,
    String id,
    String name,
    String instance,
    String member,
    String span,
    int ssrc,
    boolean muted) {

  /**
   * The grid key of participant {@code id} of room {@code room} on grid member {@code member} (room
   * ids have no slash, participant ids no slash and no percent sign).
   */
  public static String key(String room, String id, String member) {
    return room + "/" + id + "/" + member;
  }

  /** A LIKE pattern on the key: every entry of grid member {@code member}. */
  static String ofMember(String member) {
    return "%/" + member;
  }

  /** The key prefix of every participant of {@code room}. */
  static String prefix(String room) {
    return room + "/";
  }

  String key() {
    return key(room, id, member);
  }

  CascadeMember withSsrc(int newSsrc) {
    return new CascadeMember(room, id, name, instance, member, span, newSsrc, muted);
  }

  CascadeMember withMuted(boolean newMuted) {
    return new CascadeMember(room, id, name, instance, member, span, ssrc, newMuted);
  }

  /** The grid form. */
  String toJson() {
    return Json.createObjectBuilder()
        .add("room", room)
        .add("id", id)
        .add("name", name)
        .add("instance", instance)
        .add("member", member)
        .add("span", span)
        .add("ssrc", ssrc)
        .add("muted", muted)
        .build()
        .toString();
  }

  /** Reads {@link #toJson()}; null for anything else. */
  static CascadeMember fromJson(String json) {
    if (json == null) {
      return null;
    }
    try (JsonReader reader = Json.createReader(new StringReader(json))) {
      JsonObject o = reader.readObject();
      return new CascadeMember(
          o.getString("room"),
          o.getString("id"),
          o.getString("name"),
          o.getString("instance"),
          o.getString("member"),
          o.getString("span"),
          o.getInt("ssrc"),
          o.getBoolean("muted"));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
