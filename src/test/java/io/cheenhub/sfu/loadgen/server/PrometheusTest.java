package io.cheenhub.sfu.loadgen.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The probe's reading of a /metrics scrape. */
class PrometheusTest {

  /** The shape of Payara Micro 6.2025.10's /metrics: base metrics once more at the end. */
  private static final String SCRAPE =
      """
      # TYPE gc_total counter
      gc_total{mp_scope="base",name="G1 Young Generation"} 26.0
      gc_total{mp_scope="base",name="G1 Old Generation"} 1.0
      # TYPE memory_usedHeap_bytes gauge
      memory_usedHeap_bytes{mp_scope="base"} 1.46198528E8
      # TYPE sfu_media_drops_total counter
      sfu_media_drops_total{mp_scope="application",reason="no-keys"} 3.0
      sfu_media_drops_total{mp_scope="application",reason="replay"} 4.0
      sfu_heap_after_gc_bytes{mp_scope="application"} 96915456
      gc_total{mp_scope="base",name="G1 Young Generation"} 26.0
      gc_total{mp_scope="base",name="G1 Old Generation"} 1.0
      memory_usedHeap_bytes{mp_scope="base"} 1.4829568E8
      thread_count{mp_scope="base"} 150.0
      """;

  @Test
  void aSeriesPrintedTwiceCountsOnceAtItsFirstReading() {
    var metrics = new Prometheus(SCRAPE);
    assertThat(metrics.sum("memory_usedHeap_bytes", "")).isEqualTo(1.46198528E8);
    assertThat(metrics.sum("gc_total", "")).isEqualTo(27);
    assertThat(metrics.sum("gc_total", "Old")).isEqualTo(1);
    assertThat(metrics.sum("thread_count", "")).isEqualTo(150);
    assertThat(metrics.sum("sfu_heap_after_gc_bytes", "")).isEqualTo(96915456);
    assertThat(metrics.sum("absent", "")).isEqualTo(-1);
    assertThat(metrics.byLabel("sfu_media_drops_total", "reason"))
        .containsEntry("no-keys", 3L)
        .containsEntry("replay", 4L);
  }
}
