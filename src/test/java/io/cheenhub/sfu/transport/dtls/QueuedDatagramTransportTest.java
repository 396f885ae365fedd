package io.cheenhub.sfu.transport.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The queue between the ICE receive path and BouncyCastle. */
class QueuedDatagramTransportTest {

  private final List<byte[]> sent = new ArrayList<>();
  private final QueuedDatagramTransport transport =
      new QueuedDatagramTransport(
          (buf, off, len) -> sent.add(Arrays.copyOfRange(buf, off, off + len)));

  @Test
  void limitsAreTheMtuAndIce4jsReceiveBuffer() {
    assertThat(transport.getSendLimit()).isEqualTo(1200);
    assertThat(transport.getReceiveLimit()).isEqualTo(1500);
  }

  @Test
  void deliversCopiesInOrderAndTimesOutWhenEmpty() throws IOException {
    byte[] first = {22, 1, 2};
    assertThat(transport.offer(new byte[] {9, 22, 1, 2, 9}, 1, 3)).isTrue();
    assertThat(transport.offer(new byte[] {23, 4}, 0, 2)).isTrue();
    byte[] buf = new byte[1500];
    assertThat(transport.receive(buf, 0, buf.length, 10)).isEqualTo(3);
    assertThat(Arrays.copyOf(buf, 3)).isEqualTo(first);
    assertThat(transport.receive(buf, 0, buf.length, 10)).isEqualTo(2);
    assertThat(transport.receive(buf, 0, buf.length, 10)).isEqualTo(-1);
    assertThat(transport.hasPending()).isFalse();
  }

  @Test
  void dropsAndCountsWhatBcMustNotSee() throws IOException {
    assertThat(transport.offer(new byte[1501], 0, 1501)).as("oversized").isFalse();
    assertThat(transport.offer(new byte[1], 0, 0)).as("empty").isFalse();
    byte[] hello = {22, (byte) 0xFE, (byte) 0xFF, 7};
    assertThat(transport.offer(hello, 0, hello.length)).isTrue();
    assertThat(transport.offer(hello.clone(), 0, hello.length)).as("queued duplicate").isFalse();
    transport.handshakeStarted();
    assertThat(transport.offer(hello, 0, hello.length)).as("retransmission mid-handshake").isTrue();
    assertThat(transport.dropped()).isEqualTo(3);

    byte[] small = new byte[2];
    assertThat(transport.receive(small, 0, small.length, 10)).as("does not fit").isEqualTo(-1);
    assertThat(transport.dropped()).isEqualTo(4);
  }

  @Test
  void aFullQueueDropsTheNewest() {
    transport.handshakeStarted();
    for (int i = 0; i < QueuedDatagramTransport.QUEUE_CAPACITY; i++) {
      assertThat(transport.offer(new byte[] {22, (byte) i}, 0, 2)).isTrue();
    }
    assertThat(transport.offer(new byte[] {22, 0}, 0, 2)).isFalse();
    assertThat(transport.dropped()).isEqualTo(1);
  }

  @Test
  void closeWakesABlockedReceiveAndStopsEverything() throws Exception {
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      CompletableFuture<Throwable> receiver = new CompletableFuture<>();
      executor.execute(
          () -> {
            try {
              transport.receive(new byte[1500], 0, 1500, 60_000);
              receiver.complete(null);
            } catch (IOException e) {
              receiver.complete(e);
            }
          });
      Thread.sleep(50);
      transport.close();
      assertThat(receiver.get(5, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
    } finally {
      executor.shutdownNow();
    }
    assertThat(transport.offer(new byte[] {22}, 0, 1)).isFalse();
    transport.send(new byte[] {21, 1, 0}, 0, 3);
    assertThat(sent).as("nothing sent after close").isEmpty();
    assertThatThrownBy(() -> transport.receive(new byte[10], 0, 10, 1))
        .isInstanceOf(IOException.class);
    transport.close();
  }
}
