package io.cheenhub.sfu.loadgen.janus;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client of Janus's HTTP JSON API for the VideoRoom plugin, as the load generator's comparison
 * peer is driven (src/loadgen/janus/janus-netns.sh starts it): sessions kept alive by one long-poll
 * each, VideoRoom handles for publishers and subscribers, rooms, and the Admin API's media
 * counters.
 *
 * <p>Thread-safe. Every request and every awaited event fails with an {@link IOException} naming
 * what was awaited after {@link #TIMEOUT}; errors Janus reports ({@code "janus":"error"} or a
 * plugin {@code error_code}) are {@link JanusException}s with Janus's code and reason. Ids are
 * unsigned 64-bit numbers carried in a {@code long}.
 */
public final class JanusApi implements AutoCloseable {

  /** How long a request, or an event awaited after it, may take. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final String VIDEOROOM = "janus.plugin.videoroom";

  /** Janus answers an idle long-poll with a keepalive after about 30 s. */
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(45);

  private static final long POLL_RETRY_MS = 200;
  private static final int POLL_MAX_FAILURES = 5;
  private static final int NO_SUCH_SESSION = 458;
  private static final int NO_SUCH_HANDLE = 459;
  private static final JsonProvider JSON = JsonProvider.provider();

  private final HttpClient http;
  private final URI janus;
  private final URI admin;
  private final String adminSecret;
  private final AtomicLong transactions = new AtomicLong();
  private final Set<Session> sessions = ConcurrentHashMap.newKeySet();

  /**
   * A client of one Janus instance.
   *
   * @param janus the Janus API, e.g. {@code http://10.203.0.2:8088/janus}
   * @param admin the Admin API, e.g. {@code http://10.203.0.2:7088/admin}
   * @param adminSecret the Admin API's {@code admin_secret}
   */
  public JanusApi(URI janus, URI admin, String adminSecret) {
    this.janus = withoutTrailingSlash(janus);
    this.admin = withoutTrailingSlash(admin);
    this.adminSecret = adminSecret;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
  }

  /** Creates a Janus session and starts its long-poll, which also keeps it alive. */
  public Session createSession() throws IOException {
    JsonObject reply = post(janus, request("create").build(), "create session");
    Session session = new Session(readId(data(reply, "create session"), "id", "create session"));
    sessions.add(session);
    session.poll();
    return session;
  }

  /**
   * Creates a VideoRoom room for Opus audio (not permanent: it outlives sessions until {@link
   * #destroyRoom}), on a control handle of {@code session} attached on first use.
   *
   * @param publishers the most publishers the room accepts (Janus's default is 3)
   * @return the room id
   */
  public long createRoom(Session session, long room, int publishers) throws IOException {
    String what = "create room " + room;
    JsonObject data =
        controlRequest(
            session,
            JSON.createObjectBuilder()
                .add("request", "create")
                .add("room", jsonId(room))
                .add("publishers", publishers)
                .add("audiocodec", "opus")
                .add("permanent", false),
            what);
    expect(data, "videoroom", "created", what);
    return readId(data, "room", what);
  }

  /** Destroys a VideoRoom room, on the control handle of {@code session}. */
  public void destroyRoom(Session session, long room) throws IOException {
    String what = "destroy room " + room;
    JsonObject data =
        controlRequest(
            session,
            JSON.createObjectBuilder().add("request", "destroy").add("room", jsonId(room)),
            what);
    expect(data, "videoroom", "destroyed", what);
  }

  /**
   * Sends a VideoRoom request (such as {@code create} or {@code listparticipants}) on the control
   * handle of {@code session} and returns the plugin's data.
   */
  JsonObject controlRequest(Session session, JsonObjectBuilder body, String what)
      throws IOException {
    return pluginData(session.message(session.control(), body, null, what), what);
  }

