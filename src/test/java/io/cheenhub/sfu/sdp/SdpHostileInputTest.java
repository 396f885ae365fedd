package io.cheenhub.sfu.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile and damaged input: only {@link SdpParseException} (or a result) may come out of the
 * parser, and only {@link SdpNegotiationException} (or an answer) out of the answer builder.
 */
class SdpHostileInputTest {
  private static final long SEED = 0x5D9_C0DECL;
  private static final int MUTATIONS = 20_000;
  private static final int RANDOM_JUNK_INPUTS = 2_000;
  private static final String HEAD = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";

  /** Characters that make mutations hit the grammar: separators, digits, controls, non-ASCII. */
  private static final String INTERESTING = " :=/;,~*-\r\n\t\u0000\u007f09aZ\u00e9\uffff";

  private final Outcomes outcomes = new Outcomes();

  @Test
  void emptyAndBlank() {
    for (String input : List.of("", "\r\n", "\n\n\n", "   ", "\r\n\r\n")) {
      assertThatThrownBy(() -> SdpParser.parse(input))
          .isInstanceOf(SdpParseException.class)
          .hasMessageContaining("SDP");
    }
    assertThatThrownBy(() -> SdpParser.parse(null)).isInstanceOf(SdpParseException.class);
  }

  @Test
  void randomBinaryJunk() {
    var random = new Random(SEED);
    for (int i = 0; i < RANDOM_JUNK_INPUTS; i++) {
      byte[] bytes = new byte[random.nextInt(4096)];
      random.nextBytes(bytes);
      check(new String(bytes, StandardCharsets.ISO_8859_1));
      check(new String(bytes, StandardCharsets.UTF_8));
      // Junk after a valid start reaches the line parsers, not just the v= check.
      check(HEAD + new String(bytes, StandardCharsets.ISO_8859_1));
    }
    assertThat(outcomes.rejected).isGreaterThan(2 * RANDOM_JUNK_INPUTS);
  }

  @Test
  void oneMegabyteOfAttributes() {
    String input = HEAD + "a=x\r\n".repeat(1024 * 1024 / 5);
    assertThatThrownBy(() -> SdpParser.parse(input))
        .isInstanceOf(SdpParseException.class)
        .hasMessageContaining("limit");
  }

  @Test
  void tenThousandMediaLines() {
    String input = HEAD + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n".repeat(10_000);
    assertThatThrownBy(() -> SdpParser.parse(input)).isInstanceOf(SdpParseException.class);
    String compact = HEAD + "m=a 0 x 0\n".repeat(10_000);
    assertThatThrownBy(() -> SdpParser.parse(compact))
        .isInstanceOf(SdpParseException.class)
        .hasMessageContaining("m-lines");
  }

  @Test
  void truncatedAtEveryLineAndEveryChar() {
    for (String name : SdpFixtures.ALL) {
      String sdp = SdpFixtures.read(name);
      for (int end = 0; end <= sdp.length(); end++) {
        check(sdp.substring(0, end));
      }
    }
    // A prefix that ends after t= is a complete description.
    assertThat(outcomes.parsed).isGreaterThan(SdpFixtures.ALL.size());
    assertThat(outcomes.rejected).isGreaterThan(0);
  }

  @Test
  void randomMutationsOfRealOffers() {
    var random = new Random(SEED);
    List<String> originals = new ArrayList<>();
    for (String name : SdpFixtures.ALL) {
      originals.add(SdpFixtures.read(name));
    }
    long started = System.nanoTime();
    for (int i = 0; i < MUTATIONS; i++) {
      String mutated = originals.get(random.nextInt(originals.size()));
      int edits = 1 + random.nextInt(4);
      for (int e = 0; e < edits; e++) {
        mutated = mutate(mutated, random);
      }
      check(mutated);
    }
    long elapsedMs = (System.nanoTime() - started) / 1_000_000;
    System.out.printf(
        "SDP mutations: %d parsed, %d rejected (of which %d answers refused), %d ms, slowest"
            + " parse %d us%n",
        outcomes.parsed,
        outcomes.rejected,
        outcomes.refused,
        elapsedMs,
        outcomes.slowestParseNanos / 1000);
    // Both outcomes must be exercised, or the mutations are too weak or too strong.
    assertThat(outcomes.parsed).isGreaterThan(MUTATIONS / 10);
    assertThat(outcomes.rejected).isGreaterThan(MUTATIONS / 10);
  }

