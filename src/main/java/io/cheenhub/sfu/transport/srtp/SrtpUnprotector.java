package io.cheenhub.sfu.transport.srtp;

import java.security.GeneralSecurityException;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;

/**
 * The receiving half of an {@link SrtpSession}: authenticates, replay-checks and decrypts in place.
 *
 * <p>A context for a new SSRC is derived on trial and kept only once a packet has authenticated
 * with it, so unauthenticated packets never take a slot; trials are rationed by a {@link
 * NewSsrcBudget}. Confined to one thread at a time (the receive queue).
 */
final class SrtpUnprotector {

  // A browser starts a handful of SSRCs at once (audio, video, RTX, RTCP); allow a burst of them,
  // then a steady trickle of new ones.
  private static final int NEW_SSRC_BURST = 32;
  private static final int NEW_SSRC_PER_SECOND = 32;

  private final SrtpContextFactory factory;
  private final SsrcMap<SrtpCryptoContext> rtpContexts;
  private final SsrcMap<SrtcpCryptoContext> rtcpContexts;
  private final NewSsrcBudget budget = new NewSsrcBudget(NEW_SSRC_BURST, NEW_SSRC_PER_SECOND);
  private final PacketBuffer packet = new PacketBuffer();
  private final int rtpTag;
  private final int rtcpOverhead;
  private final DropCounters drops;

  SrtpUnprotector(
      SrtpContextFactory factory, SrtpProfile profile, int maxSsrcs, DropCounters drops) {
    this.factory = factory;
    this.rtpContexts = new SsrcMap<>(maxSsrcs);
    this.rtcpContexts = new SsrcMap<>(maxSsrcs);
    this.rtpTag = profile.rtpOverheadBytes();
    this.rtcpOverhead = profile.rtcpOverheadBytes();
    this.drops = drops;
  }

  int unprotectRtp(byte[] buf, int off, int len) {
    if (!PacketChecks.inBounds(buf, off, len)
        || PacketChecks.rtpHeaderLength(buf, off, len, rtpTag) < 0) {
      return drops.count(SrtpDrop.MALFORMED);
    }
    int ssrc = PacketChecks.ssrcOfRtp(buf, off);
    try {
      SrtpCryptoContext context = rtpContexts.get(ssrc);
      boolean trial = context == null;
      if (trial) {
        if (!budget.tryAcquire()) {
          return drops.count(SrtpDrop.UNKNOWN_SSRC_LIMIT);
        }
        context = factory.deriveContext(ssrc, 0);
      }
      SrtpErrorStatus status = context.reverseTransformPacket(packet.wrap(buf, off, len), false);
      if (status != SrtpErrorStatus.OK) {
        return drops.count(reasonOf(status));
      }
      if (trial) {
        rtpContexts.put(ssrc, context);
      }
      return packet.getLength();
    } catch (GeneralSecurityException e) {
      return drops.count(SrtpDrop.CRYPTO_FAILED);
    } finally {
      packet.release();
    }
  }

  int unprotectRtcp(byte[] buf, int off, int len) {
    if (!PacketChecks.inBounds(buf, off, len)
        || !PacketChecks.isRtcp(buf, off, len, rtcpOverhead)) {
      return drops.count(SrtpDrop.MALFORMED);
    }
    int ssrc = PacketChecks.ssrcOfRtcp(buf, off);
    try {
      SrtcpCryptoContext context = rtcpContexts.get(ssrc);
      boolean trial = context == null;
      if (trial) {
        if (!budget.tryAcquire()) {
          return drops.count(SrtpDrop.UNKNOWN_SSRC_LIMIT);
        }
        context = factory.deriveControlContext(ssrc);
      }
      SrtpErrorStatus status = context.reverseTransformPacket(packet.wrap(buf, off, len));
      if (status != SrtpErrorStatus.OK) {
        return drops.count(reasonOf(status));
      }
      if (trial) {
        rtcpContexts.put(ssrc, context);
      }
      return packet.getLength();
    } catch (GeneralSecurityException e) {
      return drops.count(SrtpDrop.CRYPTO_FAILED);
    } finally {
      packet.release();
    }
  }

  /** Whether a packet of {@code ssrc} has authenticated (its context exists). */
  boolean hasRtpContext(int ssrc) {
    return rtpContexts.get(ssrc) != null;
  }

  int rtpContextCount() {
    return rtpContexts.size();
  }

  int rtcpContextCount() {
    return rtcpContexts.size();
  }

  void close() {
    factory.close();
    rtpContexts.clear();
    rtcpContexts.clear();
  }

  private static SrtpDrop reasonOf(SrtpErrorStatus status) {
    return switch (status) {
      case AUTH_FAIL -> SrtpDrop.AUTH;
      case REPLAY_FAIL, REPLAY_OLD -> SrtpDrop.REPLAY;
      case INVALID_PACKET -> SrtpDrop.MALFORMED;
      default -> SrtpDrop.CRYPTO_FAILED;
    };
  }
}
