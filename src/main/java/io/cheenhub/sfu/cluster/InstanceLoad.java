package io.cheenhub.sfu.cluster;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.util.Comparator;

/**
 * One instance's entry in the grid's load map ({@code sfu.load}), written by the instance every
 * heartbeat with a time to live: an entry that expired is an instance that died.
 *
 * @param id the instance's name (unique in the cluster)
 * @param url its public signaling base URL (clients are redirected there)
 * @param participants participants in its rooms now
 * @param rooms rooms it holds now
 * @param cpu its process CPU load (0..1 of the machine), -1 if unknown
 * @param draining true while it drains: no new room goes there
 * @param overloaded true while admission control refuses newcomers there
 * @param heartbeatMillis when the entry was written (epoch milliseconds)
 * @param member its Data Grid member UUID: when the grid sees that member leave, the entry goes at
 *     once instead of at the end of its time to live
 * @param relay its relay UDP address {@code host:port} for cascaded rooms, "" without cascade
 * @param relayKey the base64 secret its relay keys are derived from ({@code RelayKeys}), "" without
 *     cascade; it lives in the grid, which is on a private network (docs/deployment.md)
 */
public record InstanceLoad(
    String id,
    String url,
    int participants,
    int rooms,
    double cpu,
    boolean draining,
    boolean overloaded,
    long heartbeatMillis,
    String member,
    String relay,
    String relayKey) {

  /** An entry without a relay (no cascade). */
  public InstanceLoad(
      String id,
      String url,
      int participants,
      int rooms,
      double cpu,
      boolean draining,
      boolean overloaded,
      long heartbeatMillis,
      String member) {
    this(id, url, participants, rooms, cpu, draining, overloaded, heartbeatMillis, member, "", "");
  }

  /** The order in which instances take new rooms: fewest participants, then least CPU, then id. */
  static final Comparator<InstanceLoad> LEAST_LOADED =
      Comparator.comparingInt(InstanceLoad::participants)
          .thenComparingDouble(InstanceLoad::cpu)
          .thenComparing(InstanceLoad::id);

  /** Whether a new room may be placed here. */
  public boolean takesRooms() {
    return !draining && !overloaded;
  }

  /** The grid form. */
  public String toJson() {
    return Json.createObjectBuilder()
        .add("id", id)
        .add("url", url)
        .add("participants", participants)
        .add("rooms", rooms)
        .add("cpu", cpu)
        .add("draining", draining)
        .add("overloaded", overloaded)
        .add("heartbeatMillis", heartbeatMillis)
        .add("member", member)
        .add("relay", relay)
        .add("relayKey", relayKey)
        .build()
        .toString();
  }

  /** Reads {@link #toJson()}; null for anything else (another version's entry, say). */
  public static InstanceLoad fromJson(String json) {
    if (json == null) {
      return null;
    }
    try (JsonReader reader = Json.createReader(new StringReader(json))) {
      JsonObject o = reader.readObject();
      return new InstanceLoad(
          o.getString("id"),
          o.getString("url"),
          o.getInt("participants"),
          o.getInt("rooms"),
          o.getJsonNumber("cpu").doubleValue(),
          o.getBoolean("draining"),
          o.getBoolean("overloaded"),
          o.getJsonNumber("heartbeatMillis").longValue(),
          o.getString("member", ""),
          o.getString("relay", ""),
          o.getString("relayKey", ""));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
