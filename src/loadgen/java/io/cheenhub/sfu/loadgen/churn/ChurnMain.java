package io.cheenhub.sfu.loadgen.churn;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Signaling churn (issue 13): WebSocket clients connect, join, ping and end their connections in
 * every way a network does ({@link CloseMode}) while raw keep-alive HTTP clients poll the REST,
 * metrics and health endpoints and check each answer byte for byte. Afterwards it waits for the
 * server to hold no connection and no participant. Exits 0 only if nothing was foreign, malformed
 * or unanswered and the server let everything go.
 *
 * <pre>
 * java -cp target/cheenhub-loadgen.jar io.cheenhub.sfu.loadgen.churn.ChurnMain \
 *   --server http://127.0.0.1:8080/ --clients 50 --pollers 8 --duration 60 [--json out.json]
 * </pre>
 */
public final class ChurnMain {

  private static final Set<String> OPTIONS =
      Set.of("server", "clients", "pollers", "rooms", "duration", "settle", "json", "seed");

  private ChurnMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length || !args[i].startsWith("--")) {
        usage("expected --name value pairs, got " + String.join(" ", args));
      }
      String name = args[i].substring(2);
      if (!OPTIONS.contains(name)) {
        usage("unknown option --" + name);
      }
      options.put(name, args[i + 1]);
    }
    String server = options.getOrDefault("server", "http://127.0.0.1:8080/");
    URI base = URI.create(server.endsWith("/") ? server : server + "/");
    int clients = Integer.parseInt(options.getOrDefault("clients", "50"));
    int pollers = Integer.parseInt(options.getOrDefault("pollers", "8"));
    int roomCount = Integer.parseInt(options.getOrDefault("rooms", "10"));
    Duration duration = Duration.ofSeconds(Long.parseLong(options.getOrDefault("duration", "60")));
    Duration settle = Duration.ofSeconds(Long.parseLong(options.getOrDefault("settle", "60")));
    long seed = Long.parseLong(options.getOrDefault("seed", String.valueOf(System.nanoTime())));

    List<String> rooms = new ArrayList<>();
    for (int i = 0; i < roomCount; i++) {
      rooms.add("churn-" + i);
    }
    var result = new ChurnResult();
    var heap = new HeapSamples();
    long start = System.nanoTime();
    long deadline = start + duration.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      threads.add(
          new Thread(
              new ChurnClient(i, base, rooms, result, deadline, seed + i), "churn-client-" + i));
    }
    for (int i = 0; i < pollers; i++) {
      threads.add(
          new Thread(
              new HttpPoller(base, rooms, result, deadline, seed + 1_000 + i), "churn-http-" + i));
    }
    threads.forEach(Thread::start);
    while (System.nanoTime() < deadline) {
      Thread.sleep(Math.min(2_000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      heap.sample(base);
      System.err.printf(
          "churn t=%ds http=%d bad=%d ws=%d joins=%d failures=%d%n",
          (System.nanoTime() - start) / 1_000_000_000,
          result.httpAnswers.sum(),
          result.httpBad.sum(),
          result.wsConnections.sum(),
          result.joins.sum(),
          result.failures());
    }
    for (Thread thread : threads) {
      thread.join(ChurnClient.ANSWER_TIMEOUT_MS * 4L);
    }
    // Every client is gone: the server must get back to no connection and no participant.
    long settleStart = System.nanoTime();
    double connections = Double.NaN;
    double participants = Double.NaN;
    while (System.nanoTime() - settleStart < settle.toNanos()) {
      try {
        String metrics = get(base.resolve("metrics"));
        connections = value(metrics, "sfu_signaling_connections_active").orElse(Double.NaN);
        participants = value(metrics, "sfu_participants_active").orElse(Double.NaN);
        if (connections == 0 && participants == 0) {
          break;
        }
      } catch (IOException e) {
        connections = Double.NaN; // the server does not answer: reported as such below
        participants = Double.NaN;
      }
      Thread.sleep(250);
    }
    heap.sample(base);
    JsonObjectBuilder serverSide =
        Json.createObjectBuilder()
            .add("connectionsLeft", number(connections))
            .add("participantsLeft", number(participants))
            .add("settledMs", (System.nanoTime() - settleStart) / 1_000_000)
            .add("peakConnections", heap.peakConnections)
            .add("peakParticipants", heap.peakParticipants)
            .add("heapAfterGcBytes", heap.toJson());
    JsonObject json = result.toJson(serverSide);
    String text = pretty(json);
    System.out.println(text);
    if (options.containsKey("json")) {
      Files.writeString(Path.of(options.get("json")), text);
    }
    boolean clean = result.failures() == 0 && connections == 0 && participants == 0;
    System.exit(clean ? 0 : 1);
  }

  /**
   * The server's heap after GC ({@code sfu_heap_after_gc_bytes}) and the most connections and
   * participants it held at once, sampled over the run.
   */
  private static final class HeapSamples {
    private final List<Double> values = new ArrayList<>();
    private double peakConnections;
    private double peakParticipants;

    void sample(URI base) {
      try {
        String metrics = get(base.resolve("metrics"));
        value(metrics, "sfu_heap_after_gc_bytes").ifPresent(values::add);
        peakConnections =
            Math.max(peakConnections, value(metrics, "sfu_signaling_connections_active").orElse(0));
        peakParticipants =
            Math.max(peakParticipants, value(metrics, "sfu_participants_active").orElse(0));
      } catch (IOException | InterruptedException e) {
        // a sample missed: the failures above say whether the server answered
      }
    }

    JsonObject toJson() {
      var samples = Json.createArrayBuilder();
      values.forEach(v -> samples.add(v.longValue()));
      return Json.createObjectBuilder()
          .add("first", values.isEmpty() ? -1 : values.get(0).longValue())
          .add("max", values.stream().mapToDouble(d -> d).max().orElse(-1))
          .add("last", values.isEmpty() ? -1 : values.get(values.size() - 1).longValue())
          .add("samples", samples)
          .build();
    }
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static String get(URI uri) throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The first sample of {@code name} in Prometheus text, whatever its labels. */
  static OptionalDouble value(String metrics, String name) {
    Matcher m =
        Pattern.compile("^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE)
            .matcher(metrics);
    return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(2))) : OptionalDouble.empty();
  }

  /** A JSON number, or null where the server did not say (NaN). */
  private static JsonValue number(double value) {
    return Double.isNaN(value) ? JsonValue.NULL : Json.createValue(value);
  }

  private static String pretty(JsonObject json) {
    var out = new StringWriter();
    try (var writer =
        Json.createWriterFactory(Map.of(JsonGenerator.PRETTY_PRINTING, true)).createWriter(out)) {
      writer.write(json);
    }
    return out.toString().trim();
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: ChurnMain [--server http://127.0.0.1:8080/] [--clients 50] [--pollers 8]"
            + " [--rooms 10] [--duration 60] [--settle 60] [--json file] [--seed n]");
    System.exit(2);
  }
}
