package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Payara Micro process of a test's own, for settings the shared Arquillian server must not have
 * (tokens required, a 20 ms ping sweep, a small heap): the packaged WAR at the root context on a
 * free loopback port, media on an ephemeral loopback UDP port, its output in {@code target/}.
 */
final class PayaraProcess implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(240);

  private final Process process;
  private final URI base;
  private final Path log;

  private PayaraProcess(Process process, URI base, Path log) {
    this.process = process;
    this.base = base;
    this.log = log;
  }

  /**
   * Starts the server with {@code jvmOptions} (system properties, heap) and waits until {@code
   * /health/ready} answers 200.
   *
   * @param name names the log file, {@code target/<name>-payara.log}
   */
  static PayaraProcess start(String name, List<String> jvmOptions) throws Exception {
    return start(name, jvmOptions, List.of("--nohazelcast"), freePort());
  }

  /** A free loopback TCP port (free now; the caller binds it soon). */
  static int freePort() throws IOException {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Starts the server on HTTP port {@code port} with {@code jvmOptions} and Payara Micro options
   * {@code payaraOptions} ({@code --nohazelcast} for a single instance, the cluster options for a
   * grid member), and waits until {@code /health/ready} answers 200.
   */
  static PayaraProcess start(
      String name, List<String> jvmOptions, List<String> payaraOptions, int port) throws Exception {
    URI base = URI.create("http://127.0.0.1:" + port + "/");
    Path log = Path.of("target", name + "-payara.log");
    Files.createDirectories(log.getParent());
    var command = new ArrayList<String>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Dsfu.media.bind-address=127.0.0.1");
    command.add("-Dsfu.media.port=0");
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", System.getProperty("payara.microJar")));
    command.addAll(payaraOptions);
    command.addAll(
        List.of(
            "--disablephonehome",
            "--prebootcommandfile",
            "payara/pre-boot-commands.asadmin",
            "--port",
            String.valueOf(port),
            "--deploy",
            System.getProperty("sfu.war", "target/cheenhub-sfu.war"),
            "--contextroot",
            "/"));
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    var server = new PayaraProcess(process, base, log);
    try {
      await()
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                assertThat(process.isAlive()).as("Payara Micro running, see " + log).isTrue();
                try {
                  return ServerUnderTest.get(base.resolve("/health/ready")).statusCode() == 200;
                } catch (IOException e) {
                  return false;
                }
              });
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** The server's root, e.g. {@code http://127.0.0.1:41234/}. */
  URI base() {
    return base;
  }

  /** The server's console output. */
  Path log() {
    return log;
  }

  /** Kills the server at once (SIGKILL): no drain, no goodbye to the grid. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  /** Whether the process still runs. */
  boolean isAlive() {
    return process.isAlive();
  }

  /** Stops the server (SIGTERM: it drains), killing it if it does not exit within 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
