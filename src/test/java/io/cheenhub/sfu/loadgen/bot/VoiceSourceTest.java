package io.cheenhub.sfu.loadgen.bot;

import static org.assertj.core.api.Assertions.assertThat;

import io.cheenhub.sfu.loadgen.peer.PeerSdp;
import io.cheenhub.sfu.loadgen.peer.RtpSender;
import io.cheenhub.sfu.rtp.HeaderExtensions;
import io.cheenhub.sfu.rtp.RtpPacket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a talker sends, read with the server's own RTP parsers. */
class VoiceSourceTest {

  private static final long TICK_NANOS = 2_000_000;
  private static final int H = 0x11;
  private static final int M = 0x22;
  private static final int L = 0x33;

  /** Keeps a copy of every packet "sent". */
  private static final class Capture implements RtpSender {
    final byte[] buffer = new byte[1500];
    final List<byte[]> packets = new ArrayList<>();

    @Override
    public byte[] sendBuffer() {
      return buffer;
    }

    @Override
    public boolean sendRtp(byte[] packet, int length) {
      packets.add(Arrays.copyOf(packet, length));
      return true;
    }
  }

  private long now;

  private void run(VoiceSource source, int frames) {
    for (int i = 0; i < frames * 10; i++) {
      now += TICK_NANOS;
      source.tick(now);
    }
  }

  @Test
  void eachLayerHasItsSsrcRidAndBitrateAndEveryLayerOfAFrameHasItsStamp() {
    var capture = new Capture();
    var source =
        new VoiceSource(
            capture, 7, new int[] {H, M, L}, PeerSdp.AUDIO_LAYERS, 0, false, 0b111, 1, false);
    source.start(now);
    run(source, 500);

    var rids = new HashMap<Integer, String>();
    var payloadBytes = new HashMap<Integer, Long>();
    var packets = new HashMap<Integer, Integer>();
    var lastSequence = new HashMap<Integer, Integer>();
    var lastTimestamp = new HashMap<Integer, Long>();
    var layersByStamp = new HashMap<Integer, List<Integer>>();
    var view = new RtpPacket();
    for (byte[] bytes : capture.packets) {
      assertThat(view.wrap(bytes, 0, bytes.length)).isTrue();
      int ssrc = view.ssrc();
      String rid = HeaderExtensions.rid(view, PeerSdp.RTP_STREAM_ID_EXTENSION_ID);
      assertThat(rids.computeIfAbsent(ssrc, s -> rid)).as("rid of SSRC %d", ssrc).isEqualTo(rid);
      assertThat(HeaderExtensions.audioLevel(view, VoiceSource.AUDIO_LEVEL_EXTENSION_ID))
          .isNotNegative();
      if (lastSequence.containsKey(ssrc)) {
        // One sequence space per SSRC, +1 per packet; the 48 kHz clock +960 per 20 ms frame.
        assertThat(view.sequenceNumber()).isEqualTo((lastSequence.get(ssrc) + 1) & 0xFFFF);
        assertThat((view.timestamp() - lastTimestamp.get(ssrc)) & 0xFFFF_FFFFL).isEqualTo(960);
      }
      lastSequence.put(ssrc, view.sequenceNumber());
      lastTimestamp.put(ssrc, view.timestamp());
      packets.merge(ssrc, 1, Integer::sum);
      payloadBytes.merge(ssrc, (long) view.payloadLength(), Long::sum);
      int payload = view.payloadOffset();
      assertThat(Stamp.sender(bytes, payload)).isEqualTo(7);
      layersByStamp
          .computeIfAbsent(Stamp.sequence(bytes, payload), k -> new ArrayList<>())
          .add(Stamp.layer(bytes, payload));
    }
    assertThat(rids).containsExactlyInAnyOrderEntriesOf(Map.of(H, "h", M, "m", L, "l"));
    assertThat(packets).containsValues(500).hasSize(3);
    // Opus in 20 ms frames: 64, 32 and 16 kbit/s are 160, 80 and 40 bytes a frame on average.
    assertThat(payloadBytes.get(H) / 500.0).isBetween(152.0, 168.0);
    assertThat(payloadBytes.get(M) / 500.0).isBetween(76.0, 84.0);
    assertThat(payloadBytes.get(L) / 500.0).isBetween(38.0, 42.0);
    // The frames' stamps: one gapless sequence, each in all three layers.
    assertThat(layersByStamp).hasSize(500);
    assertThat(layersByStamp.values()).allSatisfy(l -> assertThat(l).containsExactly(0, 1, 2));
    assertThat(source.packetsSent(0)).isEqualTo(500);
  }

  @Test
  void onlyTheLayersAskedForAreSentAndAResumedLayerContinuesItsSequence() {
    var capture = new Capture();
    var source =
        new VoiceSource(
            capture, 7, new int[] {H, M, L}, PeerSdp.AUDIO_LAYERS, 0, false, 0b001, 1, false);
    source.start(now);
    run(source, 50);
    assertThat(ssrcs(capture)).containsOnly(H);
    assertThat(source.packetsSent(2)).isZero();

    capture.packets.clear();
    source.setActiveLayers(0b101);
    run(source, 50);
    assertThat(ssrcs(capture)).containsOnly(H, L);
    assertThat(source.packetsSent(0)).isEqualTo(100);
    assertThat(source.packetsSent(1)).isZero();
    assertThat(source.packetsSent(2)).isEqualTo(50);

    capture.packets.clear();
    source.setActiveLayers(0b001);
    run(source, 50);
    assertThat(ssrcs(capture)).containsOnly(H);
    assertThat(source.lastSequence()).isEqualTo(149); // one stamp per frame, whatever the layers
  }

  @Test
  void withoutLayersOneStreamOfAbout32KbitsWithoutRid() {
    var capture = new Capture();
    var source = new VoiceSource(capture, 3, 0x0100_0003, 9);
    source.start(now);
    run(source, 500);
    var view = new RtpPacket();
    assertThat(capture.packets).isNotEmpty();
    for (byte[] bytes : capture.packets) {
      view.wrap(bytes, 0, bytes.length);
      assertThat(view.ssrc()).isEqualTo(0x0100_0003);
      assertThat(HeaderExtensions.rid(view, PeerSdp.RTP_STREAM_ID_EXTENSION_ID)).isNull();
      // A talk-spurt frame of 60–100 bytes, or a DTX frame that is just the stamp.
      assertThat(view.payloadLength())
          .satisfiesAnyOf(
              n -> assertThat(n).isEqualTo(Stamp.LENGTH), n -> assertThat(n).isBetween(60, 100));
    }
  }

  @Test
  void withoutLayersAt64KbitsThePayloadsAreTheHighLayers() {
    var capture = new Capture();
    var source = new VoiceSource(capture, 3, new int[] {5}, List.of(), 64_000, false, 1, 9, false);
    source.start(now);
    run(source, 500);
    var view = new RtpPacket();
    long bytes = 0;
    for (byte[] packet : capture.packets) {
      view.wrap(packet, 0, packet.length);
      bytes += view.payloadLength();
    }
    assertThat(capture.packets).hasSize(500);
    assertThat(bytes / 500.0).isBetween(152.0, 168.0);
  }

  private static List<Integer> ssrcs(Capture capture) {
    var view = new RtpPacket();
    var ssrcs = new ArrayList<Integer>();
    for (byte[] bytes : capture.packets) {
      view.wrap(bytes, 0, bytes.length);
      ssrcs.add(view.ssrc());
    }
    return ssrcs;
  }
}
