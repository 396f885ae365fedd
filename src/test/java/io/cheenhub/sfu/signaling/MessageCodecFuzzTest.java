package io.cheenhub.sfu.signaling;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the signaling codec on any text frame (docs/quality.md, "Fuzzing"):
 * {@link MessageCodec#decode} returns a client message or throws {@link SignalingException},
 * nothing else; a decoded message encodes and decodes back to itself.
 *
 * <p>Seeds are the frames of {@code MessageCodecTest} under {@code MessageCodecFuzzTestInputs/};
 * plain {@code mvn test} replays them as regression tests.
 */
class MessageCodecFuzzTest {

  /** Small enough that the fuzzer also reaches the too-large paths. */
  private static final int MAX_FRAME = 1_000;

  private final MessageCodec codec = new MessageCodec(MAX_FRAME);

  @FuzzTest(maxDuration = "60s")
  void decode(byte[] input) {
    // WebSocket text frames are UTF-8; invalid sequences become U+FFFD.
    String frame = new String(input, StandardCharsets.UTF_8);
    Message.ClientMessage message;
    try {
      message = codec.decode(frame);
    } catch (SignalingException e) {
      if (e.code() == null) {
        throw new AssertionError("SignalingException without an error code", e);
      }
      e.toMessage();
      return;
    }
    if (message == null) {
      throw new AssertionError("decode returned null for " + frame);
    }
    String encoded = codec.encode(message);
    if (encoded.length() > MAX_FRAME) {
      return; // escaping can lengthen a frame past the limit; the round trip is moot then
    }
    try {
      Message again = codec.decode(encoded);
      if (!again.equals(message)) {
        throw new AssertionError("round trip changed " + message + " into " + again);
      }
    } catch (SignalingException e) {
      throw new AssertionError("own encoding of " + message + " does not decode: " + encoded, e);
    }
  }
}
