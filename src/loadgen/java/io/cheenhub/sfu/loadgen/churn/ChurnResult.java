package io.cheenhub.sfu.loadgen.churn;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/** What a churn run checked and what it found, shared by all its clients. */
final class ChurnResult {

  /** Bad answers kept with their bytes for the report. */
  private static final int MAX_SAMPLES = 20;

  final LongAdder httpAnswers = new LongAdder();
  final LongAdder httpBad = new LongAdder();
  final LongAdder httpUnanswered = new LongAdder();
  final LongAdder httpErrors = new LongAdder();

  final LongAdder wsConnections = new LongAdder();
  final LongAdder wsUpgradeBad = new LongAdder();
  final LongAdder wsRefused = new LongAdder();
  final LongAdder wsFrames = new LongAdder();
  final LongAdder wsForeignFrames = new LongAdder();
  final LongAdder wsBadFrames = new LongAdder();
  final LongAdder wsErrors = new LongAdder();
  final LongAdder joins = new LongAdder();
  final LongAdder joinsRefused = new LongAdder();
  final LongAdder joinsUnanswered = new LongAdder();
  final LongAdder pings = new LongAdder();
  final LongAdder pingsUnanswered = new LongAdder();
  final LongAdder lateAnswers = new LongAdder();
  final LongAccumulator slowestAnswerMs = new LongAccumulator(Math::max, 0);
  final Map<CloseMode, LongAdder> closes = new EnumMap<>(CloseMode.class);

  private final List<String> samples = new ArrayList<>();

  ChurnResult() {
    for (CloseMode mode : CloseMode.values()) {
      closes.put(mode, new LongAdder());
    }
  }

  /** A reply to a join, ping or leave arrived after {@code millis}. */
  void answered(long millis, long lateMillis) {
    slowestAnswerMs.accumulate(millis);
    if (millis > lateMillis) {
      lateAnswers.increment();
    }
  }

  /** Keeps a description of something bad (the first {@link #MAX_SAMPLES}). */
  synchronized void sample(String what) {
    if (samples.size() < MAX_SAMPLES) {
      samples.add(what);
    }
  }

  /** Everything that must be zero for a pass. */
  long failures() {
    return httpBad.sum()
        + httpUnanswered.sum()
        + wsUpgradeBad.sum()
        + wsForeignFrames.sum()
        + wsBadFrames.sum()
        + joinsUnanswered.sum()
        + pingsUnanswered.sum();
  }

  synchronized JsonObject toJson(JsonObjectBuilder server) {
    var byMode = Json.createObjectBuilder();
    closes.forEach((mode, count) -> byMode.add(mode.wireName(), count.sum()));
    var bad = Json.createArrayBuilder();
    samples.forEach(bad::add);
    return Json.createObjectBuilder()
        .add("httpAnswers", httpAnswers.sum())
        .add("httpBad", httpBad.sum())
        .add("httpUnanswered", httpUnanswered.sum())
        .add("httpConnectionErrors", httpErrors.sum())
        .add("wsConnections", wsConnections.sum())
        .add("wsUpgradeBad", wsUpgradeBad.sum())
        .add("wsRefused", wsRefused.sum())
        .add("wsFrames", wsFrames.sum())
        .add("wsForeignFrames", wsForeignFrames.sum())
        .add("wsBadFrames", wsBadFrames.sum())
        .add("wsConnectionErrors", wsErrors.sum())
        .add("joins", joins.sum())
        .add("joinsRefused", joinsRefused.sum())
        .add("joinsUnanswered", joinsUnanswered.sum())
        .add("pings", pings.sum())
        .add("pingsUnanswered", pingsUnanswered.sum())
        .add("lateAnswers", lateAnswers.sum())
        .add("slowestAnswerMs", slowestAnswerMs.get())
        .add("closes", byMode)
        .add("server", server)
        .add("failures", failures())
        .add("samples", bad)
        .build();
  }

  /** Bytes as printable ASCII with {@code \xNN} escapes, at most 300 of them. */
  static String escape(byte[] bytes) {
    var text = new StringBuilder();
    for (int i = 0; i < Math.min(bytes.length, 300); i++) {
      int b = bytes[i] & 0xFF;
      if (b >= 0x20 && b < 0x7F && b != '\\') {
        text.append((char) b);
      } else if (b == '\r') {
        text.append("\\r");
      } else if (b == '\n') {
        text.append("\\n");
      } else {
        text.append(String.format("\\x%02x", b));
      }
    }
    return bytes.length > 300 ? text.append("…").toString() : text.toString();
  }
}
