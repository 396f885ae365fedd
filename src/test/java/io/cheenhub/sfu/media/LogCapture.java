package io.cheenhub.sfu.media;

import io.cheenhub.sfu.packet.SerialQueue;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects warnings of the packet path: a handler that throws on a worker is caught and logged by
 * {@link SerialQueue}, so "no exception" means "nothing logged here".
 */
final class LogCapture extends Handler implements AutoCloseable {

  private static final List<String> LOGGERS =
      List.of(SerialQueue.class.getName(), Subscriber.class.getName());

  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  LogCapture() {
    setLevel(Level.WARNING);
    LOGGERS.forEach(name -> Logger.getLogger(name).addHandler(this));
  }

  List<LogRecord> records() {
    return records;
  }

  @Override
  public void publish(LogRecord record) {
    if (isLoggable(record)) {
      records.add(record);
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    LOGGERS.forEach(name -> Logger.getLogger(name).removeHandler(this));
  }
}
