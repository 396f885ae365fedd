package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.cheenhub.sfu.metrics.PromQl;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 8's monitoring proof: the real Prometheus (Debian's {@code /usr/bin/prometheus}) scrapes
 * the deployed server once a second, with the repository's alert rules loaded, while load-generator
 * bots publish and hear real Opus through it; PromQL over Prometheus' HTTP API then returns the
 * forwarded-packet rate and the p99 of the forwarding latency histogram. Every dashboard and alert
 * expression runs without error against the live data, and reads only series the server exports.
 * Skipped locally without prometheus, failed under CI ({@code CI} set).
 */
class PrometheusIT extends ServerIT {

  private static final String FORWARDED_RATE = "rate(sfu_rtp_packets_forwarded_total[5s])";
  private static final String LATENCY_P99 =
      "histogram_quantile(0.99, sum(rate(sfu_rtp_forwarding_latency_ms_bucket[10s])) by (le))";

  @Test
  void prometheusScrapesForwardingRateAndLatencyHistogramDuringACall() throws Exception {
    Path binary = onPath("prometheus");
    if (binary == null) {
      if (System.getenv("CI") != null) {
        fail("prometheus is not installed (Debian package prometheus); CI must have it");
      }
      Assumptions.abort("prometheus is not installed (Debian package prometheus)");
    }
    Path dir = Files.createTempDirectory(Path.of("target"), "prometheus-it");
    int port = freePort();
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}",
            "rule_files: [\"" + PromQl.ALERTS.toAbsolutePath() + "\"]",
            "scrape_configs:",
            "  - job_name: cheenhub-sfu",
            "    metrics_path: /metrics",
            // Payara listens on every interface; scrape it over loopback.
            "    static_configs: [{targets: [\"127.0.0.1:" + base.getPort() + "\"]}]",
            ""));
    URI prometheus = URI.create("http://127.0.0.1:" + port + "/");
    Process server =
        new ProcessBuilder(
                binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    Process bots = null;
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(() -> ServerUnderTest.get(prometheus.resolve("-/ready")).statusCode() == 200);
      bots = startBots(dir);

      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> single(query(prometheus, FORWARDED_RATE)), v -> v > 0);
      // Media flows: give the 5 s and 10 s windows time to hold only the call, then read both.
      Thread.sleep(6_000);
      double rate = single(query(prometheus, FORWARDED_RATE));
      assertThat(rate).isPositive();
      double p99 =
          await()
              .atMost(Duration.ofSeconds(20))
              .pollInterval(Duration.ofSeconds(1))
              .until(() -> single(query(prometheus, LATENCY_P99)), Double::isFinite);
      System.out.printf("PromQL %s = %.1f packets/s%n", FORWARDED_RATE, rate);
      System.out.printf("PromQL %s = %.3f ms%n", LATENCY_P99, p99);
      assertThat(p99).isPositive().isLessThan(1_000);
      assertThat(single(query(prometheus, "up{job=\"cheenhub-sfu\"}"))).isEqualTo(1);
      assertThat(single(query(prometheus, "sum(sfu_active_publishers_total)"))).isPositive();
      // The bots' room has its own room label (one room is far under the label limit).
      double roomSize =
          single(
              query(
                  prometheus, "max(max_over_time(sfu_room_participants{room=~\"load-.*\"}[20s]))"));
      System.out.printf("PromQL largest room while the call ran = %.0f participants%n", roomSize);
      assertThat(roomSize).isBetween(1.0, 4.0);
      double setupP95 =
          single(
              query(
                  prometheus,
                  "histogram_quantile(0.95, sum(rate(sfu_connection_setup_ms_bucket[1m])) by (le))"));
      System.out.printf("PromQL connection setup p95 = %.0f ms%n", setupP95);
      assertThat(setupP95).isPositive();

      // Every dashboard and alert expression is valid PromQL that Prometheus runs on live data.
      for (String expr : PromQl.dashboardExpressions()) {
        query(prometheus, PromQl.withGrafanaVariables(expr, "10s"));
      }
      for (String expr : PromQl.alertExpressions()) {
        query(prometheus, expr);
      }
      assertRulesLoaded(prometheus);
      assertDashboardReadsLiveSeries();
    } finally {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
      if (bots != null && !bots.waitFor(60, TimeUnit.SECONDS)) {
        bots.destroyForcibly();
      }
    }
    // The bots' own verdict (every bot connected, nothing lost) is LoadGeneratorIT's to judge;
    // here they are only the call Prometheus watches, so a bot that times out on a loaded CI
    // machine must not fail the monitoring proof. Their report is printed next to the PromQL.
    System.out.println(Files.readString(dir.resolve("loadgen.log")));
  }

  /** Four bots in one room, all talking, for 15 s (the load generator as its users run it). */
  private Process startBots(Path dir) throws IOException {
    return new ProcessBuilder(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                System.getProperty("loadgen.jar", "target/cheenhub-loadgen.jar"),
                "--server",
                base.toString(),
                "--participants",
                "4",
                "--talkers",
                "4",
                "--duration",
                "15",
                "--quiet"))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("loadgen.log").toFile())
        .start();
  }

  /** The 11 rules of alerts.yml, loaded and evaluated without error by the real Prometheus. */
  private static void assertRulesLoaded(URI prometheus) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonObject body =
                  json(ServerUnderTest.get(prometheus.resolve("api/v1/rules")).body());
              List<JsonObject> rules =
                  body.getJsonObject("data").getJsonArray("groups").stream()
                      .flatMap(g -> g.asJsonObject().getJsonArray("rules").stream())
                      .map(JsonValue::asJsonObject)
                      .toList();
              assertThat(rules).hasSize(11);
              assertThat(rules)
                  .allSatisfy(
                      r -> assertThat(r.getString("health")).as(r.toString()).isEqualTo("ok"));
            });
  }

  /**
   * The dashboard reads only series the live server exports, and the captured list the unit test
   * checks against is the server's current one.
   */
  private void assertDashboardReadsLiveSeries() throws Exception {
    Set<String> live =
        ServerUnderTest.get(base.resolve("/metrics"))
            .body()
            .lines()
            .filter(l -> !l.startsWith("#") && !l.isBlank())
            .map(l -> l.split("[{ ]", 2)[0])
            .collect(Collectors.toCollection(TreeSet::new));
    var used = new TreeSet<String>();
    for (String expr : PromQl.dashboardExpressions()) {
      used.addAll(PromQl.metricNames(expr));
    }
    for (String expr : PromQl.alertExpressions()) {
      used.addAll(PromQl.metricNames(expr));
    }
    used.removeAll(PromQl.PROMETHEUS_SERIES);
    assertThat(live).containsAll(used);
    Set<String> captured =
        new TreeSet<>(
            Files.readAllLines(Path.of("src/test/resources/monitoring/exported-metric-names.txt")));
    assertThat(sfu(captured))
        .as("src/test/resources/monitoring/exported-metric-names.txt is the server's sfu_* list")
        .isEqualTo(sfu(live));
  }

  private static Set<String> sfu(Set<String> names) {
    return names.stream()
        .filter(n -> n.startsWith("sfu_"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The result vector of an instant query; fails on an error status. */
  private static JsonArray query(URI prometheus, String promql) throws Exception {
    var response =
        ServerUnderTest.get(
            prometheus.resolve(
                "api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
    JsonObject body = json(response.body());
    assertThat(body.getString("status")).as("%s: %s", promql, response.body()).isEqualTo("success");
    return body.getJsonObject("data").getJsonArray("result");
  }

  /** The value of a one-sample vector, NaN when empty. */
  private static double single(JsonArray result) {
    if (result.size() != 1) {
      return Double.NaN;
    }
    return Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
  }

  private static JsonObject json(String text) {
    try (var reader = Json.createReader(new StringReader(text))) {
      return reader.readObject();
    }
  }

  private static int freePort() throws IOException {
    try (var socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static Path onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, command);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
