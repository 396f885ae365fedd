package io.cheenhub.sfu.logging;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One log line per signaling or lifecycle event, readable and machine-readable at once.
 *
 * <p>The message is the event name followed by {@code key=value} pairs ({@code participant joined
 * room=r1 participant=ab12 connection=9f…}), as operators grep it. The same pairs, plus {@code
 * event}, travel as a {@link Map} in the record's parameters: Payara's {@code JSONLogFormatter}
 * (payara/logging-json.properties) writes every entry of a Map parameter as a top-level JSON field,
 * so a log pipeline can index {@code room}, {@code participant}, {@code transport}, {@code
 * connection} and {@code requestId} without parsing the message. Values are never put into a {@link
 * java.text.MessageFormat} pattern, so a display name with braces prints as it is.
 */
public final class EventLog {

  /** Correlation id keys every event uses with the same meaning (docs/troubleshooting.md). */
  public static final String ROOM = "room";

  public static final String PARTICIPANT = "participant";
  public static final String TRANSPORT = "transport";
  public static final String CONNECTION = "connection";
  public static final String REQUEST_ID = "requestId";

  /** The JSON field that names the thread an event happened on (records are written later). */
  public static final String THREAD = "thread";

  /** The JSON field that names the event (the message without its pairs). */
  public static final String EVENT = "event";

  /** Where records go while the application runs; null: straight to the logger (tests, startup). */
  private static volatile LogPump pump;

  private final Logger logger;

  /** Routes every event log's records through {@code pump}, or directly again with null. */
  static void install(LogPump pump) {
    EventLog.pump = pump;
  }

  private EventLog(Logger logger) {
    this.logger = logger;
  }

  /** The event log of {@code owner}, under the owner's logger name. */
  public static EventLog of(Class<?> owner) {
    return new EventLog(Logger.getLogger(owner.getName()));
  }

  public void info(String event, Object... keyValues) {
    log(Level.INFO, event, null, keyValues);
  }

  public void warning(String event, Object... keyValues) {
    log(Level.WARNING, event, null, keyValues);
  }

  public void fine(String event, Object... keyValues) {
    log(Level.FINE, event, null, keyValues);
  }

  /**
   * Logs {@code event} with alternating keys and values; null values are left out. Nothing is built
   * when the level is off.
   */
  public void log(Level level, String event, Throwable thrown, Object... keyValues) {
    if (!logger.isLoggable(level)) {
      return;
    }
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values must come in pairs: " + event);
    }
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(EVENT, event);
    var message = new StringBuilder(event);
    for (int i = 0; i < keyValues.length; i += 2) {
      Object value = keyValues[i + 1];
      if (value == null) {
        continue;
      }
      String key = String.valueOf(keyValues[i]);
      String text = String.valueOf(value);
      fields.put(key, text);
      message.append(' ').append(key).append('=').append(quoteIfNeeded(text));
    }
    var record = new LogRecord(level, messageFormatSafe(message.toString()));
    record.setLoggerName(logger.getName());
    // The caller is the owner class; without this JUL would name EventLog.log as the source.
    record.setSourceClassName(logger.getName());
    record.setSourceMethodName(null);
    record.setParameters(
        message.indexOf("{") < 0 ? new Object[] {fields} : new Object[] {"", fields});
    record.setThrown(thrown);
    LogPump current = pump;
    if (current == null) {
      logger.log(record);
    } else {
      // The thread that logs it: formatters name the pump's thread, which says nothing.
      fields.put(THREAD, Thread.currentThread().getName());
      current.offer(logger, record);
    }
  }

  /**
   * Formatters (Payara's, JUL's) run a message through {@link java.text.MessageFormat} when it
   * contains {@code "{0"}; a client's {@code requestId} or display name could. Such a message is
   * escaped for MessageFormat and ends in a {@code {0}} whose parameter is empty, so every
   * formatter prints the text as it was; the fields Map is then the second parameter.
   */
  static String messageFormatSafe(String text) {
    if (text.indexOf('{') < 0) {
      return text;
    }
    return text.replace("'", "''").replace("{", "'{'") + "{0}";
  }

  /** Values with spaces, quotes or '=' are quoted so {@code key=value} stays parseable. */
  static String quoteIfNeeded(String value) {
    if (!value.isEmpty() && value.chars().noneMatch(c -> c == ' ' || c == '"' || c == '=')) {
      return value;
    }
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
