package io.cheenhub.sfu.transport.srtp;

import static io.cheenhub.sfu.transport.srtp.SrtpPackets.AUDIO_SSRC;
import static io.cheenhub.sfu.transport.srtp.SrtpPackets.OFFSET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Measures what one protect + unprotect of an Opus-sized packet allocates in steady state.
 *
 * <p>Our own code (packet holder, SSRC map, checks, counters) allocates nothing per packet. What
 * remains is jitsi-srtp's, as a JFR allocation profile shows: every cipher init builds a {@code
 * GCMParameterSpec} or {@code IvParameterSpec} and the provider clones its IV, HMAC-SHA1's {@code
 * doFinal()} returns a new array, and a debug-log lambda is sometimes not scalar-replaced. The
 * bound documents that cost so a regression shows; the number is printed for the benchmarks page.
 */
class SrtpAllocationTest {

  private static final int WARM_UP_ROUNDS = 50_000;
  private static final int MEASURED_ROUNDS = 100_000;
  // jitsi-srtp's own per-packet garbage: 140..240 bytes per round measured with OpenSSL on JDK 17
  // (varies with JIT escape analysis); 1 KiB per round means something regressed.
  private static final long MAX_BYTES_PER_ROUND = 1024;

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void protectAndUnprotectAllocateOnlyWhatJitsiSrtpNeeds(SrtpProfile profile) {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported(), "allocation counting unsupported");
    threads.setThreadAllocatedMemoryEnabled(true);

    byte[] keys = SrtpPackets.keyingMaterial(profile, 9);
    try (SrtpSession sender = new SrtpSession(profile, keys, DtlsRole.SERVER);
        SrtpSession receiver = new SrtpSession(profile, keys, DtlsRole.CLIENT)) {
      byte[] plain = SrtpPackets.opus(AUDIO_SSRC, 0, 1);
      byte[] buf = SrtpPackets.embed(plain);
      long warm = run(sender, receiver, plain, buf, 0, WARM_UP_ROUNDS);
      long before = threads.getCurrentThreadAllocatedBytes();
      long checksum = run(sender, receiver, plain, buf, WARM_UP_ROUNDS, MEASURED_ROUNDS);
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;

      assertThat(checksum).isNotEqualTo(warm);
      long perRound = allocated / MEASURED_ROUNDS;
      System.out.printf(
          "srtp allocation profile=%s aes=%s bytes_per_round=%d (protect+unprotect, %d-byte"
              + " payload)%n",
          profile, Srtp.aesImplementation(), perRound, SrtpPackets.OPUS_PAYLOAD_BYTES);
      assertThat(perRound).as("bytes per round").isLessThan(MAX_BYTES_PER_ROUND);
    }
  }

  private static long run(
      SrtpSession sender, SrtpSession receiver, byte[] plain, byte[] buf, int first, int rounds) {
    long checksum = 0;
    for (int round = first; round < first + rounds; round++) {
      System.arraycopy(plain, 0, buf, OFFSET, plain.length);
      buf[OFFSET + 2] = (byte) (round >>> 8);
      buf[OFFSET + 3] = (byte) round;
      int sent = sender.protectRtp(buf, OFFSET, plain.length);
      int received = receiver.unprotectRtp(buf, OFFSET, sent);
      if (received != plain.length) {
        throw new AssertionError("round " + round + ": " + sent + " -> " + received);
      }
      checksum += buf[OFFSET + 40] + sent + round;
    }
    return checksum;
  }
}
