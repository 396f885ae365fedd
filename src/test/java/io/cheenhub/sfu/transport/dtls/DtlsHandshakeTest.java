package io.cheenhub.sfu.transport.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cheenhub.sfu.transport.dtls.Endpoint.Wire;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome.Established;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome.Failed;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome.FailureReason;
import io.cheenhub.sfu.transport.srtp.DtlsRole;
import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import io.cheenhub.sfu.transport.srtp.SrtpSession;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tls.CipherSuite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Our DTLS client against our DTLS server over in-memory datagram queues, with real BouncyCastle
 * and jitsi-srtp: both SRTP profiles end to end, every failure reason, lost flights, garbage, and a
 * clean close that leaves nothing running.
 */
class DtlsHandshakeTest {

  private static final DtlsCertificate SERVER_CERTIFICATE = DtlsCertificate.generate();
  private static final DtlsCertificate CLIENT_CERTIFICATE = DtlsCertificate.generate();
  private static final Duration SHORT_TIMEOUT = Duration.ofMillis(500);
  private static final int OPUS_PAYLOAD_BYTES = 160;
  private static final int SSRC = 0x1234_5678;

  // A bounded pool the test owns, standing in for the container's managed executor.
  private final ThreadPoolExecutor executor =
      new ThreadPoolExecutor(0, 16, 10, TimeUnit.SECONDS, new SynchronousQueue<>());
  private final Endpoint server = new Endpoint();
  private final Endpoint client = new Endpoint();

