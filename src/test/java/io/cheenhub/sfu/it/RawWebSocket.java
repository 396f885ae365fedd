package io.cheenhub.sfu.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A minimal RFC 6455 client on a plain socket, for floods: many frames go out in one TCP write, so
 * the server sees them as fast as it can read, however slow the test machine is.
 */
final class RawWebSocket implements AutoCloseable {

  /** A frame the server sent: opcode 1 (text) or 8 (close: code and reason). */
  record Frame(int opcode, String text, int closeCode) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  RawWebSocket(URI uri) throws IOException {
    socket = new Socket(uri.getHost(), uri.getPort());
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    String request =
        "GET "
            + uri.getRawPath()
            + " HTTP/1.1\r\n"
            + "Host: "
            + uri.getHost()
            + ":"
            + uri.getPort()
            + "\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(key)
            + "\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String status = readLine();
    if (!status.contains(" 101 ")) {
      throw new IOException("upgrade refused: " + status);
    }
    while (!readLine().isEmpty()) {
      // response headers
    }
  }

  /** Sends every text as its own masked frame, all in one write. */
  void sendAll(List<String> texts) throws IOException {
    var frames = new ByteArrayOutputStream();
    for (String text : texts) {
      writeFrame(frames, 0x81, text.getBytes(StandardCharsets.UTF_8));
    }
    out.write(frames.toByteArray());
    out.flush();
  }

  /** Sends {@code text} as one unfragmented text frame, however large. */
  void send(String text) throws IOException {
    sendAll(List.of(text));
  }

  /**
   * Sends {@code text} as a fragmented message (RFC 6455 §5.4): a text frame and continuation
   * frames of {@code fragmentBytes} each.
   */
  void sendFragmented(String text, int fragmentBytes) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    for (int offset = 0; offset < payload.length; offset += fragmentBytes) {
      int end = Math.min(payload.length, offset + fragmentBytes);
      int opcode = offset == 0 ? 0x1 : 0x0;
      var frame = new ByteArrayOutputStream();
      writeFrame(
          frame,
          (end == payload.length ? 0x80 : 0) | opcode,
          java.util.Arrays.copyOfRange(payload, offset, end));
      out.write(frame.toByteArray());
    }
    out.flush();
  }

  /** RFC 6455 §5.2: 7-bit, 16-bit or 64-bit payload length; client frames are masked. */
  private static void writeFrame(ByteArrayOutputStream frames, int first, byte[] payload) {
    frames.write(first);
    if (payload.length < 126) {
      frames.write(0x80 | payload.length);
    } else if (payload.length <= 0xFFFF) {
      frames.write(0x80 | 126);
      frames.write(payload.length >>> 8);
      frames.write(payload.length);
    } else {
      frames.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frames.write((int) ((long) payload.length >>> shift));
      }
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    frames.write(mask, 0, 4);
    for (int i = 0; i < payload.length; i++) {
      frames.write(payload[i] ^ mask[i & 3]);
    }
  }

  /** The next text or close frame; pings are skipped. */
  Frame next() throws IOException {
    while (true) {
      Frame frame = readFrame();
      if (frame != null) {
        return frame;
      }
    }
  }

  /** The next text frame containing {@code "type":"<type>"}; fails on a close. */
  String next(String type) throws IOException {
    while (true) {
      Frame frame = next();
      if (frame.opcode() == 8) {
        throw new IOException("closed " + frame.closeCode() + " " + frame.text());
      }
      if (frame.text().contains("\"type\":\"" + type + "\"")) {
        return frame.text();
      }
    }
  }

  /** Reads frames until the server closes; pings are skipped. */
  List<Frame> readUntilClose() throws IOException {
    List<Frame> frames = new ArrayList<>();
    while (true) {
      Frame frame = next();
      frames.add(frame);
      if (frame.opcode() == 8) {
        return frames;
      }
    }
  }

  /** One frame: text or close, or null for anything else (ping, pong). */
  private Frame readFrame() throws IOException {
    int first = in.readUnsignedByte();
    int second = in.readUnsignedByte();
    long length = second & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    int opcode = first & 0x0F;
    if (opcode == 8) {
      int code = payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
      String reason =
          payload.length > 2
              ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
              : "";
      return new Frame(8, reason, code);
    }
    if (opcode == 1) {
      return new Frame(1, new String(payload, StandardCharsets.UTF_8), 0);
    }
    return null;
  }

  private String readLine() throws IOException {
    var line = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