  /**
   * Walks the Admin API ({@code list_sessions}, {@code list_handles}, {@code handle_info} for each)
   * and sums the WebRTC media counters of every handle of every session, control handles included.
   * Sessions and handles that go away during the walk are skipped.
   */
  public AdminStats adminStats() throws IOException {
    int handles = 0;
    long packetsIn = 0;
    long packetsOut = 0;
    long bytesIn = 0;
    long bytesOut = 0;
    JsonObject sessionList = post(admin, adminRequest("list_sessions"), "admin list_sessions");
    for (JsonValue sessionId : array(sessionList, "sessions", "admin list_sessions")) {
      URI sessionUri = child(admin, unsigned(sessionId));
      String what = "admin list_handles of session " + sessionId;
      JsonObject handleList;
      try {
        handleList = post(sessionUri, adminRequest("list_handles"), what);
      } catch (JanusException e) {
        if (gone(e)) {
          continue;
        }
        throw e;
      }
      for (JsonValue handleId : array(handleList, "handles", what)) {
        String infoWhat = "admin handle_info of handle " + handleId;
        JsonObject info;
        try {
          info =
              post(child(sessionUri, unsigned(handleId)), adminRequest("handle_info"), infoWhat)
                  .getJsonObject("info");
        } catch (JanusException e) {
          if (gone(e)) {
            continue;
          }
          throw e;
        }
        handles++;
        JsonObject webrtc = info == null ? null : info.getJsonObject("webrtc");
        JsonObject media = webrtc == null ? null : webrtc.getJsonObject("media");
        if (media == null) {
          continue;
        }
        for (JsonValue medium : media.values()) {
          JsonObject stats = medium.asJsonObject().getJsonObject("stats");
          if (stats == null) {
            continue;
          }
          JsonObject in = stats.getJsonObject("in");
          JsonObject out = stats.getJsonObject("out");
          packetsIn += counter(in, "packets");
          bytesIn += counter(in, "bytes");
          packetsOut += counter(out, "packets");
          bytesOut += counter(out, "bytes");
        }
      }
    }
    return new AdminStats(handles, packetsIn, packetsOut, bytesIn, bytesOut);
  }

  /**
   * Stops the long-polls of all sessions still open; they are not destroyed and expire in Janus
   * after its {@code session_timeout}.
   */
  @Override
  public void close() {
    for (Session session : sessions) {
      session.stop(new IOException("Janus client closed"));
    }
    sessions.clear();
  }

  /** A Janus session: one long-poll delivers its events, which are matched by transaction. */
  public final class Session implements AutoCloseable {
    private final long id;
    private final URI uri;
    private final URI pollUri;
    private final Map<String, CompletableFuture<JsonObject>> waiters = new ConcurrentHashMap<>();
    private final Map<Long, Handle> handles = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private final Object controlLock = new Object();
    private Handle control; // guarded by controlLock
    private volatile IOException failure;
    private volatile CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);
    private int pollFailures; // only touched by the poll chain, one step at a time

    private Session(long id) {
      this.id = id;
      this.uri = child(janus, Long.toUnsignedString(id));
      this.pollUri = URI.create(uri + "?maxev=10");
    }

    /** The session id. */
    public long id() {
      return id;
    }

    /** Attaches a new handle to the VideoRoom plugin. */
    public Handle attachVideoRoom() throws IOException {
      String what = "attach " + VIDEOROOM + " in session " + Long.toUnsignedString(id);
      checkOpen(what);
      JsonObject reply = post(uri, request("attach").add("plugin", VIDEOROOM).build(), what);
      Handle handle = new Handle(this, readId(data(reply, what), "id", what));
      handles.put(handle.id, handle);
      return handle;
    }

    /**
     * Destroys the session in Janus (best effort: if that fails, Janus expires it after {@code
     * session_timeout}) and stops its long-poll.
     */
    @Override
    public void close() {
      if (!destroyed.compareAndSet(false, true)) {
        return;
      }
      stop(new IOException("session " + Long.toUnsignedString(id) + " closed"));
      try {
        post(uri, request("destroy").build(), "destroy session");
      } catch (IOException e) {
        // Best effort, see above.
      }
    }

