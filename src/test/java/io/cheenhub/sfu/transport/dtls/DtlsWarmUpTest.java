package io.cheenhub.sfu.transport.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DtlsWarmUpTest {

  @Test
  void aHandshakeInMemoryCompletesAndLeavesNoTaskRunning() throws Exception {
    ExecutorService executor = Executors.newCachedThreadPool();
    try {
      assertThat(DtlsWarmUp.run(DtlsCertificate.generate(), executor).get(30, TimeUnit.SECONDS))
          .isTrue();
    } finally {
      executor.shutdown();
      assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
