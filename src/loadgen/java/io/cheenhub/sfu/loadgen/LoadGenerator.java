package io.cheenhub.sfu.loadgen;

import io.cheenhub.sfu.loadgen.server.ProcessStats;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The load generator's entry point: {@code java -jar target/cheenhub-loadgen.jar --help}. Exit
 * status 0 when every bot connected and nothing was lost, 1 otherwise, 2 for bad options.
 */
public final class LoadGenerator {

  /**
   * The transport classes log every DTLS session at INFO; a thousand bots would drown the table.
   * Held here: JUL keeps loggers weakly, and a collected one forgets its level.
   */
  private static final Logger TRANSPORT_LOG = Logger.getLogger("io.cheenhub");

  private static final Logger JITSI_LOG = Logger.getLogger("org.jitsi");

  private LoadGenerator() {}

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println(e.getMessage());
      }
      System.err.print(Options.USAGE);
      System.exit(2);
      return;
    }
    Result result = run(options);
    result.print(System.out);
    if (options.json() != null) {
      result.writeJson(options.json());
      System.out.println("  result written to " + options.json());
    }
    System.exit(result.failed + result.failedToStart == 0 && result.lost == 0 ? 0 : 1);
  }

  /** Runs once and returns the result (the smoke test calls this directly). */
  static Result run(Options options) throws Exception {
    TRANSPORT_LOG.setLevel(Level.WARNING);
    JITSI_LOG.setLevel(Level.WARNING);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    ExecutorService work =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "signaling-work");
              thread.setDaemon(true);
              return thread;
            });
    try (ServerTarget target = target(options, http, work);
        Run run = new Run(options, target)) {
      if (options.progress()) {
        System.out.println("load: " + target.probe().describe());
      }
      return run.execute();
    } finally {
      work.shutdownNow();
    }
  }

  private static ServerTarget target(Options options, HttpClient http, ExecutorService work)
      throws Exception {
    ProcessStats process = process(options);
    return switch (options.target()) {
      case SFU -> new SfuTarget(http, options.server(), process, work);
      case JANUS ->
          new JanusTarget(
              options.server(),
              options.janusAdmin(),
              options.janusAdminSecret(),
              process,
              options.talkers());
    };
  }

  private static ProcessStats process(Options options) throws Exception {
    if (options.serverPid() > 0) {
      return new ProcessStats(options.serverPid());
    }
    int port = options.server().getPort() > 0 ? options.server().getPort() : 80;
    OptionalLong pid = ProcessStats.listeningOn(port);
    return pid.isPresent() ? new ProcessStats(pid.getAsLong()) : null;
  }
}
