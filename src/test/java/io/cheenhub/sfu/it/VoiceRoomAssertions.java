package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.HashSet;
import java.util.Set;

/** Checks on what the voice-room driver reports that listeners heard (issue 5). */
final class VoiceRoomAssertions {

  /** Issue 5: a heard tone is within 10 Hz of the sent one. */
  static final double HZ_TOLERANCE = 10;

  /**
   * The driver's "carries a tone" threshold; its own tone must be this far below a track's peak.
   */
  static final double HEARD_DB = -50;

  static final double OWN_TONE_BELOW_PEAK_DB = 20;

  private VoiceRoomAssertions() {}

  static void assertPassed(String name, JsonObject scenario) {
    assertThat(scenario.getBoolean("ok", false))
        .as("scenario %s: %s", name, scenario.getString("error", ""))
        .isTrue();
  }

  /**
   * Every listener in {@code scenario.heard} heard exactly the other participants of {@code
   * scenario.tones}, each at its own tone (±10 Hz), loud enough, and its own tone on none of them.
   */
  static void assertEveryoneHeardTheOthers(String name, JsonObject scenario, int participants) {
    JsonObject tones = scenario.getJsonObject("tones");
    JsonObject heard = scenario.getJsonObject("heard");
    assertThat(tones.keySet()).as("%s: participants", name).hasSize(participants);
    assertThat(heard.keySet()).as("%s: listeners", name).isEqualTo(tones.keySet());
    for (String listener : heard.keySet()) {
      Set<String> others = new HashSet<>(tones.keySet());
      others.remove(listener);
      Set<String> from = new HashSet<>();
      for (JsonValue v : heard.getJsonArray(listener)) {
        JsonObject track = v.asJsonObject();
        String speaker = track.getString("from");
        from.add(speaker);
        double sent = tones.getJsonNumber(speaker).doubleValue();
        double peakDb = track.getJsonNumber("peakDb").doubleValue();
        assertThat(track.getJsonNumber("peakHz").doubleValue())
            .as("%s: %s hears %s (sent %s Hz)", name, listener, speaker, sent)
            .isBetween(sent - HZ_TOLERANCE, sent + HZ_TOLERANCE);
        assertThat(peakDb)
            .as("%s: level of %s at %s", name, speaker, listener)
            .isGreaterThan(HEARD_DB);
        assertThat(track.getJsonNumber("ownToneDb").doubleValue())
            .as("%s: %s's own tone on the track of %s", name, listener, speaker)
            .isLessThan(peakDb - OWN_TONE_BELOW_PEAK_DB);
      }
      assertThat(from).as("%s: whom %s hears", name, listener).isEqualTo(others);
    }
  }

  static void assertCounts(
      JsonObject counts, String what, int roomParticipants, int transportsActive) {
    assertThat(counts.getInt("roomParticipants"))
        .as("%s: participants", what)
        .isEqualTo(roomParticipants);
    assertThat(counts.getInt("transportsActive"))
        .as("%s: transports", what)
        .isEqualTo(transportsActive);
  }
}
