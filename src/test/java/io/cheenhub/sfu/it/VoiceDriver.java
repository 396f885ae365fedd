package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs {@code node e2e/voice-rooms.mjs <base> <roomPrefix> <scenarios>} (the issue-5 voice-room
 * scenarios in real browsers) and returns its one JSON line, for the {@code VoiceRoom*IT} tests.
 * The driver's stderr goes to the test log; every process it started is gone when this returns.
 */
final class VoiceDriver {

  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  /** What the driver printed, its exit code, and processes that outlived it (killed). */
  record Result(int exitCode, JsonObject json, List<String> leftovers) {

    JsonObject scenario(String name) {
      JsonObject scenarios = json.getJsonObject("scenarios");
      if (scenarios == null || !scenarios.containsKey(name)) {
        return fail("driver reported nothing for %s: %s", name, json);
      }
      return scenarios.getJsonObject(name);
    }
  }

  private VoiceDriver() {}

  /**
   * The environment of a driver that starts its own Payara Micro (lib/payara.mjs): the WAR and the
   * Payara Micro jar of this build, and its server logs kept under {@code target/<logDir>} for a
   * failed run. Mutable: the caller adds its own settings.
   */
  static Map<String, String> ownServerEnv(String logDir) {
    Map<String, String> env = new HashMap<>();
    env.put("E2E_LOG_DIR", Path.of("target", logDir).toAbsolutePath().toString());
    env.put(
        "E2E_WAR",
        Path.of(System.getProperty("sfu.war", "target/cheenhub-sfu.war"))
            .toAbsolutePath()
            .toString());
    String jar = System.getProperty("payara.microJar");
    if (jar != null && Files.isRegularFile(Path.of(jar))) {
      env.put("E2E_MICRO_JAR", jar);
    }
    return env;
  }

  /**
   * Skips (or, with {@code CI} set, fails) when node, the e2e modules or the browsers are missing,
   * as {@code BrowserPublishIT} does.
   */
  static void requireTools(boolean firefox) {
    List<String> missing = new ArrayList<>();
    List<String> commands =
        firefox
            ? List.of("node", "chromium", "firefox-esr", "pulseaudio", "paplay")
            : List.of("node", "chromium");
    for (String command : commands) {
      if (!onPath(command)) {
        missing.add(command);
      }
    }
    if (!Files.isDirectory(e2eDir().resolve("node_modules"))) {
      missing.add(e2eDir().resolve("node_modules") + " (npm ci --prefix e2e)");
    }
    if (missing.isEmpty()) {
      return;
    }
    String reason = "voice-room browser test needs " + String.join(", ", missing);
    if (System.getenv("CI") != null) {
      fail(reason);
    }
    Assumptions.abort(reason);
  }

  static Path e2eDir() {
    return Path.of(System.getProperty("e2e.dir", "e2e")).toAbsolutePath();
  }

  /**
   * The page's address on 127.0.0.1 (a secure context, so the page gets a microphone), as {@code
   * BrowserPublishIT} does.
   */
  static URI onLoopback(URI uri) throws Exception {
    String path = uri.getPath().endsWith("/") ? uri.getPath() : uri.getPath() + "/";
    return new URI(uri.getScheme(), null, "127.0.0.1", uri.getPort(), path, null, null);
  }

  static Result run(
      String base, String roomPrefix, String scenarios, Map<String, String> env, Duration timeout)
      throws Exception {
    return run("voice-rooms.mjs", base, roomPrefix, scenarios, env, timeout);
  }

  /** The same for another scenario driver in e2e/ with the same arguments and output contract. */
  static Result run(
      String driver,
      String base,
      String roomPrefix,
      String scenarios,
      Map<String, String> env,
      Duration timeout)
      throws Exception {
    Path script = e2eDir().resolve(driver);
    ProcessBuilder builder =
        new ProcessBuilder("node", script.toString(), base, roomPrefix, scenarios)
            .directory(e2eDir().toFile());
    builder.environment().putAll(env);
    Process node;
    try {
      node = builder.start();
    } catch (IOException e) {
      return fail("cannot start `node` from PATH (Node 20+ is needed for the browser tests)", e);
    }
    node.getOutputStream().close();
    var stdout = new ConcurrentLinkedDeque<String>();
    Thread out = pump(node.getInputStream(), "[e2e voice] ", stdout);
    Thread err = pump(node.getErrorStream(), "[e2e voice] ", new ConcurrentLinkedDeque<>());

    Map<ProcessHandle, String> started = new HashMap<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!node.waitFor(500, TimeUnit.MILLISECONDS)) {
      node.descendants()
          .forEach(p -> started.computeIfAbsent(p, q -> q.info().command().orElse("?")));
      if (System.nanoTime() > deadline) {
        stop(node);
        fail("%s still running after %s; killed it", driver, timeout);
      }
    }
    out.join(STOP_GRACE.toMillis());
    err.join(STOP_GRACE.toMillis());
    List<String> leftovers = leftoversOf(started);
    String json =
        stdout.stream()
            .filter(line -> line.startsWith("{"))
            .reduce((first, second) -> second)
            .orElseGet(() -> fail("%s printed no JSON (exit %d)", driver, node.exitValue()));
    try (var reader = Json.createReader(new StringReader(json))) {
      return new Result(node.exitValue(), reader.readObject(), leftovers);
    }
  }

  static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The processes a driver started that are still alive after a grace period (each is then killed),
   * described for the test's failure message. BrowserPublishIT uses it too.
   */
  static List<String> leftoversOf(Map<ProcessHandle, String> started) throws InterruptedException {
    long deadline = System.nanoTime() + STOP_GRACE.toNanos();
    while (started.keySet().stream().anyMatch(ProcessHandle::isAlive)
        && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    List<String> leftovers = new ArrayList<>();
    started.forEach(
        (p, command) -> {
          if (p.isAlive()) {
            leftovers.add(p.pid() + " " + command);
            p.destroyForcibly();
          }
        });
    return leftovers;
  }

  private static void stop(Process node) throws InterruptedException {
    List<ProcessHandle> tree = node.descendants().toList();
    node.destroy();
    if (!node.waitFor(STOP_GRACE.toSeconds() * 2, TimeUnit.SECONDS)) {
      node.destroyForcibly();
    }
    tree.forEach(ProcessHandle::destroyForcibly);
  }

  /**
   * Copies a driver's output to the test log line by line (each prefixed with {@code tag}), keeping
   * the lines for parsing. Shared with {@link BrowserPublishIT}.
   */
  static Thread pump(InputStream stream, String tag, ConcurrentLinkedDeque<String> lines) {
    Thread thread =
        new Thread(
            () -> {
              try (var reader =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                  lines.add(line);
                  System.out.println(tag + line);
                }
              } catch (IOException e) {
                System.out.println(tag + "output lost: " + e);
              }
            },
            "e2e-output");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
