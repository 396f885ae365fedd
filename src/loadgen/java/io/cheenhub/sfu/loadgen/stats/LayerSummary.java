package io.cheenhub.sfu.loadgen.stats;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;

/**
 * What the bots received by audio layer, summed over streams ({@link StreamStats.Totals}): the
 * layer each stream ended on, how often streams changed layer or SSRC, packets and payload bytes
 * per layer, and the mean payload bitrate of a stream (DTX pauses included).
 */
public final class LayerSummary {

  private final long[] streamsEndingOn = new long[StreamStats.LAYERS];
  private final long[] packets = new long[StreamStats.LAYERS];
  private final long[] payloadBytes = new long[StreamStats.LAYERS];
  private long layerChanges;
  private long ssrcChanges;
  private double kbpsSum;
  private long kbpsStreams;

  /** Adds one stream. */
  public void add(StreamStats.Totals stream) {
    if (stream.layer() >= 0) {
      streamsEndingOn[stream.layer()]++;
    }
    for (int i = 0; i < StreamStats.LAYERS; i++) {
      packets[i] += stream.packetsByLayer()[i];
      payloadBytes[i] += stream.payloadBytesByLayer()[i];
    }
    layerChanges += stream.layerChanges();
    ssrcChanges += stream.ssrcChanges();
    long span = stream.lastArrivalNanos() - stream.firstArrivalNanos();
    if (span > 0) {
      kbpsSum += stream.payloadBytes() * 8e6 / span;
      kbpsStreams++;
    }
  }

  /** Streams whose newest packet came from layer {@code index}. */
  public long streamsEndingOn(int index) {
    return streamsEndingOn[index];
  }

  /** Layer changes seen, over all streams. */
  public long layerChanges() {
    return layerChanges;
  }

  /** SSRC changes seen, over all streams (a listener keeps one SSRC per speaker: 0). */
  public long ssrcChanges() {
    return ssrcChanges;
  }

  /** Mean payload bytes of a packet of layer {@code index}, NaN if none came. */
  public double meanPayloadBytes(int index) {
    return packets[index] == 0 ? Double.NaN : (double) payloadBytes[index] / packets[index];
  }

  /** Mean payload bitrate of a stream over its life in kbit/s, NaN without streams. */
  public double meanStreamKbps() {
    return kbpsStreams == 0 ? Double.NaN : kbpsSum / kbpsStreams;
  }

  /** As JSON: per layer (h, m, l order) streams ending on it, packets and mean payload bytes. */
  public JsonObject toJson() {
    JsonArrayBuilder ending = Json.createArrayBuilder();
    JsonArrayBuilder packetCounts = Json.createArrayBuilder();
    JsonArrayBuilder meanBytes = Json.createArrayBuilder();
    for (int i = 0; i < StreamStats.LAYERS; i++) {
      ending.add(streamsEndingOn[i]);
      packetCounts.add(packets[i]);
      meanBytes.add(packets[i] == 0 ? 0 : meanPayloadBytes(i));
    }
    return Json.createObjectBuilder()
        .add("streamsEndingOn", ending)
        .add("packets", packetCounts)
        .add("meanPayloadBytes", meanBytes)
        .add("layerChanges", layerChanges)
        .add("ssrcChanges", ssrcChanges)
        .add("meanStreamKbps", kbpsStreams == 0 ? 0 : meanStreamKbps())
        .build();
  }
}
