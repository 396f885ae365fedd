package io.cheenhub.sfu.signaling;

import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.Encoder;
import jakarta.websocket.EndpointConfig;

/** JSON-B encoder of server messages. */
public final class MessageEncoder implements Encoder.Text<Message> {

  private MessageCodec codec;

  @Override
  public void init(EndpointConfig config) {
    codec = CDI.current().select(SignalingService.class).get().codec();
  }

  @Override
  public String encode(Message message) {
    return codec.encode(message);
  }
}
