package io.cheenhub.sfu.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The monitoring folder is valid: the alert rules pass {@code promtool check rules} and their unit
 * tests ({@code promtool test rules}), the dashboard parses, and every metric the rules and the
 * dashboard read is one the server exports (the list captured from a running server in {@code
 * src/test/resources/monitoring/exported-metric-names.txt}; the Prometheus IT checks that list
 * against the live server). Without promtool the promtool checks are skipped locally and fail under
 * CI ({@code CI} set; .ci/run installs Debian's prometheus package).
 */
class AlertRulesTest {

  private static final Path EXPORTED =
      Path.of("src/test/resources/monitoring/exported-metric-names.txt");

  @Test
  void rulesPassPromtoolCheck() throws Exception {
    String output = promtool("check", "rules", PromQl.ALERTS.toString());
    System.out.println(output);
    assertThat(output).contains("SUCCESS");
  }

  @Test
  void everyAlertPassesItsPromtoolUnitTests() throws Exception {
    String output = promtool("test", "rules", PromQl.ALERT_TESTS.toString());
    System.out.println(output);
    assertThat(output).contains("SUCCESS");
  }

  @Test
  void everyAlertHasAFiringAndAQuietTestCase() throws Exception {
    String rules = Files.readString(PromQl.ALERTS);
    String tests = Files.readString(PromQl.ALERT_TESTS);
    var alerts = new TreeSet<String>();
    var names = java.util.regex.Pattern.compile("- alert: (\\w+)").matcher(rules);
    while (names.find()) {
      alerts.add(names.group(1));
    }
    assertThat(alerts).hasSize(11);
    for (String alert : alerts) {
      // Each alert is evaluated at least twice: once expecting nothing, once expecting it.
      var cases =
          java.util.regex.Pattern.compile(
                  "alertname: " + alert + "\\s+exp_alerts:(\\s*\\[\\]|\\s+- exp_labels)")
              .matcher(tests);
      boolean quiet = false;
      boolean firing = false;
      while (cases.find()) {
        quiet |= cases.group(1).strip().equals("[]");
        firing |= cases.group(1).contains("exp_labels");
      }
      assertThat(quiet).as("%s has a not-firing case", alert).isTrue();
      assertThat(firing).as("%s has a firing case", alert).isTrue();
    }
  }

  @Test
  void dashboardAndRulesReadOnlyExportedMetrics() throws Exception {
    Set<String> exported = new TreeSet<>(Files.readAllLines(EXPORTED));
    exported.addAll(PromQl.PROMETHEUS_SERIES);
    assertThat(PromQl.dashboard().getString("uid")).isEqualTo("cheenhub-sfu");
    List<String> dashboard = PromQl.dashboardExpressions();
    List<String> alerts = PromQl.alertExpressions();
    assertThat(dashboard).hasSizeGreaterThan(30);
    assertThat(alerts).hasSize(11);

    var used = new TreeSet<String>();
    for (String expr : dashboard) {
      used.addAll(PromQl.metricNames(expr));
    }
    for (String expr : alerts) {
      used.addAll(PromQl.metricNames(expr));
    }
    System.out.println("metrics read by dashboard and alerts: " + used);
    assertThat(used)
        .contains(
            "sfu_active_publishers_total",
            "sfu_rtp_packets_forwarded_total",
            "sfu_rtp_forwarding_latency_ms_bucket",
            "memory_usedHeap_bytes");
    assertThat(exported).containsAll(used);
  }

  @Test
  void metricNamesAreTheSelectorsNotFunctionsLabelsOrVariables() {
    assertThat(
            PromQl.metricNames(
                "histogram_quantile(0.99, sum by (instance, le) (rate(sfu_x_bucket{instance=~"
                    + "\"$instance\",code=\"a b\"}[$__rate_interval]))) > 1e3"
                    + " and on (instance) up == 0 / max without (le) (sfu_y)"))
        .containsExactlyInAnyOrder("sfu_x_bucket", "up", "sfu_y");
    assertThat(PromQl.metricNames("sum(rate(sfu_z_total[5m])) * 8")).containsExactly("sfu_z_total");
  }

  /** Runs promtool; fails on a non-zero exit, skips (locally) when it is not installed. */
  private static String promtool(String... args) throws IOException, InterruptedException {
    Path binary = findOnPath("promtool");
    if (binary == null) {
      if (System.getenv("CI") != null) {
        fail("promtool is not installed (Debian package prometheus); CI must have it");
      }
      Assumptions.abort("promtool is not installed (Debian package prometheus)");
    }
    var command = new java.util.ArrayList<String>(List.of(binary.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("promtool did not finish in 60 s");
    }
    assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", args), output).isZero();
    return output;
  }

  static Path findOnPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, command);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }
}
