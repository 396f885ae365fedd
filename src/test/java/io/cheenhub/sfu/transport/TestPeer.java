package io.cheenhub.sfu.transport;

import io.cheenhub.sfu.loadgen.peer.PeerSdp;
import io.cheenhub.sfu.sdp.Attribute;
import io.cheenhub.sfu.sdp.MediaDescription;
import io.cheenhub.sfu.sdp.SdpException;
import io.cheenhub.sfu.sdp.SdpParser;
import io.cheenhub.sfu.sdp.SessionDescription;
import io.cheenhub.sfu.transport.dtls.DtlsCertificate;
import io.cheenhub.sfu.transport.dtls.DtlsParameters;
import io.cheenhub.sfu.transport.dtls.DtlsSession;
import io.cheenhub.sfu.transport.dtls.Fingerprint;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome;
import io.cheenhub.sfu.transport.srtp.DtlsRole;
import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import io.cheenhub.sfu.transport.srtp.SrtpSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebRTC peer built from the project's own transport code in the client role, standing in for a
 * browser: ICE controlling ({@link IcePeer}), DTLS client, SRTP. Test scope only.
 */
public final class TestPeer implements AutoCloseable {

  /** Room after a packet for the SRTP tag and SRTCP index. */
  static final int TAIL_ROOM = 32;

  final IcePeer ice;
  final DtlsCertificate certificate;
  private final List<SrtpProfile> profiles;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final CompletableFuture<HandshakeOutcome> outcome = new CompletableFuture<>();
  final BlockingQueue<byte[]> receivedRtp = new LinkedBlockingQueue<>();
  final BlockingQueue<byte[]> receivedRtcp = new LinkedBlockingQueue<>();
  private volatile DtlsSession dtls;
  private volatile SrtpSession srtp;

  public TestPeer(List<SrtpProfile> profiles) throws IOException {
    this(DtlsCertificate.generate(), profiles);
  }

  TestPeer(DtlsCertificate certificate, List<SrtpProfile> profiles) throws IOException {
    this.ice = new IcePeer();
    this.certificate = certificate;
    this.profiles = profiles;
    ice.onData(this::onData);
  }

  /** The fingerprint to put in this peer's (imaginary) offer. */
  Fingerprint fingerprint() {
    return certificate.fingerprint();
  }

  /**
   * A browser-like publish offer for this peer: BUNDLE, rtcp-mux, sendonly Opus PT 111, this peer's
   * ICE credentials and certificate fingerprint, {@code a=setup:actpass}.
   */
  public String publishOffer() {
    return String.join(
            "\r\n",
            "v=0",
            "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0",
            "a=msid-semantic: WMS peer",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "c=IN IP4 0.0.0.0",
            "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:" + ice.ufrag,
            "a=ice-pwd:" + ice.password,
            "a=ice-options:trickle",
            "a=fingerprint:" + fingerprint().algorithm() + " " + fingerprint().value(),
            "a=setup:actpass",
            "a=mid:0",
            "a=sendonly",
            "a=msid:peer track",
            "a=rtcp-mux",
            "a=rtpmap:111 opus/48000/2",
            "a=fmtp:111 minptime=10;useinbandfec=1",
            "a=ssrc:4660 cname:peer")
        + "\r\n";
  }

  /**
   * A browser-like answer to a server subscribe offer: every m-line kept in order ({@code
   * recvonly}, or port 0 where the offer retired it, {@code inactive} where the offer is), this
   * peer's ICE credentials and fingerprint, {@code a=setup:active}, Opus 111 and the audio-level
   * extension.
   */
  public String subscribeAnswer(String offerSdp) throws SdpException {
    return PeerSdp.subscribeAnswer(
        SdpParser.parse(offerSdp), new PeerSdp.Local(ice.ufrag, ice.password, fingerprint(), null));
  }

