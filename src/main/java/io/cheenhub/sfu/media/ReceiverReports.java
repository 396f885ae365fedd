package io.cheenhub.sfu.media;

import io.cheenhub.sfu.rtp.ReportBlock;
import io.cheenhub.sfu.rtp.RtcpCompound;
import io.cheenhub.sfu.rtp.RtcpPacket;
import io.cheenhub.sfu.rtp.RtcpSenderReport;
import io.cheenhub.sfu.rtp.RtcpWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;

/**
 * The server as receiver of one publisher (RFC 3550 §6.4.2): per-SSRC {@link ReceiveStatistics} fed
 * by the receive path, and the compound RR + SDES CNAME the server sends the publisher.
 *
 * <p>Threads. Writers are the publish transport's receive worker ({@link #onRtp}, {@link #onRtcp});
 * a {@link StampedLock} write lock makes them exclusive (uncontended: one CAS and one release per
 * packet, no allocation; two transports feeding one publisher during a reconnect take turns). The
 * reporter ({@link #write}) never locks against them: it copies the sources under an optimistic
 * read stamp and retries if a write overlapped (a sequence lock), so the receive path never waits
 * for a report. The A.3 interval state ({@code expected_prior}, {@code received_prior}) belongs to
 * the reporter alone, guarded by its own monitor, which only reporters take.
 */
public final class ReceiverReports {

  /** Sources reported at once: an audio publisher has one SSRC, a reconnect briefly two. */
  static final int MAX_SOURCES = 4;

  /** RFC 3550 §6.3.5: a source silent for this long (5 report intervals of 1 s) is not reported. */
  static final long SOURCE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

  /**
   * RFC 7022 §4.2: a random 96-bit CNAME (16 base64 characters), one per server run; RFC 3550
   * §6.5.1 requires one CNAME per endpoint, which the server is for every transport.
   */
  static final byte[] CNAME = randomCname();

  private static final int CNAME_RANDOM_BYTES = 12;

  /** Largest compound {@link #write} produces: RR with {@link #MAX_SOURCES} blocks + SDES. */
  public static final int MAX_REPORT_BYTES =
      8 + ReportBlock.BYTES * MAX_SOURCES + 8 + ((2 + CNAME_RANDOM_BYTES * 4 / 3) / 4 + 1) * 4;

  /**
   * Tail room {@link io.cheenhub.sfu.transport.MediaTransport#sendRtcp} needs after the report (RFC
   * 3711 §3.4: E flag + SRTCP index, 4 bytes; RFC 7714 §9.2: AES-GCM tag, 16 bytes, the largest tag
   * we negotiate).
   */
  public static final int SRTCP_TAIL_BYTES = 4 + 16;

  /** Bytes {@link #write} needs from its offset: the largest report and the SRTCP tail room. */
  public static final int BUFFER_BYTES = MAX_REPORT_BYTES + SRTCP_TAIL_BYTES;

  // A write overlaps a snapshot for ~100 ns at 50 packets/s; eight misses in a row mean trouble.
  private static final int SNAPSHOT_TRIES = 8;

  private final int senderSsrc;
  private final StampedLock lock = new StampedLock();

  // Guarded by the write lock (read optimistically by the reporter).
  private final ReceiveStatistics[] sources = new ReceiveStatistics[MAX_SOURCES];
  private int sourceCount;
  private final RtcpCompound compound = new RtcpCompound();
  // The interval the last report covered, summed over its sources; written under reporterLock.
  private long intervalExpected;
  private long intervalLost;
  private long intervalJitter;
  private volatile long lastIntervalExpected;
  private volatile long lastIntervalLost;
  private volatile long lastIntervalJitter;
  private final RtcpSenderReport senderReport = new RtcpSenderReport();
  private volatile long malformedRtcp;
  private volatile long senderReports;

  // Reporter state, guarded by reporterLock.
  private final Object reporterLock = new Object();
  private final ReceiveStatistics[] copies = new ReceiveStatistics[MAX_SOURCES];
  private final int[] priorGeneration = new int[MAX_SOURCES];
  private final long[] expectedPrior = new long[MAX_SOURCES];
  private final long[] receivedPrior = new long[MAX_SOURCES];
  private final ReportBlock[] blocks = new ReportBlock[MAX_SOURCES];
  private final int[] blockSource = new int[MAX_SOURCES];
  private volatile long reportsWritten;
  private volatile long snapshotsMissed;

