package io.cheenhub.sfu.transport.dtls;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One DTLS-SRTP handshake in memory at start-up, server against client, so the first browser after
 * a deploy or restart does not pay for class loading and crypto initialisation: the first handshake
 * of a fresh JVM takes ~200 ms of CPU, later ones ~12 ms (DtlsHandshakeTest prints both).
 */
public final class DtlsWarmUp {

  private static final Logger LOG = Logger.getLogger(DtlsWarmUp.class.getName());
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private DtlsWarmUp() {}

  /** Runs the handshake on {@code executor} (it blocks two of its threads briefly). */
  public static CompletableFuture<Boolean> run(
      DtlsCertificate serverCertificate, Executor executor) {
    long start = System.nanoTime();
    DtlsCertificate clientCertificate = DtlsCertificate.generate();
    var toServer = new AtomicReference<DtlsSession>();
    var toClient = new AtomicReference<DtlsSession>();
    var serverDone = new CompletableFuture<HandshakeOutcome>();
    var clientDone = new CompletableFuture<HandshakeOutcome>();
    DtlsSession server =
        DtlsSession.server(
            DtlsParameters.of(
                "warm-up server", serverCertificate, List.of(clientCertificate.fingerprint())),
            (buf, off, len) -> toClient.get().offerDatagram(buf, off, len),
            executor,
            (session, outcome) -> serverDone.complete(outcome));
    DtlsSession client =
        DtlsSession.client(
            DtlsParameters.of(
                "warm-up client", clientCertificate, List.of(serverCertificate.fingerprint())),
            (buf, off, len) -> toServer.get().offerDatagram(buf, off, len),
            executor,
            (session, outcome) -> clientDone.complete(outcome));
    toServer.set(server);
    toClient.set(client);
    server.start();
    client.start();
    return serverDone
        .thenCombine(
            clientDone,
            (s, c) ->
                s instanceof HandshakeOutcome.Established
                    && c instanceof HandshakeOutcome.Established)
        .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (ok, error) -> {
              client.close();
              server.close();
              boolean established = ok != null && ok;
              LOG.log(
                  established ? Level.INFO : Level.WARNING,
                  () ->
                      "dtls warm-up "
                          + (established ? "done" : "failed: " + error)
                          + " ms="
                          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
              return established;
            });
  }
}