    private Handle control() throws IOException {
      synchronized (controlLock) {
        if (control == null) {
          control = attachVideoRoom();
        }
        return control;
      }
    }

    /**
     * Sends a plugin message and returns the reply that carries its result: the synchronous {@code
     * success} or, after an {@code ack}, the event with the same transaction. The waiter is
     * registered before the request goes out, so an event that overtakes the ack is kept (G5).
     */
    private JsonObject message(Handle handle, JsonObjectBuilder body, JsonObject jsep, String what)
        throws IOException {
      checkOpen(what);
      String transaction = nextTransaction();
      CompletableFuture<JsonObject> event = new CompletableFuture<>();
      waiters.put(transaction, event);
      try {
        IOException dead = failure;
        if (dead != null) {
          event.completeExceptionally(dead);
        }
        JsonObjectBuilder message =
            JSON.createObjectBuilder()
                .add("janus", "message")
                .add("transaction", transaction)
                .add("body", body);
        if (jsep != null) {
          message.add("jsep", jsep);
        }
        JsonObject reply = post(handle.uri, message.build(), what);
        JsonObject result =
            switch (reply.getString("janus", "")) {
              case "success" -> reply;
              case "ack" -> await(event, what);
              default -> throw new IOException(what + ": unexpected reply " + reply);
            };
        checkError(result, what);
        pluginData(result, what);
        return result;
      } finally {
        waiters.remove(transaction);
      }
    }

    private void checkOpen(String what) throws IOException {
      IOException dead = failure;
      if (dead != null) {
        throw new IOException(what + ": " + dead.getMessage(), dead);
      }
    }

    private void poll() {
      if (closed.get()) {
        return;
      }
      HttpRequest request = HttpRequest.newBuilder(pollUri).timeout(POLL_TIMEOUT).GET().build();
      CompletableFuture<HttpResponse<String>> next =
          http.sendAsync(request, BodyHandlers.ofString());
      inFlight = next;
      if (closed.get()) {
        next.cancel(true);
        return;
      }
      next.whenComplete(this::polled);
    }

    private void polled(HttpResponse<String> response, Throwable error) {
      if (closed.get()) {
        return;
      }
      Throwable failed = error;
      if (failed == null) {
        try {
          JsonValue events = parse(response.body());
          if (events instanceof JsonArray array) {
            for (JsonValue event : array) {
              dispatch(event.asJsonObject());
            }
          } else {
            JsonObject event = events.asJsonObject();
            checkError(event, "long-poll of session " + Long.toUnsignedString(id));
            dispatch(event);
          }
          pollFailures = 0;
          poll();
          return;
        } catch (JanusException e) {
          stop(e);
          return;
        } catch (IOException | RuntimeException e) {
          failed = e;
        }
      }
      if (++pollFailures >= POLL_MAX_FAILURES) {
        stop(
            new IOException(
                "long-poll of session "
                    + Long.toUnsignedString(id)
                    + " failed "
                    + pollFailures
                    + " times in a row",
                failed));
        return;
      }
      CompletableFuture.runAsync(
          this::poll, CompletableFuture.delayedExecutor(POLL_RETRY_MS, TimeUnit.MILLISECONDS));
    }

