package io.cheenhub.sfu.loadgen;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The command line of {@link LoadGenerator}; see {@link #USAGE}. */
record Options(
    URI server,
    Target target,
    URI janusAdmin,
    String janusAdminSecret,
    Profile profile,
    int rooms,
    int participants,
    int talkers,
    int durationSeconds,
    double rampRate,
    int spike,
    double churnRate,
    InetAddress bind,
    long serverPid,
    int botThreads,
    int sampleEverySeconds,
    int soakSampleSeconds,
    int reportIntervalSeconds,
    Path json,
    boolean progress,
    boolean layers,
    int receiverReportMillis,
    int bitrateBps,
    int listenEvery,
    boolean liveHeap,
    boolean listenersPublish) {

  /** Which server the bots talk to. */
  enum Target {
    SFU,
    JANUS
  }

  /** How participants arrive and leave (roadmap load profiles). */
  enum Profile {
    /** Everyone joins (at the ramp rate), then the window of {@code duration} s is measured. */
    SUSTAINED,
    /** The window starts at 0 participants and covers the ramp at the ramp rate, then holds. */
    RAMP,
    /** Half the window with everyone, then {@code spike} more per room join at once. */
    SPIKE,
    /** Everyone joins; during the window listeners leave and new ones join continuously. */
    CHURN
  }

  /** From this window length on a run is a soak: resources and slices are on by default (s). */
  static final int LONG_WINDOW_SECONDS = 600;

  /** The "sampled every minute" (s). */
  static final int SOAK_SAMPLE_SECONDS = 60;

  /** The "latency percentiles per 10 minutes" (s). */
  static final int REPORT_INTERVAL_SECONDS = 600;

  static final String USAGE =
      """
      usage: java -jar target/cheenhub-loadgen.jar [options]
        --server URL          server base URL (default http://127.0.0.1:8080/); for Janus its
                              HTTP API, e.g. http://10.203.0.2:8088/janus
        --target sfu|janus    which signaling the bots speak (default sfu)
        --janus-admin URL     Janus admin API (default: --server's host, port 7088, /admin)
        --janus-admin-secret  (default janusoverlord)
        --profile P           sustained | ramp | spike | churn (default sustained)
        --rooms N             rooms (default 1)
        --participants N      participants per room (default 10)
        --talkers N           talkers per room, the first to join (default 3); the others listen
        --duration S          measured window in seconds (default 30)
        --ramp-rate R         joins per second while filling rooms (default 20)
        --spike N             spike: participants per room that join at once (default participants)
        --churn-rate R        churn: leave+join cycles per second over all rooms (default 1)
        --bind ADDRESS        the bots' local address (default 127.0.0.1)
        --server-pid PID      server process for CPU figures (default: whoever listens on the
                              server's port, when it is on this host)
        --bot-threads N       media loop threads for the bots (default 1)
        --sample-every S      full server sample (HTTP: heap, GC) every S s during the run; 0 only
                              at the window's edges (default 5)
        --soak-sample S       every S s of the window: server heap after GC, threads, open
                              files, UDP sockets, and the bots' packets and loss so far; the
                              summary says whether each stayed flat (default 60 for a window of
                              600 s or more, else 0: off)
        --report-interval S   split the window into slices of S s, each with its own loss, delay
                              and server latency percentiles (default 600 for a window of 600 s
                              or more, else 0: off)
        --layers              talkers publish three audio layers (h 64, m 32, l 16 kbit/s) with
                              standard simulcast on one m-line (RFC 8853) and send the layers the
                              server's layersUpdate asks for (cheenhub-sfu only)
        --bitrate BPS         without --layers, a talker's Opus bitrate (default 32000: payloads
                              of 60-100 bytes; 64000 sends what the h layer sends)
        --receiver-reports MS listeners send RFC 3550 receiver reports every MS ms, which feed
                              the server's per-listener layer selection (default 0: none)
        --listen MODE         what listeners (not talkers) decrypt: full (every packet, the
                              default), sample:N (one packet in N per SSRC: delay from those)
                              or count (none: packets, bytes and sequence gaps per SSRC from
                              the clear RTP header); loss then comes from the SSRC gaps
        --listeners-publish   listeners publish an open microphone in a quiet room: background
                              noise (V clear) every 20 ms, never speech (in a room on speaker
                              slots the server need not decrypt it)
        --live-heap           take the server's live heap (after a full GC) before the fill and
                              after the window: memory per participant
        --json FILE           also write the result as JSON
        --quiet               no progress line
      """;

  static Options parse(String[] args) {
    Map<String, String> values = new HashMap<>();
    boolean quiet = false;
    boolean layers = false;
    boolean liveHeap = false;
    boolean listenersPublish = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--quiet")) {
        quiet = true;
      } else if (arg.equals("--layers")) {
        layers = true;
      } else if (arg.equals("--listeners-publish")) {
        listenersPublish = true;
      } else if (arg.equals("--live-heap")) {
        liveHeap = true;
      } else if (arg.equals("--help") || arg.equals("-h")) {
        throw new IllegalArgumentException("");
      } else if (arg.startsWith("--") && i + 1 < args.length) {
        values.put(arg.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("unknown or incomplete option: " + arg);
      }
    }
    try {
      URI server = URI.create(withSlash(values.getOrDefault("server", "http://127.0.0.1:8080/")));
      Target target = Target.valueOf(values.getOrDefault("target", "sfu").toUpperCase(Locale.ROOT));
      URI admin =
          URI.create(
              values.getOrDefault("janus-admin", "http://" + server.getHost() + ":7088/admin"));
      int participants = positive(values, "participants", 10);
      int duration = positive(values, "duration", 30);
      boolean soak = duration >= LONG_WINDOW_SECONDS;
      var options =
          new Options(
              server,
              target,
              admin,
              values.getOrDefault("janus-admin-secret", "janusoverlord"),
              Profile.valueOf(values.getOrDefault("profile", "sustained").toUpperCase(Locale.ROOT)),
              positive(values, "rooms", 1),
              participants,
              Integer.parseInt(values.getOrDefault("talkers", "3")),
              duration,
              Double.parseDouble(values.getOrDefault("ramp-rate", "20")),
              positive(values, "spike", participants),
              Double.parseDouble(values.getOrDefault("churn-rate", "1")),
              InetAddress.getByName(values.getOrDefault("bind", "127.0.0.1")),
              Long.parseLong(values.getOrDefault("server-pid", "-1")),
              positive(values, "bot-threads", 1),
              Integer.parseInt(values.getOrDefault("sample-every", "5")),
              notNegative(values, "soak-sample", soak ? SOAK_SAMPLE_SECONDS : 0),
              notNegative(values, "report-interval", soak ? REPORT_INTERVAL_SECONDS : 0),
              values.containsKey("json") ? Path.of(values.get("json")) : null,
              !quiet,
              layers,
              notNegative(values, "receiver-reports", 0),
              positive(values, "bitrate", 32_000),
              listenEvery(values.getOrDefault("listen", "full")),
              liveHeap,
              listenersPublish);
      if (options.talkers < 0 || options.talkers > participants) {
        throw new IllegalArgumentException("--talkers must be between 0 and --participants");
      }
      if (options.rampRate <= 0 || options.churnRate <= 0) {
        throw new IllegalArgumentException("rates must be positive");
      }
      if (options.target == Target.JANUS && (layers || options.receiverReportMillis > 0)) {
        throw new IllegalArgumentException(
            "--layers and --receiver-reports are for cheenhub-sfu (--target sfu)");
      }
      return options;
    } catch (UnknownHostException | NumberFormatException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** full → 1, sample:N → N, count → 0. */
  private static int listenEvery(String mode) {
    if (mode.equals("full")) {
      return 1;
    }
    if (mode.equals("count")) {
      return 0;
    }
    if (mode.startsWith("sample:")) {
      int every = Integer.parseInt(mode.substring("sample:".length()));
      if (every >= 1) {
        return every;
      }
    }
    throw new IllegalArgumentException("--listen is full, sample:N (N >= 1) or count: " + mode);
  }

  private static int notNegative(Map<String, String> values, String key, int fallback) {
    int value = values.containsKey(key) ? Integer.parseInt(values.get(key)) : fallback;
    if (value < 0) {
      throw new IllegalArgumentException("--" + key + " must be 0 (off) or more");
    }
    return value;
  }

  private static int positive(Map<String, String> values, String key, int fallback) {
    int value = values.containsKey(key) ? Integer.parseInt(values.get(key)) : fallback;
    if (value < 1) {
      throw new IllegalArgumentException("--" + key + " must be at least 1");
    }
    return value;
  }

  private static String withSlash(String url) {
    return url.endsWith("/") ? url : url + "/";
  }
}
