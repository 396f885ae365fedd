package io.cheenhub.sfu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container deployment of docs/deployment.md "Compose": {@code docker-compose.yml} is valid to
 * Debian's docker-compose (1.29; no engine needed for {@code config}), every file it mounts is in
 * the repository, the SFU and coturn share one TURN secret, and the Dockerfile copies the WAR the
 * build makes. Skipped without docker-compose, except under CI.
 */
class DeploymentFilesTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Path COMPOSE = ROOT.resolve("docker-compose.yml");
  private static final Pattern BIND_MOUNT =
      Pattern.compile("^\\s*- (/[^:\\s]+):(/[^:\\s]+)(:ro)?$");

  record Run(int exitCode, String output) {}

  @BeforeAll
  static void needsDockerCompose() {
    if (onPath("docker-compose")) {
      return;
    }
    if (System.getenv("CI") != null) {
      fail("docker-compose is missing (.ci/run installs Debian's docker-compose)");
    }
    Assumptions.abort("docker-compose is not installed");
  }

  @Test
  void composeFileIsValidAndEveryMountedFileIsInTheRepository() throws Exception {
    Run quiet = compose(Map.of("TURN_SECRET", "test-secret"), "config", "-q");
    assertThat(quiet.exitCode()).as("docker-compose config -q: %s", quiet.output()).isZero();

    Run full = compose(Map.of("TURN_SECRET", "test-secret"), "config");
    assertThat(full.exitCode()).as(full.output()).isZero();
    List<String> mounts =
        full.output()
            .lines()
            .map(BIND_MOUNT::matcher)
            .filter(m -> m.matches())
            .map(m -> m.group(1))
            .toList();
    assertThat(mounts)
        .as("bind mounts of docker-compose.yml")
        .contains(
            ROOT.resolve("monitoring/prometheus/prometheus.yml").toString(),
            ROOT.resolve("monitoring/prometheus/alerts.yml").toString(),
            ROOT.resolve("monitoring/grafana/provisioning/datasources").toString(),
            ROOT.resolve("monitoring/grafana/provisioning/dashboards").toString(),
            ROOT.resolve("monitoring/grafana/dashboards").toString());
    for (String mount : mounts) {
      assertThat(Path.of(mount)).as("mounted by docker-compose.yml").exists();
    }
    assertThat(ROOT.resolve("monitoring/grafana/dashboards")).isDirectoryContaining("glob:**.json");

    // One secret for both sides of the TURN REST API.
    assertThat(full.output())
        .contains("SFU_TURN_SECRET: test-secret")
        .contains("--static-auth-secret=test-secret")
        .contains("--use-auth-secret");
  }

  @Test
  void composeRefusesToRunWithoutATurnSecret() throws Exception {
    Run run = compose(Map.of(), "config", "-q");

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.output()).contains("set TURN_SECRET");
  }

  @Test
  void dockerfileCopiesTheWarTheBuildMakesAndChecksHealth() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));

    assertThat(dockerfile)
        .containsPattern("(?m)^FROM payara/micro:\\d+\\.\\d{4}\\.\\d+-jdk17$")
        .contains("COPY --chown=payara:payara target/cheenhub-sfu.war ")
        .contains("EXPOSE 8080 8443 10000/udp")
        .contains("/health/ready");
    assertThat(Files.readString(ROOT.resolve("pom.xml")))
        .contains("<finalName>cheenhub-sfu</finalName>");
  }

  private static Run compose(Map<String, String> env, String... args) throws Exception {
    var command = new java.util.ArrayList<>(List.of("docker-compose", "-f", COMPOSE.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile());
    builder.redirectErrorStream(true);
    // Only what the test sets: a TURN_SECRET of the developer's shell must not make it pass.
    builder.environment().keySet().removeIf(k -> k.startsWith("TURN_") || k.equals("PUBLIC_IP"));
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("docker-compose did not finish in 60 s");
    }
    return new Run(process.exitValue(), output);
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