  @AfterEach
  void nothingKeepsRunning() throws Exception {
    for (Endpoint endpoint : List.of(server, client)) {
      if (endpoint.session != null) {
        endpoint.session.close();
        endpoint.awaitTerminated();
      }
    }
    // A worker counts as active until it has returned from our task's last statement.
    await()
        .atMost(Duration.ofSeconds(1))
        .until(() -> executor.getCompletedTaskCount() == executor.getTaskCount());
    executor.shutdown();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private static DtlsParameters serverParameters() {
    return DtlsParameters.of(
        "test=server", SERVER_CERTIFICATE, List.of(CLIENT_CERTIFICATE.fingerprint()));
  }

  private static DtlsParameters clientParameters() {
    return DtlsParameters.of(
        "test=client", CLIENT_CERTIFICATE, List.of(SERVER_CERTIFICATE.fingerprint()));
  }

  private void wire(
      DtlsParameters serverParameters,
      DtlsParameters clientParameters,
      Wire toServer,
      Wire toClient) {
    server.session =
        DtlsSession.server(serverParameters, Endpoint.toward(client, toClient), executor, server);
    client.session =
        DtlsSession.client(clientParameters, Endpoint.toward(server, toServer), executor, client);
  }

  /** Starts the client first: its ClientHello waits in the server's queue (interop P4). */
  private void startBoth() {
    assertThat(client.session.start()).isTrue();
    assertThat(server.session.start()).isTrue();
    assertThat(server.session.start()).as("second start").isFalse();
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void handshakeThenSrtpAndSrtcpBothWays(SrtpProfile profile) throws Exception {
    // The client offers only this profile, which is how a test forces CM-80.
    wire(
        serverParameters(),
        clientParameters().withSrtpProfiles(List.of(profile)),
        Wire.DIRECT,
        Wire.DIRECT);
    startBoth();

    Established atServer = server.awaitEstablished();
    Established atClient = client.awaitEstablished();
    System.out.printf(
        "dtls handshake loopback profile=%s server_ms=%d client_ms=%d%n",
        profile, atServer.handshakeDuration().toMillis(), atClient.handshakeDuration().toMillis());

    for (Established side : List.of(atServer, atClient)) {
      assertThat(side.profile()).isEqualTo(profile);
      assertThat(side.extendedMasterSecret()).isTrue();
      assertThat(side.cipherSuite()).isEqualTo(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256);
      assertThat(side.keyingMaterial()).hasSize(profile.keyingMaterialBytes());
    }
    assertThat(atServer.keyingMaterial()).isEqualTo(atClient.keyingMaterial());
    assertThat(server.session.state()).isEqualTo(DtlsSession.State.ESTABLISHED);
    assertThat(client.session.state()).isEqualTo(DtlsSession.State.ESTABLISHED);

    try (SrtpSession serverSrtp =
            new SrtpSession(atServer.profile(), atServer.keyingMaterial(), server.session.role());
        SrtpSession clientSrtp =
            new SrtpSession(atClient.profile(), atClient.keyingMaterial(), DtlsRole.CLIENT)) {
      for (int seq = 1; seq <= 50; seq++) {
        assertRtpRoundTrip(clientSrtp, serverSrtp, seq, profile);
        assertRtpRoundTrip(serverSrtp, clientSrtp, seq, profile);
      }
      assertRtcpRoundTrip(clientSrtp, serverSrtp, profile);
      assertRtcpRoundTrip(serverSrtp, clientSrtp, profile);
    }

    // The client closes: close_notify reaches the server, whose pump ends the association.
    client.session.close();
    server.closedByPeer.get(Endpoint.AWAIT_SECONDS, TimeUnit.SECONDS);
    client.awaitTerminated();
    server.awaitTerminated();
    assertThat(server.session.state()).isEqualTo(DtlsSession.State.CLOSED);
    assertThat(client.closedByPeer).isNotDone();
  }

  @Test
  void serverPreferenceWinsOverTheClientsOrder() throws Exception {
    wire(
        serverParameters(),
        clientParameters()
            .withSrtpProfiles(
                List.of(SrtpProfile.AES128_CM_HMAC_SHA1_80, SrtpProfile.AEAD_AES_128_GCM)),
        Wire.DIRECT,
        Wire.DIRECT);
    startBoth();
    assertThat(server.awaitEstablished().profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
    assertThat(client.awaitEstablished().profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
  }

  @Test
  void clientCertificateMatchingNoFingerprintIsRefused() throws Exception {
    DtlsCertificate impostor = DtlsCertificate.generate();
    wire(
        serverParameters(),
        new DtlsParameters(
            "test=impostor",
            impostor,
            List.of(SERVER_CERTIFICATE.fingerprint()),
            DtlsParameters.DEFAULT_SRTP_PROFILES,
            DtlsParameters.DEFAULT_HANDSHAKE_TIMEOUT),
        Wire.DIRECT,
        Wire.DIRECT);
    startBoth();

    assertThat(server.awaitFailed().reason()).isEqualTo(FailureReason.BAD_CERTIFICATE);
    Failed atClient = client.awaitFailed();
    assertThat(atClient.reason()).isEqualTo(FailureReason.ALERT);
    assertThat(atClient.detail()).contains("bad_certificate");
    assertThat(server.session.state()).isEqualTo(DtlsSession.State.FAILED);
  }

  @Test
  void serverCertificateMatchingNoFingerprintIsRefused() throws Exception {
    DtlsCertificate unexpected = DtlsCertificate.generate();
    wire(
        serverParameters(),
        DtlsParameters.of("test=client", CLIENT_CERTIFICATE, List.of(unexpected.fingerprint())),
        Wire.DIRECT,
        Wire.DIRECT);
    startBoth();

    assertThat(client.awaitFailed().reason()).isEqualTo(FailureReason.BAD_CERTIFICATE);
    assertThat(server.awaitFailed().reason()).isEqualTo(FailureReason.ALERT);
  }

  @Test
  void clientOfferingOnlyUnsupportedProfilesFindsNoCommonProfile() throws Exception {
    int srtpAes128CmHmacSha1_32 = 0x0002;
    server.session =
        DtlsSession.server(
            serverParameters(), Endpoint.toward(client, Wire.DIRECT), executor, server);
    client.session =
        DtlsSession.client(
            clientParameters(),
            new int[] {srtpAes128CmHmacSha1_32},
            Endpoint.toward(server, Wire.DIRECT),
            executor,
            client);
    startBoth();

    Failed atServer = server.awaitFailed();
    assertThat(atServer.reason()).isEqualTo(FailureReason.NO_COMMON_SRTP_PROFILE);
    assertThat(atServer.detail()).contains("[2]");
    assertThat(client.awaitFailed().detail()).contains("handshake_failure");
  }

  @Test
  void silentClientTimesTheServerOut() throws Exception {
    wire(
        serverParameters().withHandshakeTimeout(SHORT_TIMEOUT),
        clientParameters(),
        Wire.DIRECT,
        Wire.DIRECT);
    assertThat(server.session.start()).isTrue(); // the client never starts

    Failed failed = server.awaitFailed();
    assertThat(failed.reason()).isEqualTo(FailureReason.TIMEOUT);
    // BouncyCastle's timer counts whole milliseconds of its own clock; the elapsed time is measured
    // with nanoTime, so it can read a fraction of a millisecond short (seen: 0.4997 s for 0.5 s).
    assertThat(failed.elapsed()).isGreaterThanOrEqualTo(SHORT_TIMEOUT.minusMillis(2));
  }

  @Test
  void silentServerTimesTheClientOut() throws Exception {
    wire(
        serverParameters(),
        clientParameters().withHandshakeTimeout(SHORT_TIMEOUT),
        Wire.SILENT,
        Wire.DIRECT);
    assertThat(client.session.start()).isTrue();

    assertThat(client.awaitFailed().reason()).isEqualTo(FailureReason.TIMEOUT);
  }

  @Test
  void garbageAmongTheDatagramsDoesNotBreakTheHandshake() throws Exception {
    Random random = new Random(0x6A4BA6E);
    AtomicInteger injected = new AtomicInteger();
    Wire withGarbage =
        (datagram, to) -> {
          for (byte[] junk : garbage(random)) {
            to.session.offerDatagram(junk, 0, junk.length);
            injected.incrementAndGet();
          }
          to.session.offerDatagram(datagram, 0, datagram.length);
        };
    wire(serverParameters(), clientParameters(), withGarbage, withGarbage);
    // Garbage waiting before the handshake starts, too.
    for (int i = 0; i < 10; i++) {
      for (byte[] junk : garbage(random)) {
        server.session.offerDatagram(junk, 0, junk.length);
      }
    }
    startBoth();

    assertThat(server.awaitEstablished().keyingMaterial())
        .isEqualTo(client.awaitEstablished().keyingMaterial());
    assertThat(injected.get()).isGreaterThan(10);
    assertThat(server.session.droppedDatagrams()).as("the oversized ones").isPositive();
  }

  /** Random bytes in the DTLS first-byte range, and near-records with wrong fields. */
  private static List<byte[]> garbage(Random random) {
    byte[] noise = new byte[1 + random.nextInt(300)];
    random.nextBytes(noise);
    noise[0] = (byte) (20 + random.nextInt(44)); // RFC 7983: what the demux calls DTLS
    byte[] shortHeader = {22, (byte) 0xFE, (byte) 0xFD, 0, 0};
    byte[] wrongEpoch = record(random, 22, 0xFEFD, 7);
    byte[] wrongVersion = record(random, 22, 0x0303, 0);
    byte[] oversized = new byte[1600];
    oversized[0] = 23;
    return List.of(noise, shortHeader, wrongEpoch, wrongVersion, oversized);
  }

  private static byte[] record(Random random, int contentType, int version, int epoch) {
    byte[] record = new byte[13 + 40];
    random.nextBytes(record);
    record[0] = (byte) contentType;
    record[1] = (byte) (version >>> 8);
    record[2] = (byte) version;
    record[3] = (byte) (epoch >>> 8);
    record[4] = (byte) epoch;
    record[11] = 0;
    record[12] = 40;
    return record;
  }

  @Test
  void lostFinalFlightIsResentByTheServersPumpAfterItsHandshakeEnded() throws Exception {
    // Drop the server's ChangeCipherSpec (type 20) and epoch-1 Finished the first time only. The
    // server's handshake has returned by then; only its pump can answer the client's retransmit.
    AtomicInteger dropped = new AtomicInteger();
    Wire loseFinalFlight =
        (datagram, to) -> {
          boolean finalFlight = datagram[0] == 20 || (datagram[3] == 0 && datagram[4] == 1);
          if (finalFlight && dropped.get() < 2) {
            dropped.incrementAndGet();
            return;
          }
          to.session.offerDatagram(datagram, 0, datagram.length);
        };
    wire(serverParameters(), clientParameters(), Wire.DIRECT, loseFinalFlight);
    startBoth();

    Established atServer = server.awaitEstablished();
    Established atClient = client.awaitEstablished();
    assertThat(dropped.get()).isEqualTo(2);
    assertThat(atClient.keyingMaterial()).isEqualTo(atServer.keyingMaterial());
    assertThat(atClient.handshakeDuration())
        .as("waited for its retransmission timer")
        .isGreaterThan(atServer.handshakeDuration());
  }

  @Test
  void closeDuringTheHandshakeEndsItAndLeavesNothingRunning() throws Exception {
    wire(serverParameters(), clientParameters(), Wire.DIRECT, Wire.DIRECT);
    assertThat(server.session.start()).isTrue(); // waits for a ClientHello that never comes
    Thread.sleep(100);
    assertThat(executor.getActiveCount()).isEqualTo(1);

    server.session.close();
    Failed failed = server.awaitFailed();
    assertThat(failed.reason()).isEqualTo(FailureReason.CLOSED);
    assertThat(failed.elapsed()).isLessThan(Duration.ofSeconds(5));
    server.awaitTerminated();
    assertThat(server.session.start()).isFalse();
    assertThat(server.session.offerDatagram(new byte[] {22}, 0, 1)).isFalse();
  }

  @Test
  void closingANeverStartedSessionTerminatesAtOnce() throws Exception {
    wire(serverParameters(), clientParameters(), Wire.DIRECT, Wire.DIRECT);
    server.session.close();
    server.awaitTerminated();
    assertThat(server.session.start()).isFalse();
    assertThat(server.outcome).isNotDone();
  }

  private static void assertRtpRoundTrip(
      SrtpSession from, SrtpSession to, int seq, SrtpProfile profile) {
    byte[] plain = opusPacket(seq);
    byte[] buf = Arrays.copyOf(plain, plain.length + profile.rtpOverheadBytes());
    int sent = from.protectRtp(buf, 0, plain.length);
    assertThat(sent).isEqualTo(plain.length + profile.rtpOverheadBytes());
    assertThat(to.unprotectRtp(buf, 0, sent)).isEqualTo(plain.length);
    assertThat(Arrays.copyOf(buf, plain.length)).isEqualTo(plain);
  }

  private static void assertRtcpRoundTrip(SrtpSession from, SrtpSession to, SrtpProfile profile) {
    byte[] plain = {
      (byte) 0x80,
      (byte) 201,
      0x00,
      0x01, // empty receiver report
      0x11,
      0x22,
      0x33,
      0x44
    };
    byte[] buf = Arrays.copyOf(plain, plain.length + profile.rtcpOverheadBytes());
    int sent = from.protectRtcp(buf, 0, plain.length);
    assertThat(sent).isEqualTo(plain.length + profile.rtcpOverheadBytes());
    assertThat(to.unprotectRtcp(buf, 0, sent)).isEqualTo(plain.length);
    assertThat(Arrays.copyOf(buf, plain.length)).isEqualTo(plain);
  }

  /** Opus RTP with one-byte header extensions (audio level, abs-send-time) and 160 bytes. */
  private static byte[] opusPacket(int seq) {
    byte[] header = {
      (byte) 0x90,
      111,
      (byte) (seq >>> 8),
      (byte) seq,
      0,
      0,
      (byte) (seq >>> 8),
      (byte) seq,
      (byte) (SSRC >>> 24),
      (byte) (SSRC >>> 16),
      (byte) (SSRC >>> 8),
      (byte) SSRC,
      (byte) 0xBE,
      (byte) 0xDE,
      0,
      2,
      0x10,
      (byte) 0x9E,
      0x22,
      0x12,
      0x34,
      0x56,
      0,
      0
    };
    byte[] packet = Arrays.copyOf(header, header.length + OPUS_PAYLOAD_BYTES);
    for (int i = header.length; i < packet.length; i++) {
      packet[i] = (byte) (i * 31 + seq);
    }
    return packet;
  }
}
