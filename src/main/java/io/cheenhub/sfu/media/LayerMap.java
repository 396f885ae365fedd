package io.cheenhub.sfu.media;

import java.util.ArrayList;
import java.util.List;

/**
 * Which of a publisher's packets belong to which audio layer (docs/quality.md, "Audio layers"). A
 * layer is an index, 0 the best: {@code h} 64, {@code m} 32, {@code l} 16 kbit/s.
 *
 * <p>Two publish forms map onto it: RFC 8853 simulcast on one m-line, where a packet's RFC 8852
 * {@code rtp-stream-id} header extension names its rid; and the web client's three m-lines of
 * cloned tracks, where a packet's RFC 8843 {@code mid} header extension (or an SSRC the offer
 * announced with {@code a=ssrc}) names its m-line. A publisher without layers has {@link #SINGLE}:
 * every packet is layer 0, whatever its SSRC. Immutable.
 */
public final class LayerMap {

  /** At most this many layers per source (h, m, l). */
  public static final int MAX_LAYERS = 3;

  /** The name of layer {@code index}: {@code h}, {@code m} or {@code l} ({@link AudioLayer}). */
  public static String name(int index) {
    return AudioLayer.ofIndex(index).wireValue();
  }

  /**
   * The index of layer {@code name} ({@code h} 0, {@code m} 1, {@code l} 2), or {@link #UNKNOWN}.
   */
  public static int indexOf(String name) {
    AudioLayer layer = AudioLayer.fromWireValue(name);
    return layer == null ? UNKNOWN : layer.index();
  }

  /** Returned by the lookups for a packet that names no known layer. */
  public static final int UNKNOWN = -1;

  /** One layer as the publish negotiation described it. */
  public record Entry(String mid, String rid, List<Long> ssrcs, int index, long bitrateBps) {
    public Entry {
      ssrcs = List.copyOf(ssrcs);
      if (index < 0 || index >= MAX_LAYERS) {
        throw new IllegalArgumentException("layer index must be 0.." + (MAX_LAYERS - 1));
      }
      if (mid == null && rid == null) {
        throw new IllegalArgumentException("a layer needs a mid or a rid");
      }
    }
  }

  /** No layers: one stream, every packet layer 0. */
  public static final LayerMap SINGLE = new LayerMap(List.of());

  private final List<Entry> entries;
  private final int count;
  private final long[] ssrcs;
  private final int[] layerOfSsrc;
  private final long[] bitrates;

  private LayerMap(List<Entry> entries) {
    this.entries = entries;
    this.count = Math.max(1, entries.size());
    var ssrcList = new ArrayList<long[]>();
    bitrates = new long[count];
    for (int i = 0; i < count; i++) {
      bitrates[i] = AudioLayer.ofIndex(i).bitrateBps();
    }
    for (Entry entry : entries) {
      for (long ssrc : entry.ssrcs()) {
        ssrcList.add(new long[] {ssrc, entry.index()});
      }
      if (entry.bitrateBps() > 0) {
        bitrates[entry.index()] = entry.bitrateBps();
      }
    }
    ssrcs = new long[ssrcList.size()];
    layerOfSsrc = new int[ssrcList.size()];
    for (int i = 0; i < ssrcs.length; i++) {
      ssrcs[i] = ssrcList.get(i)[0];
      layerOfSsrc[i] = (int) ssrcList.get(i)[1];
    }
  }

  /**
   * The layers of one source, indexes 0..n-1 each once.
   *
   * @throws IllegalArgumentException for gaps, repeats or more than {@link #MAX_LAYERS}
   */
  public static LayerMap of(List<Entry> entries) {
    if (entries.size() <= 1) {
      return SINGLE; // one layer is no choice: forward it as today
    }
    if (entries.size() > MAX_LAYERS) {
      throw new IllegalArgumentException("at most " + MAX_LAYERS + " layers: " + entries);
    }
    var sorted = new ArrayList<>(entries);
    sorted.sort((a, b) -> Integer.compare(a.index(), b.index()));
    for (int i = 0; i < sorted.size(); i++) {
      if (sorted.get(i).index() != i) {
        throw new IllegalArgumentException("layer indexes must be 0.." + (sorted.size() - 1));
      }
    }
    return new LayerMap(List.copyOf(sorted));
  }

  /** How many layers the source has (1 without layers). */
  public int count() {
    return count;
  }

  /** Whether there is a choice of layers. */
  public boolean isLayered() {
    return count > 1;
  }

  /** The layers as negotiated, by index; empty for {@link #SINGLE}. */
  public List<Entry> entries() {
    return entries;
  }

  /**
   * The bitrate of layer {@code index}: what the negotiation gave it, else {@link AudioLayer}'s 64
   * / 32 / 16 kbit/s.
   */
  public long bitrateBps(int index) {
    return bitrates[index];
  }

  /** Every layer's {@link #bitrateBps}, best first (a copy). */
  public long[] bitrates() {
    return bitrates.clone();
  }

  /** The layer of an SSRC the offer announced, or {@link #UNKNOWN}. No allocation. */
  int layerOfSsrc(int ssrc) {
    long unsigned = Integer.toUnsignedLong(ssrc);
    for (int i = 0; i < ssrcs.length; i++) {
      if (ssrcs[i] == unsigned) {
        return layerOfSsrc[i];
      }
    }
    return UNKNOWN;
  }

  /** The layer sent on m-line {@code mid} (web client form), or {@link #UNKNOWN}. */
  int layerOfMid(String mid) {
    for (Entry entry : entries) {
      if (entry.rid() == null && entry.mid().equals(mid)) {
        return entry.index();
      }
    }
    return UNKNOWN;
  }

  /** The layer of rid {@code rid} (RFC 8853 form), or {@link #UNKNOWN}. */
  int layerOfRid(String rid) {
    for (Entry entry : entries) {
      if (rid.equals(entry.rid())) {
        return entry.index();
      }
    }
    return UNKNOWN;
  }

  /** Whether packets are told apart by rid (RFC 8853) rather than by m-line. */
  boolean byRid() {
    return !entries.isEmpty() && entries.get(0).rid() != null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LayerMap other && entries.equals(other.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode(); // ssrcs and bitrates are derived from the entries
  }

  @Override
  public String toString() {
    return "LayerMap" + entries;
  }
}
