package io.cheenhub.sfu.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventLogTest {

  private final Logger logger = Logger.getLogger(EventLogTest.class.getName());
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void capture() {
    logger.addHandler(handler);
    logger.setLevel(Level.INFO);
  }

  @AfterEach
  void release() {
    logger.removeHandler(handler);
  }

  @Test
  void anEventIsAReadableLineAndAMapOfFields() {
    EventLog.of(EventLogTest.class)
        .info("participant joined", "room", "r1", "participant", "p1", "requestId", null);

    LogRecord record = records.get(0);
    assertThat(new SimpleFormatter().formatMessage(record))
        .isEqualTo("participant joined room=r1 participant=p1");
    assertThat(fields(record))
        .containsExactly(
            Map.entry("event", "participant joined"),
            Map.entry("room", "r1"),
            Map.entry("participant", "p1"));
  }

  @Test
  void clientTextWithBracesAndQuotesPrintsAsItWas() {
    EventLog.of(EventLogTest.class)
        .info("participant joined", "requestId", "{0}'x", "name", "Ada {1} it's");

    LogRecord record = records.get(0);
    assertThat(new SimpleFormatter().formatMessage(record))
        .isEqualTo("participant joined requestId={0}'x name=\"Ada {1} it's\"");
    assertThat(fields(record)).containsEntry("requestId", "{0}'x");
  }

  @Test
  void nothingIsBuiltBelowTheLevel() {
    EventLog.of(EventLogTest.class).fine("transport created", "transport", "t1");
    assertThat(records).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> fields(LogRecord record) {
    for (Object parameter : record.getParameters()) {
      if (parameter instanceof Map<?, ?> map) {
        return (Map<String, String>) map;
      }
    }
    throw new AssertionError("no fields map");
  }
}
