package io.cheenhub.sfu.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The real browser SDPs under {@code src/test/resources/sdp/} and a server transport for tests. */
final class SdpFixtures {
  static final String CHROMIUM_SENDONLY = "chromium-audio-sendonly-offer.sdp";
  static final String CHROMIUM_RECVONLY = "chromium-audio-recvonly-offer.sdp";
  static final String CHROMIUM_SENDRECV = "chromium-audio-sendrecv-offer.sdp";
  static final String CHROMIUM_ANSWER = "chromium-audio-answer-to-sendrecv.sdp";
  static final String CHROMIUM_SIMULCAST = "chromium-video-simulcast-offer.sdp";
  static final String FIREFOX_SENDONLY = "firefox-audio-sendonly-offer.sdp";
  static final String FIREFOX_RECVONLY = "firefox-audio-recvonly-offer.sdp";
  static final String FIREFOX_SENDRECV = "firefox-audio-sendrecv-offer.sdp";
  static final String FIREFOX_ANSWER = "firefox-audio-answer-to-sendrecv.sdp";
  static final String FIREFOX_SIMULCAST = "firefox-video-simulcast-offer.sdp";
  static final String NODE_WRTC_SENDONLY = "node-wrtc-audio-sendonly-offer.sdp";
  static final String WERIFT_SENDONLY = "werift-audio-sendonly-offer.sdp";

  /** Hand-made RFC 8853 audio simulcast: rids h/m/l with max-br, both RFC 8852 extmaps. */
  static final String RFC8853_AUDIO_SIMULCAST = "rfc8853-audio-simulcast-offer.sdp";

  /**
   * Chromium 156, the browser form of layers: three sendonly transceivers of cloned microphone
   * tracks with maxBitrate 64/32/16 kbit/s (which the SDP does not show), BUNDLE 0 1 2.
   */
  static final String CHROMIUM_THREE_SENDONLY = "chromium-audio-three-sendonly-offer.sdp";

  /** Every file in the folder, listed by name so a missing copy fails loudly. */
  static final List<String> ALL =
      List.of(
          CHROMIUM_SENDONLY,
          CHROMIUM_RECVONLY,
          CHROMIUM_SENDRECV,
          CHROMIUM_ANSWER,
          CHROMIUM_SIMULCAST,
          FIREFOX_SENDONLY,
          FIREFOX_RECVONLY,
          FIREFOX_SENDRECV,
          FIREFOX_ANSWER,
          FIREFOX_SIMULCAST,
          NODE_WRTC_SENDONLY,
          WERIFT_SENDONLY,
          RFC8853_AUDIO_SIMULCAST,
          CHROMIUM_THREE_SENDONLY);

  static final String SERVER_UFRAG = "Srv1";
  static final String SERVER_PWD = "ServerPassword0123456789";
  static final Attribute.Fingerprint SERVER_FINGERPRINT =
      new Attribute.Fingerprint(
          "sha-256",
          "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
              + "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
  static final String SERVER_CANDIDATE_V4 =
      "candidate:1 1 udp 2130706431 198.51.100.10 10000 typ host generation 0";
  static final String SERVER_CANDIDATE_V6 =
      "candidate:2 1 udp 2130706175 2001:db8::10 10000 typ host generation 0";

  private SdpFixtures() {}

  /** The file's text, byte for byte. */
  static String read(String name) {
    try (InputStream in = SdpFixtures.class.getResourceAsStream("/sdp/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource sdp/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SessionDescription parse(String name) {
    try {
      return SdpParser.parse(read(name));
    } catch (SdpParseException e) {
      throw new AssertionError(name + ": " + e.getMessage(), e);
    }
  }

  static LocalTransport serverTransport() {
    return new LocalTransport(
        4_611_686_018_427_387_000L,
        1,
        SERVER_UFRAG,
        SERVER_PWD,
        SERVER_FINGERPRINT,
        List.of(SERVER_CANDIDATE_V4, SERVER_CANDIDATE_V6));
  }

  /** The lines of an SDP text without their CRLF. */
  static List<String> lines(String sdp) {
    return List.of(sdp.split("\r\n"));
  }
}
