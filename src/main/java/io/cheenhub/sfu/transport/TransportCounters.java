package io.cheenhub.sfu.transport;

/**
 * Per-transport packet counters. Each field has one writer at a time (the ice4j receive thread for
 * the socket-side ones, the transport's serial queue for the rest), so they are plain volatile
 * longs rather than contended atomics; readers (REST, the metrics sweep) see recent values.
 */
public final class TransportCounters {

  /** Why a received packet was dropped. Wire values are metric labels. */
  public enum Drop {
    /** SRTP/SRTCP authentication failed (wrong key, tampering, garbage). */
    AUTH("auth"),
    /** A packet that was already received (RFC 3711 §3.3.2 replay list). */
    REPLAY("replay"),
    /** Too short or not RTP/RTCP where RTP/RTCP was expected. */
    MALFORMED("malformed"),
    /** SRTP arrived before DTLS finished. */
    NO_KEYS("no-keys"),
    /** The transport's receive queue was full. */
    QUEUE_FULL("queue-full"),
    /** A first byte that RFC 7983 assigns to no protocol we speak. */
    UNKNOWN_PROTOCOL("unknown-protocol"),
    /** More distinct SSRCs than one transport may have. */
    SSRC_LIMIT("ssrc-limit"),
    /**
     * A DTLS record the handshake did not take: a duplicate while it waits to start, empty or
     * oversized, its queue full, or the session closed.
     */
    DTLS_REFUSED("dtls-refused");

    private final String wireValue;

    Drop(String wireValue) {
      this.wireValue = wireValue;
    }

    /** The metric label value. */
    public String wireValue() {
      return wireValue;
    }
  }

  /** RTP payload types are 7 bits. */
  private static final int PAYLOAD_TYPES = 128;

  /** Receives the growth of the counters since the last publication, for the metrics. */
  public interface DeltaSink {
    /** {@code delta} more of {@code series} (with {@code label}, or null). */
    void add(Series series, String label, long delta);
  }

  /** The series published to metrics. */
  public enum Series {
    RTP_PACKETS_RECEIVED,
    RTCP_PACKETS_RECEIVED,
    BYTES_RECEIVED,
    PACKETS_SENT,
    BYTES_SENT,
    DROPS
  }

  volatile long datagramsReceived;
  volatile long dtlsDatagramsReceived;
  volatile long bytesReceived;
  volatile long rtpPacketsDecrypted;
  volatile long rtpPacketsUndecrypted;
  volatile long rtcpPacketsDecrypted;
  volatile long packetsSent;
  volatile long bytesSent;
  private final long[] drops = new long[Drop.values().length];
  private final long[] payloadTypes = new long[PAYLOAD_TYPES];

  // Values already published; only the metrics sweep touches these.
  private long publishedRtp;
  private long publishedRtcp;
  private long publishedBytesIn;
  private long publishedPacketsOut;
  private long publishedBytesOut;
  private final long[] publishedDrops = new long[Drop.values().length];

  /** Hands every counter's growth since the last call to {@code sink}. One caller at a time. */
  public synchronized void publish(DeltaSink sink) {
    long rtp = rtpPacketsDecrypted + rtpPacketsUndecrypted;
    long rtcp = rtcpPacketsDecrypted;
    long bytesIn = bytesReceived;
    long packetsOut = packetsSent;
    long bytesOut = bytesSent;
    sink.add(Series.RTP_PACKETS_RECEIVED, null, rtp - publishedRtp);
    sink.add(Series.RTCP_PACKETS_RECEIVED, null, rtcp - publishedRtcp);
    sink.add(Series.BYTES_RECEIVED, null, bytesIn - publishedBytesIn);
    sink.add(Series.PACKETS_SENT, null, packetsOut - publishedPacketsOut);
    sink.add(Series.BYTES_SENT, null, bytesOut - publishedBytesOut);
    publishedRtp = rtp;
    publishedRtcp = rtcp;
    publishedBytesIn = bytesIn;
    publishedPacketsOut = packetsOut;
    publishedBytesOut = bytesOut;
    for (Drop reason : Drop.values()) {
      long value = drops[reason.ordinal()];
      sink.add(Series.DROPS, reason.wireValue(), value - publishedDrops[reason.ordinal()]);
      publishedDrops[reason.ordinal()] = value;
    }
  }

  void drop(Drop reason) {
    drops[reason.ordinal()]++;
  }

  void countPayloadType(int payloadType) {
    payloadTypes[payloadType & (PAYLOAD_TYPES - 1)]++;
  }

  /** Datagrams that reached this transport's callback (DTLS, SRTP, SRTCP, garbage). */
  public long datagramsReceived() {
    return datagramsReceived;
  }

  /** Of those, DTLS records the handshake (or the established session) took. */
  public long dtlsDatagramsReceived() {
    return dtlsDatagramsReceived;
  }

  /** Bytes of those datagrams. */
  public long bytesReceived() {
    return bytesReceived;
  }

  /** RTP packets that decrypted and authenticated. */
  public long rtpPacketsDecrypted() {
    return rtpPacketsDecrypted;
  }

  /**
   * RTP packets used from their clear header only, not decrypted: nobody needed their payload (a
   * large room's publisher outside the speaker slots).
   */
  public long rtpPacketsUndecrypted() {
    return rtpPacketsUndecrypted;
  }

  /** RTCP packets that decrypted and authenticated. */
  public long rtcpPacketsDecrypted() {
    return rtcpPacketsDecrypted;
  }

  /** SRTP/SRTCP packets sent. */
  public long packetsSent() {
    return packetsSent;
  }

  /** Bytes sent (after encryption). */
  public long bytesSent() {
    return bytesSent;
  }

  /** Dropped packets for {@code reason}. */
  public long drops(Drop reason) {
    return drops[reason.ordinal()];
  }

  /** Decrypted RTP packets with payload type {@code payloadType}. */
  public long payloadType(int payloadType) {
    return payloadTypes[payloadType & (PAYLOAD_TYPES - 1)];
  }
}