  /** Reports as {@code senderSsrc}, the server's SSRC on this publisher's transport. */
  public ReceiverReports(int senderSsrc) {
    this.senderSsrc = senderSsrc;
    for (int i = 0; i < MAX_SOURCES; i++) {
      sources[i] = new ReceiveStatistics();
      copies[i] = new ReceiveStatistics();
      blocks[i] = new ReportBlock();
    }
  }

  /** Reports with a random non-zero sender SSRC. */
  public ReceiverReports() {
    this(randomSsrc());
  }

  /** The SSRC the reports are sent as (RFC 3550 §6.4.2 "SSRC of packet sender"). */
  public int senderSsrc() {
    return senderSsrc;
  }

  /** Receive path: counts one RTP packet of source {@code ssrc}. Allocates nothing. */
  public void onRtp(int ssrc, int sequence, long rtpTimestamp, long receivedNanos) {
    long stamp = lock.writeLock();
    try {
      ReceiveStatistics source = find(ssrc);
      if (source == null) {
        source = claim();
        source.start(ssrc, sequence, receivedNanos);
      }
      source.onRtp(sequence, rtpTimestamp, receivedNanos);
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /**
   * Receive path: notes the sender reports in a decrypted RTCP datagram from the publisher, for
   * LSR/DLSR (RFC 3550 §6.4.1). Malformed datagrams are counted, never thrown.
   */
  public void onRtcp(byte[] buffer, int offset, int length, long receivedNanos) {
    long stamp = lock.writeLock();
    try {
      compound.wrap(buffer, offset, length);
      while (compound.next()) {
        if (compound.packetType() == RtcpPacket.TYPE_SR) {
          if (!senderReport.wrap(compound)) {
            malformedRtcp++;
            continue;
          }
          ReceiveStatistics source = find(senderReport.senderSsrc());
          if (source != null) {
            source.onSenderReport(senderReport.ntpMiddle32(), receivedNanos);
            senderReports++;
          }
        }
      }
      if (compound.problem() != RtcpCompound.Problem.NONE) {
        malformedRtcp++;
      }
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  /**
   * Writes an RTCP compound RR + SDES CNAME (RFC 3550 §6.1) into {@code buf} at {@code off}, one
   * report block per source heard from in the last {@link #SOURCE_TIMEOUT_NANOS}, and starts the
   * next report interval (A.3).
   *
   * @param buf needs {@link #BUFFER_BYTES} from {@code off}: the report and the SRTCP tail room
   * @param nowNanos {@link System#nanoTime()} now, for DLSR and the source timeout
   * @return the report's length (without tail room), or 0 when there is nothing to report
   * @throws IllegalArgumentException if {@code buf} is too small
   */
  public int write(byte[] buf, int off, long nowNanos) {
    if (off < 0 || off > buf.length - BUFFER_BYTES) {
      throw new IllegalArgumentException(
          "receiver report needs " + BUFFER_BYTES + " bytes from offset " + off);
    }
    synchronized (reporterLock) {
      intervalExpected = 0;
      intervalLost = 0;
      intervalJitter = 0;
      int count = snapshot();
      if (count < 0) {
        snapshotsMissed++;
        publishInterval();
        return 0;
      }
      int blockCount = 0;
      for (int i = 0; i < count; i++) {
        ReceiveStatistics source = copies[i];
        if (source.isValid() && nowNanos - source.lastArrivalNanos() <= SOURCE_TIMEOUT_NANOS) {
          fill(blocks[blockCount], i, source, nowNanos);
          blockSource[blockCount++] = i;
        }
      }
      publishInterval();
      if (blockCount == 0) {
        return 0;
      }
      int length =
          RtcpWriter.receiverReportWithCname(buf, off, senderSsrc, blocks, blockCount, CNAME);
      if (length == RtcpWriter.NO_ROOM) {
        throw new IllegalStateException("receiver report larger than MAX_REPORT_BYTES");
      }
      for (int b = 0; b < blockCount; b++) {
        int i = blockSource[b];
        priorGeneration[i] = copies[i].generation();
        expectedPrior[i] = copies[i].expected();
        receivedPrior[i] = copies[i].received();
      }
      reportsWritten++;
      return length;
    }
  }

  private void publishInterval() {
    lastIntervalExpected = intervalExpected;
    lastIntervalLost = intervalLost;
    lastIntervalJitter = intervalJitter;
  }

  /** Packets expected from all sources in the interval of the last report written (A.3). */
  public long lastIntervalExpected() {
    return lastIntervalExpected;
  }

  /** Packets lost in that interval (duplicates do not make it negative). */
  public long lastIntervalLost() {
    return lastIntervalLost;
  }

  /** The highest interarrival jitter reported then, in RTP timestamp units. */
  public long lastIntervalJitter() {
    return lastIntervalJitter;
  }

  /** RFC 3550 A.3: the report block for {@code source}, copied from slot {@code slot}. */
  private void fill(ReportBlock block, int slot, ReceiveStatistics source, long nowNanos) {
    long expected = source.expected();
    long received = source.received();
    // A.3: init_seq resets expected_prior and received_prior with the sequence state.
    boolean sameInterval = priorGeneration[slot] == source.generation();
    long expectedInterval = expected - (sameInterval ? expectedPrior[slot] : 0);
    long receivedInterval = received - (sameInterval ? receivedPrior[slot] : 0);
    long lostInterval = expectedInterval - receivedInterval;
    intervalExpected += Math.max(0, expectedInterval);
    intervalLost += Math.max(0, lostInterval);
    intervalJitter = Math.max(intervalJitter, source.jitter());
    // A.3: fraction lost is 8-bit fixed point; none if nothing was expected or lost (duplicates).
    int fraction =
        expectedInterval == 0 || lostInterval <= 0
            ? 0
            : (int) Math.min(255, (lostInterval << 8) / expectedInterval);
    long cumulative = source.cumulativeLost();
    int clamped = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, cumulative));
    // §6.4.1: LSR 0 and DLSR 0 when no SR was received.
    long delay =
        source.hasSenderReport()
            ? NtpTime.toShortUnits(nowNanos - source.lastSenderReportArrivalNanos())
            : 0;
    block.set(
        source.ssrc(),
        fraction,
        clamped,
        source.extendedHighestSequence(),
        source.jitter(),
        source.lastSenderReportNtpMiddle(),
        delay);
  }

  /**
   * Copies the sources into {@link #copies} under an optimistic read stamp; returns how many, or -1
   * if writes kept overlapping.
   */
  private int snapshot() {
    for (int attempt = 0; attempt < SNAPSHOT_TRIES; attempt++) {
      long stamp = lock.tryOptimisticRead();
      if (stamp != 0) {
        // Racy reads, checked by validate(); bounded so a torn count cannot index out of range.
        int count = Math.min(Math.max(sourceCount, 0), MAX_SOURCES);
        for (int i = 0; i < count; i++) {
          copies[i].copyFrom(sources[i]);
        }
        if (lock.validate(stamp)) {
          return count;
        }
      }
      Thread.onSpinWait();
    }
    return -1;
  }

  private ReceiveStatistics find(int ssrc) {
    for (int i = 0; i < sourceCount; i++) {
      if (sources[i].ssrc() == ssrc) {
        return sources[i];
      }
    }
    return null;
  }

  /** A free slot, or the one heard from longest ago. */
  private ReceiveStatistics claim() {
    if (sourceCount < MAX_SOURCES) {
      return sources[sourceCount++];
    }
    ReceiveStatistics oldest = sources[0];
    for (int i = 1; i < MAX_SOURCES; i++) {
      if (sources[i].lastArrivalNanos() - oldest.lastArrivalNanos() < 0) {
        oldest = sources[i];
      }
    }
    return oldest;
  }

  /**
   * Consistent copies of the current sources' statistics, empty if the receive path kept writing
   * (allocates; for diagnostics and tests, never on the packet path).
   */
  public ReceiveStatistics[] statistics() {
    synchronized (reporterLock) {
      int count = Math.max(snapshot(), 0);
      var out = new ReceiveStatistics[count];
      for (int i = 0; i < count; i++) {
        out[i] = new ReceiveStatistics();
        out[i].copyFrom(copies[i]);
      }
      return out;
    }
  }

  /** Reports written. */
  public long reportsWritten() {
    return reportsWritten;
  }

  /** Reports skipped because the receive path kept writing during the snapshot. */
  public long snapshotsMissed() {
    return snapshotsMissed;
  }

  /** Sender reports recorded. */
  public long senderReports() {
    return senderReports;
  }

  /** Malformed RTCP datagrams (or SR packets) from the publisher. */
  public long malformedRtcp() {
    return malformedRtcp;
  }

  private static int randomSsrc() {
    int ssrc;
    do {
      ssrc = ThreadLocalRandom.current().nextInt();
    } while (ssrc == 0);
    return ssrc;
  }

  private static byte[] randomCname() {
    byte[] random = new byte[CNAME_RANDOM_BYTES];
    new SecureRandom().nextBytes(random);
    return Base64.getEncoder()
        .withoutPadding()
        .encodeToString(random)
        .getBytes(StandardCharsets.US_ASCII);
  }
}