  @Test
  void parsingIsFastAndLinear() throws SdpParseException {
    String offer = SdpFixtures.read(SdpFixtures.CHROMIUM_SENDONLY);
    // About the largest legal input: as many copies of the offer's m-line as the limits allow.
    String head = offer.substring(0, offer.indexOf("m=audio"));
    String section = offer.substring(offer.indexOf("m=audio"));
    int copies =
        Math.min(
            SdpParser.MAX_MEDIA_SECTIONS,
            (SdpParser.MAX_SDP_CHARS - head.length()) / (section.length() + 4));
    var large = new StringBuilder(head);
    for (int i = 0; i < copies; i++) {
      large.append(section.replace("a=mid:0", "a=mid:" + i));
    }
    String largest = large.toString();
    int rounds = 5_000;
    for (int i = 0; i < rounds; i++) {
      SdpParser.parse(offer); // warm-up
    }
    long started = System.nanoTime();
    for (int i = 0; i < rounds; i++) {
      SdpParser.parse(offer);
    }
    long smallNanos = (System.nanoTime() - started) / rounds;
    started = System.nanoTime();
    SessionDescription parsed = SdpParser.parse(largest);
    long largeNanos = System.nanoTime() - started;
    assertThat(parsed.media()).hasSize(copies);
    // Reported, not asserted: timing depends on the machine. Budget: well under 1 ms per offer,
    // and the large input should cost about `copies` offers, not its square.
    System.out.printf(
        "SDP parse: Chromium offer %d us, %d chars with %d m-lines %d us%n",
        smallNanos / 1000, largest.length(), copies, largeNanos / 1000);
  }

  /** Parses {@code input}; on success, writes, re-parses and answers it. */
  private void check(String input) {
    SessionDescription parsed;
    long started = System.nanoTime();
    try {
      parsed = SdpParser.parse(input);
    } catch (SdpParseException e) {
      assertThat(e.getMessage()).isNotBlank();
      assertThat(e.lineNumber()).isBetween(0, SdpParser.MAX_LINES + 1);
      outcomes.rejected++;
      return;
    } catch (RuntimeException | Error e) {
      throw new AssertionError("parser threw " + e + " for input:\n" + printable(input), e);
    } finally {
      outcomes.slowestParseNanos =
          Math.max(outcomes.slowestParseNanos, System.nanoTime() - started);
    }
    outcomes.parsed++;
    try {
      if (!SdpParser.parse(SdpWriter.write(parsed)).equals(parsed)) {
        fail("write/parse round trip changed the model for input:\n" + printable(input));
      }
    } catch (SdpParseException | RuntimeException e) {
      fail("write/parse round trip threw " + e + " for input:\n" + printable(input), e);
    }
    try {
      SessionDescription answer = AnswerBuilder.answer(parsed, SdpFixtures.serverTransport());
      if (!SdpParser.parse(SdpWriter.write(answer)).equals(answer)) {
        fail("answer does not survive write/parse for input:\n" + printable(input));
      }
    } catch (SdpNegotiationException e) {
      outcomes.refused++;
    } catch (SdpParseException | RuntimeException e) {
      fail("answer builder threw " + e + " for input:\n" + printable(input), e);
    }
  }

  private static String mutate(String sdp, Random random) {
    if (sdp.isEmpty()) {
      return sdp;
    }
    int at = random.nextInt(sdp.length());
    int length = 1 + random.nextInt(Math.min(16, sdp.length() - at));
    return switch (random.nextInt(7)) {
      case 0 -> sdp.substring(0, at) + randomChar(random) + sdp.substring(at + 1);
      case 1 -> sdp.substring(0, at) + sdp.substring(at + length);
      case 2 -> sdp.substring(0, at + length) + sdp.substring(at, at + length) + sdp.substring(at);
      case 3 ->
          sdp.substring(0, at)
              + (char) (sdp.charAt(at) ^ (1 << random.nextInt(8)))
              + sdp.substring(at + 1);
      default -> mutateLines(sdp, random);
    };
  }

  private static String mutateLines(String sdp, Random random) {
    List<String> lines = new ArrayList<>(List.of(sdp.split("\r\n", -1)));
    int at = random.nextInt(lines.size());
    switch (random.nextInt(4)) {
      case 0 -> lines.remove(at);
      case 1 -> lines.add(at, lines.get(at));
      case 2 -> lines.add(random.nextInt(lines.size()), lines.remove(at));
      default -> {
        String line = lines.get(at);
        int cut = line.isEmpty() ? 0 : random.nextInt(line.length());
        lines.set(at, line.substring(0, cut) + randomToken(random) + line.substring(cut));
      }
    }
    return String.join("\r\n", lines);
  }

  private static char randomChar(Random random) {
    return random.nextBoolean()
        ? INTERESTING.charAt(random.nextInt(INTERESTING.length()))
        : (char) (0x20 + random.nextInt(0x5f));
  }

  private static String randomToken(Random random) {
    String[] tokens = {
      " ",
      ":",
      "999999999999999999999",
      "-1",
      "4294967296",
      "*",
      "a=",
      "m=audio 0 x 1\r\n",
      "a=bundle-only\r\n",
      "typ",
      "raddr",
      "/",
      "a=group:BUNDLE 0 1\r\n",
      "\n",
      "a=mid:0\r\n"
    };
    return tokens[random.nextInt(tokens.length)];
  }

  private static String printable(String input) {
    String shown = input.length() > 4000 ? input.substring(0, 4000) + "..." : input;
    var out = new StringBuilder();
    for (char c : shown.toCharArray()) {
      if (c == '\n') {
        out.append("\\n\n");
      } else if (c < 0x20 || c >= 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Counts what came out of {@link #check}. */
  private static final class Outcomes {
    int parsed;
    int rejected;
    int refused;
    long slowestParseNanos;
  }
}
