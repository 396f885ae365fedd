package io.cheenhub.sfu.it;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What every integration test against the deployed WAR shares: the packaged WAR on Payara Micro
 * (Arquillian, client mode), the server's base URI, and closing what a test opened.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
abstract class ServerIT {

  @Deployment(testable = false)
  static WebArchive deployment() {
    return ServerUnderTest.war();
  }

  @ArquillianResource URL baseUrl;

  /** The application's root, e.g. {@code http://127.0.0.1:8123/cheenhub-sfu/}. */
  URI base;

  private final Deque<AutoCloseable> opened = new ArrayDeque<>();

  @BeforeEach
  final void resolveBase() throws URISyntaxException {
    base = baseUrl.toURI();
  }

  /** Closes what the test opened, newest first (a peer before the socket it signalled over). */
  @AfterEach
  final void closeOpened() throws Exception {
    while (!opened.isEmpty()) {
      opened.pop().close();
    }
  }

  /** Closes {@code resource} when the test ends. */
  <T extends AutoCloseable> T closeAfterTest(T resource) {
    opened.push(resource);
    return resource;
  }

  /** A signaling WebSocket, closed when the test ends. */
  WsClient connect() {
    return closeAfterTest(WsClient.connect(ServerUnderTest.webSocket(base)));
  }

  /** A signaling WebSocket that has joined {@code room} as {@code name}. */
  WsClient joined(String room, String name) {
    WsClient client = connect();
    client.join(room, name);
    return client;
  }
}
