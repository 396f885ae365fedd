package io.cheenhub.sfu.loadgen.relay;

import jakarta.json.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The impairment relay as a process, for drivers in other languages (e2e/impaired.mjs): {@code java
 * -cp cheenhub-loadgen.jar io.cheenhub.sfu.loadgen.relay.RelayMain --listen 127.0.0.1:0 --upstream
 * 127.0.0.1:M --control 127.0.0.1:0}. When ready it prints one JSON line with the bound addresses
 * ({@code {"listen":"127.0.0.1:R","upstream":...,"control":"127.0.0.1:C"}}) and serves {@link
 * RelayControl} until killed; with {@code --exit-on-stdin-eof true} also until its stdin closes, so
 * a driver that dies without cleaning up does not leave it behind.
 */
public final class RelayMain {

  private RelayMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length || !args[i].startsWith("--")) {
        usage("expected --name value pairs, got " + String.join(" ", args));
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    for (String key : options.keySet()) {
      if (!Set.of("listen", "upstream", "control", "exit-on-stdin-eof").contains(key)) {
        usage("unknown option --" + key);
      }
    }
    if (!options.containsKey("upstream")) {
      usage("--upstream host:port is required");
    }
    var relay =
        new ImpairmentRelay(
            address(options.getOrDefault("listen", "127.0.0.1:0")),
            address(options.get("upstream")));
    var control = new RelayControl(relay, address(options.getOrDefault("control", "127.0.0.1:0")));
    var stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  control.close();
                  relay.close();
                  stopped.countDown();
                }));
    System.out.println(
        Json.createObjectBuilder()
            .add("listen", text(relay.address()))
            .add("upstream", options.get("upstream"))
            .add("control", text(control.address()))
            .build());
    System.out.flush();
    if (Boolean.parseBoolean(options.get("exit-on-stdin-eof"))) {
      exitOnStdinEof();
    }
    stopped.await();
  }

  private static void exitOnStdinEof() {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // a parent that writes to us is still there
                }
              } catch (IOException e) {
                // parent gone as well
              }
              System.exit(0);
            },
            "relay-stdin-watch");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private static String text(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      usage("host:port expected, got " + hostPort);
    }
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static void usage(String problem) {
    System.err.println(
        "relay: "
            + problem
            + "\nusage: RelayMain --upstream host:port [--listen host:port] [--control host:port]"
            + " [--exit-on-stdin-eof true]");
    System.exit(2);
  }
}
