package io.cheenhub.sfu.loadgen.peer;

import io.cheenhub.sfu.transport.dtls.DtlsCertificate;
import io.cheenhub.sfu.transport.dtls.DtlsParameters;
import io.cheenhub.sfu.transport.dtls.DtlsSession;
import io.cheenhub.sfu.transport.dtls.HandshakeOutcome;
import io.cheenhub.sfu.transport.srtp.DtlsRole;
import io.cheenhub.sfu.transport.srtp.SrtpSession;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * One client-side PeerConnection of a bot: a non-blocking UDP socket read by a {@link MediaLoop},
 * ICE (checks in either role, answers the far end's checks and consent requests), a DTLS client
 * handshake once a pair works, then SRTP both ways. Everything but the DTLS handshake runs on the
 * loop's thread; sending RTP allocates nothing.
 */
public final class Peer implements RtpSender, AutoCloseable {

  /** What the bot hears from its PeerConnection. */
  public interface Listener {
    /** ICE and DTLS are done; SRTP flows. Loop thread or DTLS thread. */
    void onConnected(Peer peer);

    /** The connection failed or ended; the peer is closed. */
    void onFailed(Peer peer, String reason);

    /**
     * One decrypted RTP packet in {@code buf[0..length)}; loop thread, and the buffer is reused
     * after the call returns.
     */
    void onRtp(Peer peer, byte[] buf, int length, long arrivedNanos);

    /**
     * One SRTP packet before it is decrypted (its RTP header is in the clear, RFC 3711 §3.1);
     * returns whether to decrypt it (and then call {@link #onRtp}). Loop thread. By default every
     * packet is decrypted.
     */
    default boolean onSrtp(Peer peer, byte[] buf, int length, long arrivedNanos) {
      return true;
    }
  }

  /** RFC 8445 §6.1.1: the offerer controls; a lite far end is always controlled. */
  public enum Role {
    CONTROLLING,
    CONTROLLED
  }

  /** Where a peer is in its life. */
  public enum State {
    NEW,
    CHECKING,
    HANDSHAKING,
    CONNECTED,
    CLOSED
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ICE_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  private static final long HOST_PRIORITY = (126L << 24) | (65_535L << 8) | 255;
  private static final long CHECK_INTERVAL_NANOS = Duration.ofMillis(50).toNanos();
  private static final long CONSENT_INTERVAL_NANOS = Duration.ofSeconds(2).toNanos();
  private static final long CONNECT_TIMEOUT_NANOS = Duration.ofSeconds(30).toNanos();
  private static final long CONSENT_TIMEOUT_NANOS = Duration.ofSeconds(30).toNanos();

  /** Room after a packet for the SRTP tag (and an SRTCP index). */
  public static final int TAIL_ROOM = 32;

  private final String label;
  private final String ufrag = random(8);
  private final String password = random(24);
  private final long tieBreaker = RANDOM.nextLong();
  private final DatagramChannel channel;
  private final InetSocketAddress local;
  private final DtlsCertificate certificate;
  private final Executor handshakes;
  private final Listener listener;
  private final Map<String, Boolean> pendingChecks = new HashMap<>(); // loop thread
  private final ByteBuffer sendWrapper;
  private final byte[] sendBuffer = new byte[1500];
  private final ByteBuffer rtcpWrapper;
  private final byte[] rtcpBuffer = new byte[1500];
  private MediaLoop loop;
  private volatile State state = State.NEW;
  private volatile SrtpSession srtp;
  private DtlsSession dtls;
  private Remote remote;
  private Role role;
  private long startedNanos;
  private long nextCheckNanos;
  private long lastResponseNanos;
  private volatile long connectedNanos;
  private long packetsSent;
  private long packetsReceived;
  private volatile long rtcpSent;
  private long decryptFailures;

  /** Binds a UDP socket on {@code bindAddress} (any port). */
  public Peer(
      String label,
      InetAddress bindAddress,
      DtlsCertificate certificate,
      Executor handshakes,
      Listener listener)
      throws IOException {
    this.label = label;
    this.certificate = certificate;
    this.handshakes = handshakes;
    this.listener = listener;
    this.channel = DatagramChannel.open();
    channel.bind(new InetSocketAddress(bindAddress, 0));
    channel.configureBlocking(false);
    this.local = (InetSocketAddress) channel.getLocalAddress();
    this.sendWrapper = ByteBuffer.wrap(sendBuffer);
    this.rtcpWrapper = ByteBuffer.wrap(rtcpBuffer);
  }

  public String label() {
    return label;
  }

  public String ufrag() {
    return ufrag;
  }

  public String password() {
    return password;
  }

  public DtlsCertificate certificate() {
    return certificate;
  }

  /** The socket's address: the host candidate to put in SDP. */
  public InetSocketAddress localAddress() {
    return local;
  }

  public State state() {
    return state;
  }

  /** How long ICE + DTLS took, or -1 before connecting. */
  public long connectMillis() {
    long connected = connectedNanos;
    return connected == 0 ? -1 : (connected - startedNanos) / 1_000_000;
  }

  public long packetsSent() {
    return packetsSent;
  }

  public long packetsReceived() {
    return packetsReceived;
  }

  public long decryptFailures() {
    return decryptFailures;
  }

  DatagramChannel channel() {
    return channel;
  }

  /**
   * Starts ICE toward {@code remote} in {@code role}; the loop runs the checks, then the DTLS
   * client handshake. Call once, from any thread.
   */
  public void start(MediaLoop loop, Remote remote, Role role) {
    loop.execute(
        () -> {
          this.loop = loop;
          this.remote = remote;
          this.role = role;
          this.startedNanos = System.nanoTime();
          this.nextCheckNanos = startedNanos;
          this.state = State.CHECKING;
          loop.register(this);
        });
  }

  /** Loop thread: checks, consent, timeouts. */
  void tick(long now) {
    State current = state;
    if (current == State.CHECKING || current == State.HANDSHAKING) {
      if (now - startedNanos > CONNECT_TIMEOUT_NANOS) {
        fail("connect-timeout (" + current + ")");
        return;
      }
      if (current == State.CHECKING && now >= nextCheckNanos) {
        sendCheck();
        nextCheckNanos = now + CHECK_INTERVAL_NANOS;
      }
    } else if (current == State.CONNECTED) {
      if (now - lastResponseNanos > CONSENT_TIMEOUT_NANOS) {
        fail("consent-expired");
        return;
      }
      if (now >= nextCheckNanos) {
        sendCheck();
        nextCheckNanos = now + CONSENT_INTERVAL_NANOS;
      }
    }
  }

  private void sendCheck() {
    byte[] transactionId = new byte[12];
    RANDOM.nextBytes(transactionId);
    if (pendingChecks.size() > 64) {
      pendingChecks.clear(); // answers that never came
    }
    pendingChecks.put(HexFormat.of().formatHex(transactionId), Boolean.TRUE);
    byte[] request =
        Stun.bindingRequest(
            transactionId,
            remote.ufrag() + ":" + ufrag,
            remote.password(),
            HOST_PRIORITY,
            tieBreaker,
            role == Role.CONTROLLING);
    sendRaw(request, 0, request.length);
  }

  /** Loop thread: one datagram from the socket in {@code buf[0..length)}. */
  void onDatagram(byte[] buf, int length, InetSocketAddress from, long now) {
    int first = buf[0] & 0xFF;
    if (first <= 3) {
      onStun(Stun.parse(buf, length), from, now);
    } else if (first >= 20 && first <= 63) {
      DtlsSession session = dtls;
      if (session != null) {
        session.offerDatagram(buf, 0, length);
      }
    } else if (first >= 128 && first <= 191) {
      SrtpSession session = srtp;
      if (session == null) {
        return;
      }
      lastResponseNanos = now; // media counts as consent too
      int payloadType = buf[1] & 0x7F;
      if (payloadType >= 64 && payloadType <= 95) {
        // RTCP (RFC 5761 §4): decrypted for its replay check and dropped (the server's sender
        // reports and receiver reports; a bot needs neither).
        if (session.unprotectRtcp(buf, 0, length) < 0) {
          decryptFailures++;
        }
        return;
      }
      if (length >= 12 && !listener.onSrtp(this, buf, length, now)) {
        packetsReceived++; // counted, never decrypted
        return;
      }
      int plain = session.unprotectRtp(buf, 0, length);
      if (plain < 0) {
        decryptFailures++;
        return;
      }
      packetsReceived++;
      listener.onRtp(this, buf, plain, now);
    }
  }

  private void onStun(Stun.Message message, InetSocketAddress from, long now) {
    if (message == null || remote == null) {
      return;
    }
    if (message.type() == Stun.BINDING_REQUEST) {
      String username = message.username();
      if (username != null
          && username.startsWith(ufrag + ":")
          && message.hasValidIntegrity(password)) {
        byte[] reply = Stun.bindingSuccess(message.transactionId(), from, password);
        sendRaw(reply, 0, reply.length);
        if (role == Role.CONTROLLED && message.nominates()) {
          pairWorks(now);
        }
      }
      return;
    }
    if (message.type() == Stun.BINDING_SUCCESS
        && pendingChecks.remove(HexFormat.of().formatHex(message.transactionId())) != null
        && message.hasValidIntegrity(remote.password())) {
      pairWorks(now);
    }
  }

  private void pairWorks(long now) {
    lastResponseNanos = now;
    if (state != State.CHECKING) {
      return;
    }
    state = State.HANDSHAKING;
    dtls =
        DtlsSession.client(
            DtlsParameters.of(label, certificate, List.of(remote.fingerprint()))
                .withHandshakeTimeout(Duration.ofSeconds(20)),
            this::sendRaw,
            handshakes,
            new DtlsSession.Listener() {
              @Override
              public void onHandshakeOutcome(DtlsSession session, HandshakeOutcome outcome) {
                if (outcome instanceof HandshakeOutcome.Established established) {
                  loop.execute(() -> established(established));
                } else {
                  loop.execute(() -> fail("dtls: " + outcome));
                }
              }

              @Override
              public void onClosedByPeer(DtlsSession session) {
                loop.execute(() -> fail("dtls closed by the far end"));
              }
            });
    dtls.start();
  }

  private void established(HandshakeOutcome.Established outcome) {
    if (state != State.HANDSHAKING) {
      return; // closed meanwhile
    }
    srtp = new SrtpSession(outcome.profile(), outcome.keyingMaterial(), DtlsRole.CLIENT);
    connectedNanos = System.nanoTime();
    nextCheckNanos = connectedNanos + CONSENT_INTERVAL_NANOS;
    state = State.CONNECTED;
    listener.onConnected(this);
  }

  /**
   * Loop thread: encrypts and sends the RTP packet in {@code packet[0..length)}, which must have
   * {@link #TAIL_ROOM} spare bytes after it. Returns false if not connected or the send failed.
   */
  @Override
  public boolean sendRtp(byte[] packet, int length) {
    SrtpSession session = srtp;
    if (session == null || state != State.CONNECTED) {
      return false;
    }
    int protectedLength = session.protectRtp(packet, 0, length);
    if (protectedLength < 0) {
      return false;
    }
    packetsSent++;
    return sendRaw(packet, 0, protectedLength);
  }

  /** Loop thread: a scratch buffer for building one packet to {@link #sendRtp}. */
  @Override
  public byte[] sendBuffer() {
    return sendBuffer;
  }

  /**
   * Loop thread: encrypts (SRTCP) and sends the plain RTCP compound in {@link #rtcpBuffer()}{@code
   * [0..length)}, which must leave {@link #TAIL_ROOM} bytes after it. Returns false if not
   * connected or the send failed.
   */
  public boolean sendRtcp(int length) {
    SrtpSession session = srtp;
    if (session == null || state != State.CONNECTED) {
      return false;
    }
    int protectedLength = session.protectRtcp(rtcpBuffer, 0, length);
    if (protectedLength < 0) {
      return false;
    }
    rtcpSent++;
    return sendRaw(rtcpBuffer, 0, protectedLength);
  }

  /** Loop thread: the buffer to write one RTCP compound into for {@link #sendRtcp}. */
  public byte[] rtcpBuffer() {
    return rtcpBuffer;
  }

  /** RTCP compounds sent. */
  public long rtcpSent() {
    return rtcpSent;
  }

  private boolean sendRaw(byte[] buf, int off, int len) {
    Remote target = remote;
    if (target == null || !channel.isOpen()) {
      return false;
    }
    try {
      ByteBuffer data;
      if (buf == sendBuffer) {
        data = sendWrapper.limit(off + len).position(off);
      } else if (buf == rtcpBuffer) {
        data = rtcpWrapper.limit(off + len).position(off);
      } else {
        data = ByteBuffer.wrap(buf, off, len);
      }
      channel.send(data, target.address());
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void fail(String reason) {
    if (state == State.CLOSED) {
      return;
    }
    closeNow();
    listener.onFailed(this, reason);
  }

  /**
   * Closes DTLS (close_notify), SRTP and the socket, on the loop's thread (SRTP contexts are not
   * shared across threads). Idempotent.
   */
  @Override
  public void close() {
    MediaLoop owner = loop;
    if (owner == null) {
      closeNow();
    } else {
      owner.execute(this::closeNow);
    }
  }

  private void closeNow() {
    if (state == State.CLOSED) {
      return;
    }
    DtlsSession session = dtls;
    if (session != null) {
      session.close(); // close_notify goes out while the socket is still open
    }
    state = State.CLOSED;
    SrtpSession keys = srtp;
    srtp = null;
    if (keys != null) {
      keys.close();
    }
    if (loop != null) {
      loop.unregister(this);
    }
    closeChannel();
  }

  void closeChannel() {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing left to do with it
    }
  }

  private static String random(int length) {
    var text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append(ICE_CHARS.charAt(RANDOM.nextInt(ICE_CHARS.length())));
    }
    return text.toString();
  }
}
