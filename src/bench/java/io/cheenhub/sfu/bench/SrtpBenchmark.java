package io.cheenhub.sfu.bench;

import io.cheenhub.sfu.transport.srtp.DtlsRole;
import io.cheenhub.sfu.transport.srtp.Srtp;
import io.cheenhub.sfu.transport.srtp.SrtpProfile;
import io.cheenhub.sfu.transport.srtp.SrtpSession;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SRTP cost of one Chromium Opus packet through {@link SrtpSession}: the server role protects, a
 * client-role session unprotects, as a browser's packets would be.
 *
 * <p>Every operation copies the plain packet into the work buffer and gives it the next sequence
 * number: the receiver's replay check (RFC 3711 §3.3.2) rejects a repeated index, and AES-GCM must
 * never see the same IV twice (RFC 7714 §8.1). The copy (28 header bytes + the payload) is part of
 * the measured time.
 *
 * <p>{@link #aes} is a value of {@code sfu.srtp.aes}. jitsi-srtp keeps one AES implementation per
 * JVM; JMH runs every parameter combination in a fork of its own, so each gets its choice. With
 * {@code -f 0} only the first implementation runs and the next fails.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SrtpBenchmark {

  private static final int SSRC = 0x2A3B_4C5D;
  private static final long KEY_SEED = 20_260_101L;

  @Param({"AEAD_AES_128_GCM", "AES128_CM_HMAC_SHA1_80"})
  public SrtpProfile profile;

  /** The AES implementation, as {@code sfu.srtp.aes} names it. */
  @Param({"OpenSSL", "SunJCE", "BouncyCastle"})
  public String aes;

  /** Opus payload of 20 ms: 60 bytes is about 24 kbit/s, 160 bytes 64 kbit/s, 200 bytes 80. */
  @Param({"60", "100", "160", "200"})
  public int payloadBytes;

  private SrtpSession server;
  private SrtpSession client;
  private byte[] plain;
  private byte[] work;
  private int sequenceNumber;

  @Setup
  public void setUp() {
    Srtp.choose(Srtp.parseAesSetting(aes));
    // Printed into the JMH log: the number only means something next to the implementation.
    System.out.println("srtp aes=" + Srtp.aesImplementation().factoryName());
    byte[] keys = new byte[profile.keyingMaterialBytes()];
    new Random(KEY_SEED).nextBytes(keys);
    server = new SrtpSession(profile, keys, DtlsRole.SERVER);
    client = new SrtpSession(profile, keys, DtlsRole.CLIENT);
    plain = ChromiumAudioPacket.build(SSRC, 0, 0, 30, 1, payloadBytes);
    work = new byte[plain.length + profile.rtpOverheadBytes()];
  }

  @TearDown
  public void tearDown() {
    server.close();
    client.close();
  }

  /** What the SFU pays per packet it receives and forwards once: decrypt + encrypt. */
  @Benchmark
  public int protectAndUnprotect() {
    int length = nextPacket();
    int sent = server.protectRtp(work, 0, length);
    int received = client.unprotectRtp(work, 0, sent);
    if (received != length) {
      throw new IllegalStateException("srtp round trip failed: " + sent + " -> " + received);
    }
    return received;
  }

  /** The per-subscriber part: each extra subscriber costs one more protect. */
  @Benchmark
  public int protect() {
    int length = nextPacket();
    int sent = server.protectRtp(work, 0, length);
    if (sent != length + profile.rtpOverheadBytes()) {
      throw new IllegalStateException("srtp protect failed: " + sent);
    }
    return sent;
  }

  private int nextPacket() {
    System.arraycopy(plain, 0, work, 0, plain.length);
    // 16 bits wrap; both sides then move to the next rollover counter (RFC 3711 §3.3.1).
    ChromiumAudioPacket.writeSequenceNumber(work, 0, sequenceNumber++);
    return plain.length;
  }
}
