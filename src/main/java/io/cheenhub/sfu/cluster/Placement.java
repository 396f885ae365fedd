package io.cheenhub.sfu.cluster;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;

/**
 * Where a room lives: its entry in the grid's room map ({@code sfu.rooms}). The epoch grows by one
 * on every re-placement, and every change is a compare-and-set on the whole entry, so two instances
 * that re-place the same room at once cannot both win.
 *
 * @param owner the id of the instance that holds the room
 * @param url that instance's public signaling base URL
 * @param epoch 1 on the first placement, +1 on each re-placement
 * @param placedMillis when this placement was made (epoch milliseconds): an owner forgets an entry
 *     for a room nobody came to after a grace period
 */
public record Placement(String owner, String url, long epoch, long placedMillis) {

  /** The grid form (compared as a whole by the map's compare-and-set). */
  public String toJson() {
    return Json.createObjectBuilder()
        .add("owner", owner)
        .add("url", url)
        .add("epoch", epoch)
        .add("placedMillis", placedMillis)
        .build()
        .toString();
  }

  /** Reads {@link #toJson()}; null for anything else. */
  public static Placement fromJson(String json) {
    if (json == null) {
      return null;
    }
    try (JsonReader reader = Json.createReader(new StringReader(json))) {
      JsonObject o = reader.readObject();
      return new Placement(
          o.getString("owner"),
          o.getString("url"),
          o.getJsonNumber("epoch").longValue(),
          o.getJsonNumber("placedMillis").longValue());
    } catch (RuntimeException e) {
      return null;
    }
  }
}
