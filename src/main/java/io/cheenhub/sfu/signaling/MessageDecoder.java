package io.cheenhub.sfu.signaling;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.DecodeException;
import jakarta.websocket.Decoder;
import jakarta.websocket.EndpointConfig;

/**
 * JSON-B decoder of client frames. A refused frame becomes a {@link DecodeException} whose cause is
 * the {@link SignalingException} that the endpoint answers with an {@code error}, or an {@link
 * OversizedFrameException} for which it closes the socket.
 */
public final class MessageDecoder implements Decoder.Text<Message> {

  private MessageCodec codec;

  @Override
  public void init(EndpointConfig config) {
    codec = CDI.current().select(SignalingService.class).get().codec();
  }

  @Override
  public Message decode(String text) throws DecodeException {
    if (codec.closesConnection(text)) {
      // Tyrus 2.1 applies Session.setMaxTextMessageBufferSize only to fragmented messages (its
      // TextBuffer closes with 1009); a message in one frame reaches us whole, whatever its size.
      throw new DecodeException(
          "", "frame of " + text.length() + " characters", new OversizedFrameException());
    }
    try {
      return codec.decode(text);
    } catch (SignalingException e) {
      throw new DecodeException("", e.getMessage(), e);
    }
  }

  @Override
  public boolean willDecode(String text) {
    return true;
  }
}
