package io.cheenhub.sfu.loadgen.churn;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * One churning signaling client on a raw socket: connects, joins a room, pings, and ends its
 * connection in one of the {@link CloseMode}s, again and again until the deadline. Every frame it
 * reads must be its own: a reply carries one of its {@code requestId}s, an event names its room.
 */
final class ChurnClient implements Runnable {

  /**
   * How long a join or ping may go unanswered before it counts as lost. Lost is what issue 13 was
   * about (a reply written into another connection never comes); a slow reply on a starved machine
   * is counted as late ({@link #LATE_MS}) and reported with the slowest one, not failed.
   */
  static final int ANSWER_TIMEOUT_MS = 30_000;

  /** A reply slower than this is counted as late. */
  static final int LATE_MS = 5_000;

  /** WebSocket opcodes, RFC 6455 §5.2. */
  private static final int TEXT = 0x1;

  private static final int CLOSE = 0x8;
  private static final int PING = 0x9;
  private static final int PONG = 0xA;

  private final int worker;
  private final URI base;
  private final List<String> rooms;
  private final ChurnResult result;
  private final long deadlineNanos;
  private final Random random;

  private String prefix;
  private String room;

  /** The code of the close frame the server sent on this connection, or 0. */
  private int serverCloseCode;

  private Socket socket;
  private DataInputStream in;
  private OutputStream out;

  ChurnClient(
      int worker, URI base, List<String> rooms, ChurnResult result, long deadlineNanos, long seed) {
    this.worker = worker;
    this.base = base;
    this.rooms = rooms;
    this.result = result;
    this.deadlineNanos = deadlineNanos;
    this.random = new Random(seed);
  }

  @Override
  public void run() {
    CloseMode[] modes = CloseMode.values();
    for (int iteration = 0; System.nanoTime() < deadlineNanos; iteration++) {
      prefix = "c" + worker + "i" + iteration;
      serverCloseCode = 0;
      room = rooms.get(random.nextInt(rooms.size()));
      CloseMode mode = modes[(worker + iteration) % modes.length];
      try {
        once(mode);
        result.closes.get(mode).increment();
      } catch (IOException e) {
        // A connection the server closed under us (e.g. 1013 under memory pressure) or refused.
        result.wsErrors.increment();
      } finally {
        closeQuietly(false);
      }
    }
  }