  /** The next decrypted RTP packet received, or null after {@code timeout}. */
  public byte[] nextRtp(Duration timeout) throws InterruptedException {
    return receivedRtp.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Drops every RTP packet received so far. */
  public void clearRtp() {
    receivedRtp.clear();
  }

  /**
   * {@link #connect(String, String, Fingerprint, InetSocketAddress)} to what the server's SDP
   * names: its first active m-line's credentials, fingerprint and first candidate.
   */
  public HandshakeOutcome connect(SessionDescription remote) throws Exception {
    MediaDescription first =
        remote.media().stream().filter(m -> m.port() != 0).findFirst().orElseThrow();
    Attribute.Fingerprint fingerprint = remote.fingerprints(first).get(0);
    Attribute.Candidate candidate = first.candidates().get(0);
    return connect(
        remote.effective(first, Attribute.IceUfrag.class).orElseThrow().ufrag(),
        remote.effective(first, Attribute.IcePwd.class).orElseThrow().password(),
        new Fingerprint(fingerprint.hashFunction(), fingerprint.fingerprint()),
        new InetSocketAddress(candidate.address(), candidate.port()));
  }

  /** ICE to {@code server}, then the DTLS handshake as client; returns how it ended. */
  public HandshakeOutcome connect(
      String serverUfrag,
      String serverPassword,
      Fingerprint serverFingerprint,
      InetSocketAddress server)
      throws Exception {
    ice.connect(serverUfrag, serverPassword, server);
    dtls =
        DtlsSession.client(
            new DtlsParameters(
                "test-peer",
                certificate,
                List.of(serverFingerprint),
                profiles,
                Duration.ofSeconds(10)),
            ice::send,
            executor,
            new DtlsSession.Listener() {
              @Override
              public void onHandshakeOutcome(DtlsSession session, HandshakeOutcome result) {
                if (result instanceof HandshakeOutcome.Established established) {
                  srtp =
                      new SrtpSession(
                          established.profile(), established.keyingMaterial(), DtlsRole.CLIENT);
                }
                outcome.complete(result);
              }
            });
    dtls.start();
    return outcome.get(15, TimeUnit.SECONDS);
  }

  /** Encrypts and sends one RTP packet built from the arguments. */
  public void sendRtp(int ssrc, int payloadType, int sequence, long timestamp, byte[] payload)
      throws IOException {
    byte[] packet = rtpPacket(ssrc, payloadType, sequence, timestamp, payload);
    int length = srtp.protectRtp(packet, 0, packet.length - TAIL_ROOM);
    if (length < 0) {
      throw new IOException("protect failed: " + length);
    }
    ice.send(packet, 0, length);
  }

  /**
   * A plain RTP packet (RFC 3550 §5.1, no CSRC, no extension) followed by {@link #TAIL_ROOM} spare
   * bytes for the SRTP tag.
   */
  static byte[] rtpPacket(int ssrc, int payloadType, int sequence, long timestamp, byte[] payload) {
    byte[] packet = new byte[12 + payload.length + TAIL_ROOM];
    packet[0] = (byte) 0x80;
    packet[1] = (byte) payloadType;
    packet[2] = (byte) (sequence >>> 8);
    packet[3] = (byte) sequence;
    for (int i = 0; i < 4; i++) {
      packet[4 + i] = (byte) (timestamp >>> (24 - 8 * i));
      packet[8 + i] = (byte) (ssrc >>> (24 - 8 * i));
    }
    System.arraycopy(payload, 0, packet, 12, payload.length);
    return packet;
  }

  /** Encrypts and sends one RTCP datagram; returns the bytes as sent (for replay tests). */
  byte[] sendRtcp(byte[] rtcp) throws IOException {
    byte[] packet = Arrays.copyOf(rtcp, rtcp.length + TAIL_ROOM);
    int length = srtp.protectRtcp(packet, 0, rtcp.length);
    if (length < 0) {
      throw new IOException("protect failed: " + length);
    }
    ice.send(packet, 0, length);
    return Arrays.copyOf(packet, length);
  }

  private void onData(byte[] data) {
    int first = data[0] & 0xFF;
    if (first >= 20 && first <= 63) {
      DtlsSession session = dtls;
      if (session != null) {
        session.offerDatagram(data, 0, data.length);
      }
      return;
    }
    SrtpSession session = srtp;
    if (session == null || first < 128 || first > 191) {
      return;
    }
    int payloadType = data[1] & 0xFF;
    byte[] packet = Arrays.copyOf(data, data.length + TAIL_ROOM);
    if (payloadType >= 192 && payloadType <= 223) {
      int length = session.unprotectRtcp(packet, 0, data.length);
      if (length > 0) {
        receivedRtcp.add(Arrays.copyOf(packet, length));
      }
    } else {
      int length = session.unprotectRtp(packet, 0, data.length);
      if (length > 0) {
        receivedRtp.add(Arrays.copyOf(packet, length));
      }
    }
  }

  /** The network under the peer disappears: its socket closes without a DTLS close_notify. */
  public void vanish() {
    ice.close();
  }

  @Override
  public void close() {
    try {
      if (dtls != null) {
        dtls.close();
        dtls.whenTerminated().toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
      ice.close();
      executor.shutdown();
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test peer executor did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("DTLS session did not terminate", e);
    }
  }
}
