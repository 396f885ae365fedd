package io.cheenhub.sfu.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The JWKS reader without its fault-tolerance interceptors (those are the container's). */
class KeyFetcherTest {

  private static Set<Long> httpClientThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("HttpClient-"))
        .map(Thread::getId)
        .collect(Collectors.toCollection(HashSet::new));
  }

  /**
   * An idle server with anonymous joins must not run an HTTP client's selector thread (issue 17's
   * idle cost): the client is made at the first read, not with the bean or its CDI proxy.
   */
  @Test
  void theHttpClientAndItsThreadComeWithTheFirstReadNotBefore() throws Exception {
    Set<Long> before = httpClientThreads();
    var fetcher = new KeyFetcher();
    assertThat(httpClientThreads()).isSubsetOf(before); // other tests' clients may end meanwhile

    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/jwks",
        exchange -> {
          byte[] body = "{\"keys\":[]}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
      assertThat(fetcher.fetch(url)).isEqualTo("{\"keys\":[]}");
      assertThat(fetcher.fetch(url)).isEqualTo("{\"keys\":[]}");
    } finally {
      server.stop(0);
    }
    Set<Long> after = httpClientThreads();
    after.removeAll(before);
    assertThat(after).as("a selector thread of the first read").isNotEmpty();
  }
}
