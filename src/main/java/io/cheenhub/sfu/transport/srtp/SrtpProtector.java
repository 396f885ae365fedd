package io.cheenhub.sfu.transport.srtp;

import java.security.GeneralSecurityException;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;

/**
 * The sending half of an {@link SrtpSession}: encrypts and tags RTP and RTCP in place, with one
 * lazily derived context per SSRC. Confined to one thread at a time (the send queue).
 */
final class SrtpProtector {

  private final SrtpContextFactory factory;
  private final SsrcMap<SrtpCryptoContext> rtpContexts;
  private final SsrcMap<SrtcpCryptoContext> rtcpContexts;
  private final PacketBuffer packet = new PacketBuffer();
  private final int rtpOverhead;
  private final int rtcpOverhead;
  private final DropCounters drops;

  SrtpProtector(SrtpContextFactory factory, SrtpProfile profile, int maxSsrcs, DropCounters drops) {
    this.factory = factory;
    this.rtpContexts = new SsrcMap<>(maxSsrcs);
    this.rtcpContexts = new SsrcMap<>(maxSsrcs);
    this.rtpOverhead = profile.rtpOverheadBytes();
    this.rtcpOverhead = profile.rtcpOverheadBytes();
    this.drops = drops;
  }

  int protectRtp(byte[] buf, int off, int len) {
    if (!PacketChecks.inBounds(buf, off, len)
        || PacketChecks.rtpHeaderLength(buf, off, len, 0) < 0) {
      return drops.count(SrtpDrop.MALFORMED);
    }
    if (buf.length - off - len < rtpOverhead) {
      return drops.count(SrtpDrop.NO_ROOM);
    }
    int ssrc = PacketChecks.ssrcOfRtp(buf, off);
    try {
      SrtpCryptoContext context = rtpContexts.get(ssrc);
      if (context == null) {
        context = factory.deriveContext(ssrc, 0);
        rtpContexts.put(ssrc, context);
      }
      SrtpErrorStatus status = context.transformPacket(packet.wrap(buf, off, len));
      return checked(status, len + rtpOverhead);
    } catch (GeneralSecurityException e) {
      return drops.count(SrtpDrop.CRYPTO_FAILED);
    } finally {
      packet.release();
    }
  }

  int protectRtcp(byte[] buf, int off, int len) {
    if (!PacketChecks.inBounds(buf, off, len) || !PacketChecks.isRtcp(buf, off, len, 0)) {
      return drops.count(SrtpDrop.MALFORMED);
    }
    if (buf.length - off - len < rtcpOverhead) {
      return drops.count(SrtpDrop.NO_ROOM);
    }
    int ssrc = PacketChecks.ssrcOfRtcp(buf, off);
    try {
      SrtcpCryptoContext context = rtcpContexts.get(ssrc);
      if (context == null) {
        context = factory.deriveControlContext(ssrc);
        rtcpContexts.put(ssrc, context);
      }
      SrtpErrorStatus status = context.transformPacket(packet.wrap(buf, off, len));
      return checked(status, len + rtcpOverhead);
    } catch (GeneralSecurityException e) {
      return drops.count(SrtpDrop.CRYPTO_FAILED);
    } finally {
      packet.release();
    }
  }

  // jitsi-srtp reports OK even when its GCM cipher failed (it drops that status), leaving the
  // packet unencrypted; the length tells: a protected packet always grew by exactly the overhead.
  private int checked(SrtpErrorStatus status, int expectedLength) {
    if (status != SrtpErrorStatus.OK || packet.getLength() != expectedLength) {
      return drops.count(SrtpDrop.CRYPTO_FAILED);
    }
    return expectedLength;
  }

  void close() {
    factory.close();
    rtpContexts.clear();
    rtcpContexts.clear();
  }
}