    private void dispatch(JsonObject event) {
      switch (event.getString("janus", "")) {
        case "keepalive", "ack" -> {}
        case "webrtcup" -> {
          Handle handle = sender(event);
          if (handle != null) {
            handle.up.complete(null);
          }
        }
        case "hangup", "detached" -> {
          Handle handle = sender(event);
          if (handle != null) {
            handle.fail(
                new IOException(
                    "Janus "
                        + event.getString("janus")
                        + " handle "
                        + Long.toUnsignedString(handle.id)
                        + ": "
                        + event.getString("reason", "no reason given")));
          }
        }
        case "timeout" ->
            stop(new IOException("Janus timed out session " + Long.toUnsignedString(id)));
        default -> {
          // Events nobody asked for (notifications, "media", "slowlink") are dropped.
          String transaction = event.getString("transaction", null);
          CompletableFuture<JsonObject> waiter =
              transaction == null ? null : waiters.get(transaction);
          if (waiter != null) {
            waiter.complete(event);
          }
        }
      }
    }

    private Handle sender(JsonObject event) {
      JsonValue sender = event.get("sender");
      if (!(sender instanceof JsonNumber number)) {
        return null;
      }
      return handles.get(number.bigIntegerValue().longValue());
    }

    /** Stops the long-poll and fails whatever still waits on this session. */
    private void stop(IOException cause) {
      if (failure == null) {
        failure = cause;
      }
      closed.set(true);
      inFlight.cancel(true);
      sessions.remove(this);
      waiters.values().forEach(waiter -> waiter.completeExceptionally(cause));
      handles.values().forEach(handle -> handle.fail(cause));
    }
  }

  /** A handle attached to the VideoRoom plugin: one publisher or one subscriber. */
  public final class Handle {
    private final Session session;
    private final long id;
    private final URI uri;
    private final CompletableFuture<Void> up = new CompletableFuture<>();

    private Handle(Session session, long id) {
      this.session = session;
      this.id = id;
      this.uri = child(session.uri, Long.toUnsignedString(id));
    }

    /** The handle id. */
    public long id() {
      return id;
    }

    /** Joins {@code room} as a publisher and returns the feed id subscribers name. */
    public long joinPublisher(long room, String display) throws IOException {
      String what = "join room " + room + " as publisher";
      JsonObject event =
          session.message(
              this,
              JSON.createObjectBuilder()
                  .add("request", "join")
                  .add("ptype", "publisher")
                  .add("room", jsonId(room))
                  .add("display", display),
              null,
              what);
      JsonObject data = pluginData(event, what);
      expect(data, "videoroom", "joined", what);
      return readId(data, "id", what);
    }

    /**
     * Publishes audio only with {@code offerSdp} and returns Janus's answer SDP. Janus gathers
     * before answering (half-trickle), so the answer carries all its candidates.
     */
    public String configure(String offerSdp) throws IOException {
      String what = "configure publisher " + Long.toUnsignedString(id);
      JsonObject event =
          session.message(
              this,
              JSON.createObjectBuilder()
                  .add("request", "configure")
                  .add("audio", true)
                  .add("video", false),
              jsep("offer", offerSdp),
              what);
      expect(pluginData(event, what), "configured", "ok", what);
      return sdp(event, "answer", what);
    }

    /**
     * Joins {@code room} as a subscriber to {@code feeds}, all on this one PeerConnection, and
     * returns Janus's offer with the mid Janus gave each feed's stream.
     */
    public Subscription joinSubscriber(long room, List<Long> feeds) throws IOException {
      String what = "join room " + room + " as subscriber to " + feeds.size() + " feeds";
      JsonArrayBuilder streams = JSON.createArrayBuilder();
      for (long feed : feeds) {
        streams.add(JSON.createObjectBuilder().add("feed", jsonId(feed)));
      }
      JsonObject event =
          session.message(
              this,
              JSON.createObjectBuilder()
                  .add("request", "join")
                  .add("ptype", "subscriber")
                  .add("room", jsonId(room))
                  .add("streams", streams),
              null,
              what);
      JsonObject data = pluginData(event, what);
      expect(data, "videoroom", "attached", what);
      List<Subscription.Stream> result = new ArrayList<>();
      for (JsonValue stream : array(data, "streams", what)) {
        JsonObject s = stream.asJsonObject();
        result.add(new Subscription.Stream(s.getString("mid", null), readId(s, "feed_id", what)));
      }
      return new Subscription(sdp(event, "offer", what), List.copyOf(result));
    }

    /** Answers a subscriber's offer and waits until Janus confirms {@code started}. */
    public void start(String answerSdp) throws IOException {
      String what = "start subscriber " + Long.toUnsignedString(id);
      JsonObject event =
          session.message(
              this,
              JSON.createObjectBuilder().add("request", "start"),
              jsep("answer", answerSdp),
              what);
      expect(pluginData(event, what), "started", "ok", what);
    }

    /**
     * Completes when Janus reports {@code webrtcup} (ICE and DTLS done) for this handle; fails on
     * {@code hangup}, detach or the end of the session. It has no timeout of its own. Dependent
     * actions may run on the long-poll's thread: keep them short or use the async variants.
     */
    public CompletableFuture<Void> webrtcUp() {
      return up.copy();
    }

    /** Detaches the handle from the plugin, which hangs up its PeerConnection. */
    public void detach() throws IOException {
      String what = "detach handle " + Long.toUnsignedString(id);
      session.checkOpen(what);
      try {
        post(uri, request("detach").build(), what);
      } finally {
        session.handles.remove(id);
        fail(new IOException("handle " + Long.toUnsignedString(id) + " detached"));
      }
    }

    private void fail(IOException cause) {
      up.completeExceptionally(cause);
    }
  }

  /**
   * What a subscriber join returns: Janus's offer and, per {@code m=} section, its mid and the
   * publisher feed it carries.
   */
  public record Subscription(String offerSdp, List<Stream> streams) {
    /** One stream of a subscription. */
    public record Stream(String mid, long feedId) {}
  }

  /**
   * Admin API totals over all handles: their number and the WebRTC media counters (packets and
   * bytes received from and sent to peers) over the handles' lifetimes.
   */
  public record AdminStats(
      int handles, long packetsIn, long packetsOut, long bytesIn, long bytesOut) {}

  // ---- HTTP and JSON plumbing ----

  private JsonObject post(URI uri, JsonObject body, String what) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(BodyPublishers.ofString(body.toString()))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw timedOut(what, e);
    } catch (IOException e) {
      throw new IOException(what + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted = new InterruptedIOException("interrupted: " + what);
      interrupted.initCause(e);
      throw interrupted;
    }
    JsonObject reply;
    try {
      reply = parse(response.body()).asJsonObject();
    } catch (IOException | ClassCastException e) {
      throw new IOException(
          what + ": HTTP " + response.statusCode() + ", not a JSON object: " + response.body(), e);
    }
    checkError(reply, what);
    if (response.statusCode() != 200) {
      throw new IOException(what + ": HTTP " + response.statusCode() + " " + reply);
    }
    return reply;
  }

  private static JsonValue parse(String text) throws IOException {
    try (JsonReader reader = JSON.createReader(new StringReader(text))) {
      return reader.readValue();
    } catch (JsonException e) {
      throw new IOException("not JSON: " + text, e);
    }
  }

  private static JsonObject await(CompletableFuture<JsonObject> event, String what)
      throws IOException {
    try {
      return event.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw timedOut(what, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new IOException(what + ": " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted = new InterruptedIOException("interrupted: " + what);
      interrupted.initCause(e);
      throw interrupted;
    }
  }

  private static IOException timedOut(String what, Exception cause) {
    return new IOException(
        "timed out after " + TIMEOUT.toSeconds() + " s waiting for " + what, cause);
  }

  /** Throws a {@code "janus":"error"} reply as a {@link JanusException}. */
  private static void checkError(JsonObject reply, String what) throws JanusException {
    if ("error".equals(reply.getString("janus", ""))) {
      JsonObject error = reply.getJsonObject("error");
      throw new JanusException(
          what,
          error == null ? -1 : error.getInt("code", -1),
          error == null ? reply.toString() : error.getString("reason", ""));
    }
  }

  /** The plugin's {@code data}, thrown as a {@link JanusException} if it is an error. */
  private static JsonObject pluginData(JsonObject reply, String what) throws IOException {
    JsonObject plugin = reply.getJsonObject("plugindata");
    JsonObject data = plugin == null ? null : plugin.getJsonObject("data");
    if (data == null) {
      throw new IOException(what + ": no plugindata in " + reply);
    }
    if (data.containsKey("error_code")) {
      throw new JanusException(what, data.getInt("error_code", -1), data.getString("error", ""));
    }
    return data;
  }

  private static JsonObject data(JsonObject reply, String what) throws IOException {
    JsonObject data = reply.getJsonObject("data");
    if (data == null) {
      throw new IOException(what + ": no data in " + reply);
    }
    return data;
  }

  private static JsonArray array(JsonObject object, String key, String what) throws IOException {
    JsonValue value = object.get(key);
    if (!(value instanceof JsonArray array)) {
      throw new IOException(what + ": no array '" + key + "' in " + object);
    }
    return array;
  }

  private static void expect(JsonObject data, String key, String value, String what)
      throws IOException {
    JsonValue actual = data.get(key);
    if (!(actual instanceof JsonString string) || !value.equals(string.getString())) {
      throw new IOException(what + ": expected \"" + key + "\":\"" + value + "\" in " + data);
    }
  }

  private static String sdp(JsonObject event, String type, String what) throws IOException {
    JsonObject jsep = event.getJsonObject("jsep");
    if (jsep == null || !type.equals(jsep.getString("type", "")) || !jsep.containsKey("sdp")) {
      throw new IOException(what + ": no jsep " + type + " in " + event);
    }
    return jsep.getString("sdp");
  }

  private static JsonObject jsep(String type, String sdp) {
    return JSON.createObjectBuilder().add("type", type).add("sdp", sdp).build();
  }

  /** Reads an unsigned 64-bit id exactly (ids exceed 2^53, so never through a double). */
  private static long readId(JsonObject object, String key, String what) throws IOException {
    JsonValue value = object.get(key);
    if (!(value instanceof JsonNumber number)) {
      throw new IOException(what + ": no numeric \"" + key + "\" in " + object);
    }
    try {
      return number.bigIntegerValueExact().longValue();
    } catch (ArithmeticException e) {
      throw new IOException(what + ": \"" + key + "\" is not an integer in " + object, e);
    }
  }

  /** An unsigned 64-bit id as a JSON number. */
  private static JsonNumber jsonId(long id) {
    return id >= 0
        ? JSON.createValue(id)
        : JSON.createValue(new BigInteger(Long.toUnsignedString(id)));
  }

  private static String unsigned(JsonValue id) {
    return ((JsonNumber) id).bigIntegerValue().toString();
  }

  private static long counter(JsonObject stats, String key) {
    return stats == null || !(stats.get(key) instanceof JsonNumber number) ? 0 : number.longValue();
  }

  private static boolean gone(JanusException e) {
    return e.code() == NO_SUCH_SESSION || e.code() == NO_SUCH_HANDLE;
  }

  private JsonObjectBuilder request(String janusRequest) {
    return JSON.createObjectBuilder()
        .add("janus", janusRequest)
        .add("transaction", nextTransaction());
  }

  private JsonObject adminRequest(String janusRequest) {
    return request(janusRequest).add("admin_secret", adminSecret).build();
  }

  private String nextTransaction() {
    return "t" + transactions.incrementAndGet();
  }

  private static URI child(URI parent, String segment) {
    return URI.create(parent + "/" + segment);
  }

  private static URI withoutTrailingSlash(URI uri) {
    String text = uri.toString();
    return text.endsWith("/") ? URI.create(text.substring(0, text.length() - 1)) : uri;
  }
}