  private void once(CloseMode mode) throws IOException {
    socket = new Socket();
    if (mode == CloseMode.STOP_READING) {
      socket.setReceiveBufferSize(2048);
    }
    socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), ANSWER_TIMEOUT_MS);
    socket.setSoTimeout(ANSWER_TIMEOUT_MS);
    socket.setTcpNoDelay(true);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    byte[] upgrade = upgradeRequest();
    if (mode == CloseMode.HANDSHAKE_HALF) {
      out.write(upgrade, 0, upgrade.length / 2);
      out.flush();
      return;
    }
    out.write(upgrade);
    out.flush();
    if (mode == CloseMode.HANDSHAKE_RST) {
      closeQuietly(true);
      return;
    }
    if (!upgraded()) {
      return;
    }
    result.wsConnections.increment();
    send(
        Json.createObjectBuilder()
            .add("type", "join")
            .add("requestId", prefix + "-j")
            .add("roomId", room)
            .add("displayName", "churn " + prefix)
            .build()
            .toString());
    if (mode == CloseMode.RST_WHILE_WRITING) {
      for (int i = 0; i < 20; i++) {
        send(ping(i));
      }
      closeQuietly(true);
      return;
    }
    JsonObject joined = await(prefix + "-j");
    if (joined == null && refusedByServer()) {
      return;
    }
    if (joined == null) {
      result.joinsUnanswered.increment();
      result.sample("join unanswered " + prefix + " room " + room);
      return;
    }
    if (!joined.getString("type", "").equals("joined")) {
      // An answer all the same (room-full, overloaded); whether it was right is the caller's call.
      result.joinsRefused.increment();
      result.sample("join refused " + prefix + ": " + joined.getString("code", "?"));
      return;
    }
    result.joins.increment();
    int pings = 1 + random.nextInt(3);
    for (int i = 0; i < pings; i++) {
      result.pings.increment();
      send(ping(i));
      if (await(prefix + "-p" + i) == null) {
        if (refusedByServer()) {
          return;
        }
        result.pingsUnanswered.increment();
        result.sample("ping unanswered " + prefix + "-p" + i);
        return;
      }
      pause(random.nextInt(100));
    }
    switch (mode) {
      case CLEAN -> closeCleanly();
      case LEAVE_THEN_CLOSE -> {
        send("{\"type\":\"leave\",\"requestId\":\"" + prefix + "-l\"}");
        if (await(prefix + "-l") == null) {
          result.pingsUnanswered.increment();
          result.sample("leave unanswered " + prefix);
          return;
        }
        closeCleanly();
      }
      case FIN -> socket.shutdownOutput();
      case RST -> closeQuietly(true);
      case STOP_READING -> {
        // Ask for answers and never read them; the server's writes back up in our small buffer.
        for (int i = 0; i < 40; i++) {
          send(ping(100 + i));
        }
        pause(500 + random.nextInt(2_000));
        socket.shutdownOutput();
      }
      default -> throw new IllegalStateException(mode.name());
    }
  }

  /**
   * Whether the server closed this socket with 1013 (Try Again Later: low on memory, draining), an
   * answer a client handles by retrying; counted as refused.
   */
  private boolean refusedByServer() {
    if (serverCloseCode == 1013) {
      result.wsRefused.increment();
      return true;
    }
    return false;
  }

  private String ping(int n) {
    return "{\"type\":\"ping\",\"requestId\":\"" + prefix + "-p" + n + "\",\"ts\":1}";
  }

  private byte[] upgradeRequest() {
    byte[] key = new byte[16];
    random.nextBytes(key);
    return ("GET "
            + base.getPath()
            + "ws HTTP/1.1\r\nHost: "
            + base.getHost()
            + ":"
            + base.getPort()
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(key)
            + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Reads the handshake answer: true for a proper 101, false for a refusal (counted). */
  private boolean upgraded() throws IOException {
    var raw = new ByteArrayOutputStream();
    String status = line(raw);
    boolean switching = status.startsWith("HTTP/1.1 101 ");
    boolean upgradeHeader = false;
    for (String header = line(raw); !header.isEmpty(); header = line(raw)) {
      upgradeHeader |= header.equalsIgnoreCase("upgrade: websocket");
    }
    if (switching && upgradeHeader) {
      return true;
    }
    if (status.startsWith("HTTP/1.1 403 ") || status.startsWith("HTTP/1.1 503 ")) {
      result.wsRefused.increment();
      return false;
    }
    int extra = Math.min(in.available(), 512);
    raw.write(in.readNBytes(extra));
    result.wsUpgradeBad.increment();
    result.sample("upgrade answered " + prefix + ": " + ChurnResult.escape(raw.toByteArray()));
    return false;
  }

  private String line(ByteArrayOutputStream raw) throws IOException {
    var line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("closed during the handshake answer");
      }
      raw.write(c);
      if (c != '\r') {
        line.append((char) c);
      }
    }
    raw.write('\n');
    return line.toString();
  }

  /**
   * Reads frames until the reply to {@code requestId}, checking each one; answers the server's
   * pings as a browser does.
   *
   * @return the reply, or null if none came within {@link #ANSWER_TIMEOUT_MS} or the socket closed
   */
  private JsonObject await(String requestId) throws IOException {
    long start = System.nanoTime();
    long until = start + ANSWER_TIMEOUT_MS * 1_000_000L;
    while (System.nanoTime() < until) {
      int first;
      try {
        first = in.readUnsignedByte();
      } catch (SocketTimeoutException e) {
        return null;
      }
      int second = in.readUnsignedByte();
      long length = second & 0x7F;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      int opcode = first & 0x0F;
      if ((first & 0x70) != 0 || (second & 0x80) != 0 || length > 1 << 20) {
        badFrame("header", new byte[] {(byte) first, (byte) second});
        return null;
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      result.wsFrames.increment();
      switch (opcode) {
        case PING -> writeFrame(PONG, payload);
        case PONG -> {}
        case CLOSE -> {
          serverCloseCode =
              payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
          return null;
        }
        case TEXT -> {
          JsonObject message = check(payload);
          if (message != null && requestId.equals(message.getString("requestId", null))) {
            result.answered((System.nanoTime() - start) / 1_000_000, LATE_MS);
            return message;
          }
        }
        default -> badFrame("opcode " + opcode, payload);
      }
    }
    return null;
  }

  /** The frame as JSON if it belongs to this client; counts it otherwise. */
  private JsonObject check(byte[] payload) {
    JsonObject message;
    try (var reader =
        Json.createReader(new StringReader(new String(payload, StandardCharsets.UTF_8)))) {
      message = reader.readObject();
    } catch (JsonException | ClassCastException e) {
      badFrame("not json", payload);
      return null;
    }
    String requestId = string(message, "requestId");
    String roomId = string(message, "roomId");
    boolean ours =
        (requestId == null || requestId.startsWith(prefix + "-"))
            && (roomId == null || roomId.equals(room))
            && (requestId != null
                || roomId != null
                || message.getString("type", "").equals("error"));
    if (!ours) {
      result.wsForeignFrames.increment();
      result.sample(
          "foreign frame for " + prefix + " in " + room + ": " + ChurnResult.escape(payload));
      return null;
    }
    return message;
  }

  private static String string(JsonObject message, String name) {
    JsonValue value = message.get(name);
    return value instanceof JsonString s ? s.getString() : null;
  }

  private void badFrame(String what, byte[] payload) {
    result.wsBadFrames.increment();
    result.sample("bad frame (" + what + ") for " + prefix + ": " + ChurnResult.escape(payload));
  }

  private void closeCleanly() throws IOException {
    writeFrame(CLOSE, new byte[] {0x03, (byte) 0xE8}); // 1000
    while (await(prefix + "-none") != null) {
      // read to the server's close frame (await returns null on it)
    }
  }

  private void send(String text) throws IOException {
    writeFrame(TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** One masked frame (RFC 6455 §5.3: clients mask every frame). */
  private void writeFrame(int opcode, byte[] payload) throws IOException {
    var frame = new ByteArrayOutputStream(payload.length + 8);
    frame.write(0x80 | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length);
    }
    byte[] mask = new byte[4];
    random.nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i & 3]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  private void closeQuietly(boolean reset) {
    if (socket == null) {
      return;
    }
    try {
      if (reset) {
        socket.setSoLinger(true, 0);
      }
      socket.close();
    } catch (IOException e) {
      // already gone
    }
    socket = null;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
