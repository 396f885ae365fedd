package io.cheenhub.sfu.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three Payara Micro instances on the Data Grid on this machine (tcpip discovery on loopback ports,
 * docs/deployment.md "Cluster"): rooms spread over the instances, a join that reaches the wrong
 * instance is redirected, a killed instance's rooms are re-placed and their clients are back
 * together, a drained instance loses nobody, and a restarted instance takes new rooms.
 *
 * <p>Signaling only: the media path of a re-placed room is the same as any room's (a fresh join).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

  private static final int INSTANCES = 3;
  private static final String SECRET = "cluster-it-secret-" + UUID.randomUUID();
  private static final String CLUSTER = "sfu-it-" + UUID.randomUUID().toString().substring(0, 8);

  private static final int[] httpPorts = new int[INSTANCES];
  private static final int[] gridPorts = new int[INSTANCES];
  private static final PayaraProcess[] instances = new PayaraProcess[INSTANCES];

  @BeforeAll
  static void startCluster() throws Exception {
    for (int i = 0; i < INSTANCES; i++) {
      httpPorts[i] = PayaraProcess.freePort();
      gridPorts[i] = PayaraProcess.freePort();
    }
    ExecutorService starters = Executors.newFixedThreadPool(INSTANCES);
    try {
      List<Future<PayaraProcess>> started = new ArrayList<>();
      for (int i = 0; i < INSTANCES; i++) {
        int n = i;
        started.add(starters.submit(() -> startInstance(n)));
      }
      for (int i = 0; i < INSTANCES; i++) {
        instances[i] = started.get(i).get(300, TimeUnit.SECONDS);
      }
    } finally {
      starters.shutdownNow();
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> members(0) == INSTANCES && members(1) == INSTANCES);
  }

  private static PayaraProcess startInstance(int n) throws Exception {
    var members = new StringBuilder();
    for (int port : gridPorts) {
      members.append(members.length() == 0 ? "" : ",").append("127.0.0.1:").append(port);
    }
    return PayaraProcess.start(
        "cluster-n" + n,
        List.of(
            "-Xmx384m",
            "-Dhazelcast.socket.bind.any=false",
            "-Dhazelcast.shutdownhook.enabled=false",
            "-Dsfu.auth.anonymous=true",
            "-Dsfu.cluster.enabled=true",
            "-Dsfu.cluster.instance=n" + n,
            "-Dsfu.cluster.public-url=http://127.0.0.1:" + httpPorts[n] + "/",
            "-Dsfu.cluster.secret=" + SECRET),
        List.of(
            "--name",
            "n" + n,
            "--clustername",
            CLUSTER,
            "--clustermode",
            "tcpip:" + members,
            "--startport",
            String.valueOf(gridPorts[n]),
            "--interfaces",
            "127.0.0.1",
            "--nohostaware"),
        httpPorts[n]);
  }

  @AfterAll
  static void stopCluster() {
    for (PayaraProcess instance : instances) {
      if (instance != null) {
        instance.close();
      }
    }
  }

  private static URI ws(int n) {
    return URI.create("ws://127.0.0.1:" + httpPorts[n] + "/ws");
  }

  /** The cluster size instance {@code n}'s readiness reports. */
  private static int members(int n) throws Exception {
    var response =
        ServerUnderTest.get(URI.create("http://127.0.0.1:" + httpPorts[n] + "/health/ready"));
    try (var reader = Json.createReader(new StringReader(response.body()))) {
      for (var check : reader.readObject().getJsonArray("checks")) {
        JsonObject o = check.asJsonObject();
        if (o.getString("name").equals("cluster")) {
          // MicroProfile Health data values reach the JSON as strings in Payara.
          var members = o.getJsonObject("data").get("members");
          return Integer.parseInt(
              members instanceof jakarta.json.JsonString text
                  ? text.getString()
                  : members.toString());
        }
      }
    }
    return -1;
  }

  private static int instanceOf(URI ws) {
    for (int i = 0; i < INSTANCES; i++) {
      if (ws.getPort() == httpPorts[i]) {
        return i;
      }
    }
    throw new AssertionError("not an instance: " + ws);
  }

  /** A participant as the web client behaves: follows redirects, rejoins through its entry. */
  private static final class Member implements AutoCloseable {
    final String name;
    final String room;
    final URI entry;
    WsClient socket;
    URI servedAt;
    JsonObject joined;
    int redirects;

    Member(String name, String room, URI entry) {
      this.name = name;
      this.room = room;
      this.entry = entry;
    }

    /** Joins through {@code at}, following redirects (at most three hops). */
    Member join(URI at, String ticket) {
      URI target = at;
      redirects = 0;
      for (int hop = 0; hop < 3; hop++) {
        WsClient client = WsClient.connect(target);
        var join =
            Json.createObjectBuilder()
                .add("type", "join")
                .add("requestId", "j-" + name)
                .add("roomId", room)
                .add("displayName", name);
        if (ticket != null) {
          join.add("ticket", ticket);
        }
        client.send(join.build().toString());
        JsonObject reply = client.next();
        switch (reply.getString("type")) {
          case "joined" -> {
            socket = client;
            servedAt = target;
            joined = reply;
            return this;
          }
          case "redirect" -> {
            client.close();
            redirects++;
            assertThat(reply.getString("requestId")).isEqualTo("j-" + name);
            target = URI.create(reply.getString("url"));
            ticket = reply.getString("ticket");
          }
          default -> throw new AssertionError("reply to join: " + reply);
        }
      }
      throw new AssertionError(name + ": more than three redirects");
    }

    /** Rejoins through the entry until it works (the entry may not know yet what died). */
    Member rejoin(Duration within) throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      AssertionError last = null;
      while (System.nanoTime() < deadline) {
        try {
          return join(entry, null);
        } catch (RuntimeException | AssertionError e) {
          last = e instanceof AssertionError a ? a : new AssertionError(e);
          Thread.sleep(250);
        }
      }
      throw last != null ? last : new AssertionError(name + ": no rejoin");
    }

    /** The names in {@code joined}'s participant list. */
    List<String> others() {
      return joined.getJsonArray("participants").stream()
          .map(p -> p.asJsonObject().getString("displayName"))
          .filter(n -> !n.equals(name))
          .toList();
    }

    /** Waits for the server's {@code redirect} of a moved room, skipping other messages. */
    JsonObject awaitRedirect() {
      for (int i = 0; i < 50; i++) {
        JsonObject message = socket.next();
        if (message.getString("type").equals("redirect")) {
          return message;
        }
      }
      throw new AssertionError(name + ": no redirect");
    }

    @Override
    public void close() {
      if (socket != null) {
        socket.close();
      }
    }
  }

  private static final Map<String, Integer> placedOn = new HashMap<>();

  @Test
  @Order(1)
  void newRoomsSpreadOverTheInstancesAndJoinsElsewhereAreRedirected() {
    List<Member> members = new ArrayList<>();
    try {
      int redirects = 0;
      for (int i = 0; i < 6; i++) {
        Member member = new Member("p" + i, "spread-" + i, ws(0)).join(ws(0), null);
        members.add(member);
        placedOn.put(member.room, instanceOf(member.servedAt));
        redirects += member.redirects;
        assertThat(member.redirects).isLessThanOrEqualTo(1);
      }
      System.out.println("[cluster] rooms placed on " + placedOn + ", redirects " + redirects);
      assertThat(placedOn.values()).as("every instance took rooms").contains(0, 1, 2);
      assertThat(redirects).isEqualTo(placedOn.values().stream().filter(n -> n != 0).count());
      // A second participant of each room lands in the same place, whichever instance it asks;
      // what the redirect costs a join is printed (connect to joined, direct vs one hop more).
      var direct = new ArrayList<Long>();
      var redirected = new ArrayList<Long>();
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 6; i++) {
          long start = System.nanoTime();
          try (Member second = new Member("q" + i, "spread-" + i, ws(2)).join(ws(2), null)) {
            long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            (second.redirects == 0 ? direct : redirected).add(micros);
            assertThat(instanceOf(second.servedAt)).isEqualTo(placedOn.get("spread-" + i));
            assertThat(second.others()).containsExactly("p" + i);
          }
        }
      }
      direct.sort(null);
      redirected.sort(null);
      System.out.printf(
          "[cluster] join through n2, connect to joined: direct median %.1f ms (n=%d), redirected"
              + " median %.1f ms (n=%d)%n",
          direct.get(direct.size() / 2) / 1000.0,
          direct.size(),
          redirected.get(redirected.size() / 2) / 1000.0,
          redirected.size());
    } finally {
      members.forEach(Member::close);
    }
  }

  @Test
  @Order(2)
  void aKilledInstancesRoomIsBackTogetherElsewhere() throws Exception {
    // Two participants in a room that lives on n1, both having entered through n0.
    String room = "failover";
    Member ada = null;
    Member bob = null;
    try {
      for (int i = 0; ; i++) {
        ada = new Member("ada", room + "-" + i, ws(0)).join(ws(0), null);
        if (instanceOf(ada.servedAt) == 1) {
          room = room + "-" + i;
          break;
        }
        ada.close();
        assertThat(i).as("a room placed on n1").isLessThan(20);
      }
      bob = new Member("bob", room, ws(0)).join(ws(0), null);
      assertThat(instanceOf(bob.servedAt)).isEqualTo(1);
      assertThat(bob.others()).containsExactly("ada");

      long killed = System.nanoTime();
      instances[1].kill();
      Member a = ada;
      Member b = bob;
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> a.socket.isClosed() && b.socket.isClosed());
      long noticed = System.nanoTime();
      ada = ada.rejoin(Duration.ofSeconds(30));
      bob = bob.rejoin(Duration.ofSeconds(30));
      long together = System.nanoTime();

      assertThat(instanceOf(ada.servedAt)).isIn(0, 2);
      assertThat(bob.servedAt).isEqualTo(ada.servedAt);
      assertThat(bob.others()).containsExactly("ada");
      System.out.printf(
          "[cluster] kill -9 of n1: sockets closed after %d ms, both rejoined on n%d after %d ms%n",
          TimeUnit.NANOSECONDS.toMillis(noticed - killed),
          instanceOf(ada.servedAt),
          TimeUnit.NANOSECONDS.toMillis(together - killed));
      await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> members(0) == INSTANCES - 1);
    } finally {
      if (ada != null) {
        ada.close();
      }
      if (bob != null) {
        bob.close();
      }
    }
  }

  @Test
  @Order(3)
  void aRestartedInstanceRejoinsAndTakesNewRooms() throws Exception {
    instances[1] = startInstance(1);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> members(0) == INSTANCES && members(1) == INSTANCES);
    List<Member> members = new ArrayList<>();
    try {
      boolean onRestarted = false;
      for (int i = 0; i < 6 && !onRestarted; i++) {
        Member member = new Member("r" + i, "after-restart-" + i, ws(0)).join(ws(0), null);
        members.add(member);
        onRestarted = instanceOf(member.servedAt) == 1;
      }
      assertThat(onRestarted).as("the restarted instance takes new rooms").isTrue();
    } finally {
      members.forEach(Member::close);
    }
  }

  @Test
  @Order(4)
  void aDrainedInstanceSendsItsRoomsClientsElsewhereAndLosesNobody() throws Exception {
    Member cy = null;
    Member dee = null;
    try {
      String room = null;
      for (int i = 0; i < 20 && room == null; i++) {
        Member m = new Member("cy", "drain-" + i, ws(0)).join(ws(0), null);
        if (instanceOf(m.servedAt) == 2) {
          room = "drain-" + i;
          cy = m;
        } else {
          m.close();
        }
      }
      assertThat(room).as("a room placed on n2").isNotNull();
      dee = new Member("dee", room, ws(2)).join(ws(2), null);
      assertThat(dee.others()).containsExactly("cy");

      long drained = System.nanoTime();
      instances[2].close(); // SIGTERM: the drain moves the room before the instance stops
      JsonObject toCy = cy.awaitRedirect();
      JsonObject toDee = dee.awaitRedirect();
      assertThat(toCy.getString("url")).isEqualTo(toDee.getString("url"));
      URI target = URI.create(toCy.getString("url"));
      assertThat(instanceOf(target)).isIn(0, 1);
      cy.close();
      dee.close();
      cy = cy.join(target, toCy.getString("ticket"));
      dee = dee.join(target, toDee.getString("ticket"));
      assertThat(cy.redirects + dee.redirects).as("the ticket's instance took them").isZero();
      assertThat(dee.others()).containsExactly("cy");
      System.out.printf(
          "[cluster] drain of n2: both rejoined on n%d after %d ms%n",
          instanceOf(target), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drained));
    } finally {
      if (cy != null) {
        cy.close();
      }
      if (dee != null) {
        dee.close();
      }
    }
  }
}
