package io.cheenhub.sfu.transport.srtp;

import java.util.Arrays;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP and SRTCP protection of one DTLS-SRTP association (RFC 3711, RFC 5764, RFC 7714).
 *
 * <p>Every method works in place on {@code buf[off, off + len)} and returns the new length, or a
 * negative {@link SrtpDrop#status()} (counted, see {@link #dropCount}); none throws for bad input.
 * Protecting appends the tag, so the caller's array must have {@link
 * SrtpProfile#rtpOverheadBytes()} (RTP) or {@link SrtpProfile#rtcpOverheadBytes()} (RTCP) spare
 * bytes after the packet.
 *
 * <p>Threads: the two directions are independent. {@code protect*} calls must come from one thread
 * at a time (the transport's serial send queue) and {@code unprotect*} calls from one thread at a
 * time (its serial receive queue); the two may run concurrently. Each direction reuses one packet
 * holder, so the per-packet path allocates nothing of its own. Counters may be read from any
 * thread. Call {@link #close} once both queues have stopped.
 */
public final class SrtpSession implements AutoCloseable {

  /** SSRCs with a cached context, per direction and per RTP/RTCP, before the least used goes. */
  public static final int MAX_SSRCS = 256;

  private static final Logger JITSI_LOGGER = new LoggerImpl(SrtpSession.class.getName());

  private final SrtpProfile profile;
  private final DropCounters drops = new DropCounters();
  private final SrtpProtector protector;
  private final SrtpUnprotector unprotector;
  private volatile boolean closed;

  /**
   * Keys both directions from the DTLS exporter output. The array is copied; the caller should zero
   * its own copy afterwards.
   *
   * @param keyingMaterial {@link SrtpProfile#keyingMaterialBytes()} bytes from the exporter
   * @param role our side of the DTLS handshake: it decides which half encrypts which way
   */
  public SrtpSession(SrtpProfile profile, byte[] keyingMaterial, DtlsRole role) {
    if (keyingMaterial.length != profile.keyingMaterialBytes()) {
      throw new IllegalArgumentException(
          profile
              + " needs "
              + profile.keyingMaterialBytes()
              + " bytes of keying material, got "
              + keyingMaterial.length);
    }
    Srtp.configure();
    this.profile = profile;
    // RFC 5764 §4.2: client_write_key | server_write_key | client_write_salt | server_write_salt.
    int keyBytes = profile.keyBytes();
    int saltBytes = profile.saltBytes();
    byte[] clientKey = Arrays.copyOfRange(keyingMaterial, 0, keyBytes);
    byte[] serverKey = Arrays.copyOfRange(keyingMaterial, keyBytes, 2 * keyBytes);
    byte[] clientSalt = Arrays.copyOfRange(keyingMaterial, 2 * keyBytes, 2 * keyBytes + saltBytes);
    byte[] serverSalt =
        Arrays.copyOfRange(keyingMaterial, 2 * keyBytes + saltBytes, 2 * (keyBytes + saltBytes));
    try {
      // Each side encrypts with its own write key and decrypts with the other side's.
      boolean server = role == DtlsRole.SERVER;
      protector =
          new SrtpProtector(
              factory(true, server ? serverKey : clientKey, server ? serverSalt : clientSalt),
              profile,
              MAX_SSRCS,
              drops);
      unprotector =
          new SrtpUnprotector(
              factory(false, server ? clientKey : serverKey, server ? clientSalt : serverSalt),
              profile,
              MAX_SSRCS,
              drops);
    } finally {
      Arrays.fill(clientKey, (byte) 0);
      Arrays.fill(serverKey, (byte) 0);
      Arrays.fill(clientSalt, (byte) 0);
      Arrays.fill(serverSalt, (byte) 0);
    }
  }

  private SrtpContextFactory factory(boolean sender, byte[] key, byte[] salt) {
    return new SrtpContextFactory(
        sender, key, salt, profile.newPolicy(), profile.newPolicy(), JITSI_LOGGER);
  }

  public SrtpProfile profile() {
    return profile;
  }

  /**
   * Encrypts and tags one RTP packet; returns the new length or a negative status.
   *
   * <p>Never protect two different packets with the same SSRC and sequence number: with AES-GCM the
   * nonce would repeat (RFC 7714 §8.1). Protecting the identical packet again (a retransmission) is
   * safe with OpenSSL; the SunJCE provider refuses it ({@link SrtpDrop#CRYPTO_FAILED}).
   */
  public int protectRtp(byte[] buf, int off, int len) {
    return closed ? drops.count(SrtpDrop.CLOSED) : protector.protectRtp(buf, off, len);
  }

  /** Encrypts and tags one (compound) RTCP packet; returns the new length or a negative status. */
  public int protectRtcp(byte[] buf, int off, int len) {
    return closed ? drops.count(SrtpDrop.CLOSED) : protector.protectRtcp(buf, off, len);
  }

  /** Authenticates and decrypts one SRTP packet; returns the RTP length or a negative status. */
  public int unprotectRtp(byte[] buf, int off, int len) {
    return closed ? drops.count(SrtpDrop.CLOSED) : unprotector.unprotectRtp(buf, off, len);
  }

  /**
   * Whether a packet of {@code ssrc} has been decrypted, so that its context knows where the
   * stream's sequence numbers started: the rollover counter is guessed from the highest number seen
   * (RFC 3711 §3.3.1), and a context first met after the sender's numbers wrapped would guess one
   * rollover too few and refuse every packet from then on.
   */
  public boolean hasRtpContext(int ssrc) {
    return !closed && unprotector.hasRtpContext(ssrc);
  }

  /** Authenticates and decrypts one SRTCP packet; returns the RTCP length or a negative status. */
  public int unprotectRtcp(byte[] buf, int off, int len) {
    return closed ? drops.count(SrtpDrop.CLOSED) : unprotector.unprotectRtcp(buf, off, len);
  }

  /** Packets refused for {@code reason} so far, both directions. */
  public long dropCount(SrtpDrop reason) {
    return drops.get(reason);
  }

  /** Receive-side RTP contexts held (authenticated SSRCs only). */
  int receiveRtpContextCount() {
    return unprotector.rtpContextCount();
  }

  /** Receive-side RTCP contexts held (authenticated SSRCs only). */
  int receiveRtcpContextCount() {
    return unprotector.rtcpContextCount();
  }

  /**
   * Zeroes the master keys and forgets every context; later calls return {@link SrtpDrop#CLOSED}.
   * Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    protector.close();
    unprotector.close();
  }
}
