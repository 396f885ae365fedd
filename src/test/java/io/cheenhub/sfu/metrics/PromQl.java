package io.cheenhub.sfu.metrics;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of the monitoring folder: expressions of the alert rules and the dashboard, and the
 * metric names they read. Shared by {@link AlertRulesTest} and the Prometheus IT.
 */
public final class PromQl {

  /** The repository's monitoring folder (tests run from the project directory). */
  public static final Path MONITORING = Path.of("monitoring");

  public static final Path ALERTS = MONITORING.resolve("prometheus/alerts.yml");
  public static final Path ALERT_TESTS = MONITORING.resolve("prometheus/alerts_test.yml");
  public static final Path DASHBOARD = MONITORING.resolve("grafana/dashboards/cheenhub-sfu.json");

  /** Series Prometheus makes itself rather than scrapes. */
  public static final Set<String> PROMETHEUS_SERIES = Set.of("up");

  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "bool",
          "and",
          "or",
          "unless",
          "offset",
          "inf",
          "nan");

  private PromQl() {}

  /** Every {@code expr:} of the rule file (single-line or {@code |} block). */
  public static List<String> alertExpressions() throws IOException {
    List<String> lines = Files.readAllLines(ALERTS);
    List<String> exprs = new ArrayList<>();
    Pattern expr = Pattern.compile("^(\\s*)expr:\\s*(.*)$");
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = expr.matcher(lines.get(i));
      if (!m.matches()) {
        continue;
      }
      if (!m.group(2).equals("|")) {
        exprs.add(m.group(2));
        continue;
      }
      int indent = m.group(1).length();
      var block = new StringBuilder();
      while (i + 1 < lines.size()
          && (lines.get(i + 1).isBlank() || indentOf(lines.get(i + 1)) > indent)) {
        block.append(lines.get(++i).strip()).append('\n');
      }
      exprs.add(block.toString().strip());
    }
    return exprs;
  }

  /** Every target expression of the dashboard (and of its template variables' queries). */
  public static List<String> dashboardExpressions() throws IOException {
    JsonObject dashboard = dashboard();
    List<String> exprs = new ArrayList<>();
    for (JsonValue panel : dashboard.getJsonArray("panels")) {
      JsonObject p = panel.asJsonObject();
      if (p.containsKey("targets")) {
        for (JsonValue target : p.getJsonArray("targets")) {
          exprs.add(target.asJsonObject().getString("expr"));
        }
      }
    }
    return exprs;
  }

  /** The dashboard JSON, parsed (throws if it does not parse). */
  public static JsonObject dashboard() throws IOException {
    try (var reader = Json.createReader(new StringReader(Files.readString(DASHBOARD)))) {
      return reader.readObject();
    }
  }

  /** A dashboard expression as Prometheus can run it: Grafana's variables filled in. */
  public static String withGrafanaVariables(String expr, String rateInterval) {
    return expr.replace("$__rate_interval", rateInterval).replace("$instance", ".*");
  }

  /** The metric names an expression reads. */
  public static Set<String> metricNames(String expr) {
    String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ");
    s = s.replaceAll("\\{[^}]*}", " ");
    s = s.replaceAll("\\[[^]]*]", " ");
    s = s.replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    s = s.replaceAll("(?<![\\w:])\\d+(\\.\\d+)?([eE][+-]?\\d+)?", " ");
    Set<String> names = new TreeSet<>();
    Matcher token = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(s);
    while (token.find()) {
      String name = token.group();
      int end = token.end();
      boolean function = s.substring(end).stripLeading().startsWith("(");
      if (!function && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        names.add(name);
      }
    }
    return names;
  }

  private static int indentOf(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }
}
