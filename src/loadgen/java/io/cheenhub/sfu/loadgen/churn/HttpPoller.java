package io.cheenhub.sfu.loadgen.churn;

import jakarta.json.Json;
import jakarta.json.JsonException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * One raw HTTP/1.1 keep-alive client that asks the server's read-only endpoints again and again and
 * checks every byte of every answer: the status line starts where the previous answer ended, the
 * framing (Content-Length or chunked) is exact, and the body is what the endpoint serves (JSON that
 * parses whole, or Prometheus text line by line). A WebSocket frame of another client inside an
 * answer, before it or after it breaks one of these and is reported with its bytes.
 */
final class HttpPoller implements Runnable {

  /** Time to wait for any byte of an answer before it counts as unanswered (as for the sockets). */
  private static final int READ_TIMEOUT_MS = ChurnClient.ANSWER_TIMEOUT_MS;

  private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) [ -~]*");
  private static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\\t -~]*");

  /** A Prometheus text exposition line: a comment, or a sample with optional labels. */
  private static final Pattern METRIC_LINE =
      Pattern.compile(
          "(#[ -~]*)|([a-zA-Z_:][a-zA-Z0-9_:]*(\\{[ -~]*\\})? [-+0-9.eENaIinf]+( -?[0-9]+)?)");

  private final URI base;
  private final List<String> rooms;
  private final ChurnResult result;
  private final long deadlineNanos;
  private final Random random;

  HttpPoller(URI base, List<String> rooms, ChurnResult result, long deadlineNanos, long seed) {
    this.base = base;
    this.rooms = rooms;
    this.result = result;
    this.deadlineNanos = deadlineNanos;
    this.random = new Random(seed);
  }

  @Override
  public void run() {
    while (System.nanoTime() < deadlineNanos) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        socket.setTcpNoDelay(true);
        InputStream in = new BufferedInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        while (System.nanoTime() < deadlineNanos) {
          String path = nextPath();
          out.write(
              ("GET "
                      + path
                      + " HTTP/1.1\r\nHost: "
                      + base.getHost()
                      + ":"
                      + base.getPort()
                      + "\r\nAccept: */*\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          long asked = System.nanoTime();
          boolean more = readAnswer(in, path);
          result.answered((System.nanoTime() - asked) / 1_000_000, ChurnClient.LATE_MS);
          if (!more) {
            break; // the server closed the connection (Connection: close) or the answer was bad
          }
        }
      } catch (IOException e) {
        if (System.nanoTime() < deadlineNanos) {
          result.httpErrors.increment();
        }
      }
    }
  }

  private String nextPath() {
    String room = base.getPath() + "api/rooms/" + rooms.get(random.nextInt(rooms.size()));
    return switch (random.nextInt(6)) {
      case 0 -> base.getPath() + "api/rooms";
      case 1 -> room;
      case 2 -> base.getPath() + "metrics";
      case 3 -> "/health/ready";
      case 4 -> "/health/live";
      default -> "/health";
    };
  }

  /**
   * Reads and checks one answer.
   *
   * @return whether the connection can carry the next request
   */
  private boolean readAnswer(InputStream in, String path) throws IOException {
    var raw = new ByteArrayOutputStream();
    String status;
    try {
      status = line(in, raw);
    } catch (SocketTimeoutException e) {
      result.httpUnanswered.increment();
      result.sample("http unanswered " + path);
      return false;
    }
    if (status == null) {
      return false; // closed between answers: keep-alive ended by the server
    }
    var matcher = STATUS.matcher(status);
    if (!matcher.matches()) {
      return bad(path, "status line", raw, in);
    }
    int code = Integer.parseInt(matcher.group(1));
    long contentLength = -1;
    boolean chunked = false;
    boolean close = false;
    String contentType = "";
    while (true) {
      String header = line(in, raw);
      if (header == null) {
        return bad(path, "headers cut", raw, in);
      }
      if (header.isEmpty()) {
        break;
      }
      if (!HEADER.matcher(header).matches()) {
        return bad(path, "header", raw, in);
      }
      int colon = header.indexOf(':');
      String name = header.substring(0, colon).toLowerCase(Locale.ROOT);
      String value = header.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> contentLength = Long.parseLong(value);
        case "transfer-encoding" -> chunked = value.equalsIgnoreCase("chunked");
        case "connection" -> close = value.equalsIgnoreCase("close");
        case "content-type" -> contentType = value;
        default -> {}
      }
    }
    byte[] body;
    if (chunked) {
      body = chunkedBody(in, raw);
      if (body == null) {
        return bad(path, "chunk framing", raw, in);
      }
    } else if (contentLength >= 0) {
      body = in.readNBytes((int) contentLength);
      raw.write(body);
      if (body.length != contentLength) {
        return bad(path, "body cut", raw, in);
      }
    } else {
      body = in.readAllBytes();
      raw.write(body);
      close = true;
    }
    String problem = checkBody(path, code, contentType, body);
    if (problem != null) {
      return bad(path, problem, raw, in);
    }
    result.httpAnswers.increment();
    return !close;
  }

  /** Whether the body is what {@code path} serves; null if it is, else what is wrong. */
  private static String checkBody(String path, int code, String contentType, byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    boolean health = path.startsWith("/health");
    boolean metrics = path.endsWith("/metrics");
    boolean known = code == 200 || (health && code == 503) || (!metrics && code == 404);
    if (!known) {
      return "status " + code;
    }
    if (metrics) {
      for (String line : text.split("\n", -1)) {
        if (!line.isEmpty() && !METRIC_LINE.matcher(line).matches()) {
          return "metrics line";
        }
      }
      return text.endsWith("\n") ? null : "metrics end";
    }
    if (code == 404 && !contentType.startsWith("application/json")) {
      return text.contains("\"type\"") || hasControl(text) ? "404 body" : null;
    }
    try (var reader = Json.createReader(new StringReader(text))) {
      reader.readValue(); // JSON-P reads one value and refuses anything after it
      return null;
    } catch (JsonException e) {
      return "json";
    }
  }

  private static boolean hasControl(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c >= 0x7F && c <= 0x9F) {
        return true;
      }
    }
    return false;
  }

  private boolean bad(String path, String what, ByteArrayOutputStream raw, InputStream in)
      throws IOException {
    // Add what already arrived after the bad part, without waiting for more.
    int extra = Math.min(in.available(), 512);
    if (extra > 0) {
      raw.write(in.readNBytes(extra));
    }
    result.httpBad.increment();
    result.sample("http bad " + what + " " + path + ": " + ChurnResult.escape(raw.toByteArray()));
    return false;
  }

  /** One CRLF-terminated line (ASCII), or null at the end of the stream before any byte. */
  private static String line(InputStream in, ByteArrayOutputStream raw) throws IOException {
    var line = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        return line.length() == 0 ? null : line.toString();
      }
      raw.write(c);
      if (c == '\n') {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r'
            ? line.substring(0, end - 1)
            : line.append("<LF>").toString();
      }
      line.append((char) c);
      if (line.length() > 16_384) {
        return line.toString();
      }
    }
  }

  /** RFC 9112 §7.1 chunked body; null when the framing is not exact. */
  private static byte[] chunkedBody(InputStream in, ByteArrayOutputStream raw) throws IOException {
    var body = new ByteArrayOutputStream();
    while (true) {
      String size = line(in, raw);
      if (size == null || !size.matches("[0-9a-fA-F]{1,8}(;[ -~]*)?")) {
        return null;
      }
      int length = Integer.parseInt(size.split(";", 2)[0], 16);
      if (length == 0) {
        String trailer;
        while ((trailer = line(in, raw)) != null && !trailer.isEmpty()) {
          // trailer fields: none expected, allowed by the grammar
        }
        return trailer == null ? null : body.toByteArray();
      }
      byte[] chunk = in.readNBytes(length);
      raw.write(chunk);
      body.write(chunk);
      String end = line(in, raw);
      if (chunk.length != length || end == null || !end.isEmpty()) {
        return null;
      }
    }
  }
}
