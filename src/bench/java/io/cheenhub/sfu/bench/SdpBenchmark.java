package io.cheenhub.sfu.bench;

import io.cheenhub.sfu.sdp.AnswerBuilder;
import io.cheenhub.sfu.sdp.Attribute;
import io.cheenhub.sfu.sdp.LocalTransport;
import io.cheenhub.sfu.sdp.SdpException;
import io.cheenhub.sfu.sdp.SdpParser;
import io.cheenhub.sfu.sdp.SdpWriter;
import io.cheenhub.sfu.sdp.SessionDescription;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Signaling-time SDP work on a real Chromium sendonly audio offer (the file the SDP tests use,
 * copied into the benchmark jar by the bench profile).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SdpBenchmark {

  private static final String OFFER_RESOURCE = "/sdp/chromium-audio-sendonly-offer.sdp";

  private String offer;
  private LocalTransport local;

  @Setup
  public void setUp() throws IOException {
    try (InputStream in = SdpBenchmark.class.getResourceAsStream(OFFER_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + OFFER_RESOURCE);
      }
      offer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // Shaped like the server's own transport: one IPv4 and one IPv6 host candidate.
    local =
        new LocalTransport(
            4_611_686_018_427_387_000L,
            1,
            "Srv1",
            "ServerPassword0123456789",
            new Attribute.Fingerprint(
                "sha-256",
                "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
                    + "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"),
            List.of(
                "candidate:1 1 udp 2130706431 198.51.100.10 10000 typ host generation 0",
                "candidate:2 1 udp 2130706175 2001:db8::10 10000 typ host generation 0"));
  }

  @Benchmark
  public SessionDescription parseOffer() throws SdpException {
    return SdpParser.parse(offer);
  }

  /** The SDP work of publishOffer → publishAnswer, as {@code Connection} does it. */
  @Benchmark
  public String publishNegotiation() throws SdpException {
    AnswerBuilder.Negotiation negotiation =
        AnswerBuilder.negotiate(SdpParser.parse(offer), Attribute.Direction.RECVONLY);
    return SdpWriter.write(negotiation.answer(local));
  }
}
