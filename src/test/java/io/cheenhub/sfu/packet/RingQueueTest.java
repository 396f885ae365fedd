package io.cheenhub.sfu.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RingQueueTest {

  @ParameterizedTest
  @CsvSource({"1,2", "2,2", "3,4", "4,4", "5,8", "1000,1024", "1024,1024"})
  void capacityRoundsUpToAPowerOfTwo(int asked, int actual) {
    assertThat(new RingQueue<Integer>(asked).capacity()).isEqualTo(actual);
  }

  @Test
  void fifoUntilFullThenRefuses() {
    var queue = new RingQueue<Integer>(4);
    for (int i = 0; i < 4; i++) {
      assertThat(queue.offer(i)).isTrue();
    }
    assertThat(queue.offer(99)).isFalse();
    assertThat(queue.size()).isEqualTo(4);
    for (int i = 0; i < 4; i++) {
      assertThat(queue.poll()).isEqualTo(i);
    }
    assertThat(queue.poll()).isNull();
    assertThat(queue.isEmpty()).isTrue();
  }

  @Test
  void wrapsAroundManyLaps() {
    var queue = new RingQueue<Integer>(2);
    for (int i = 0; i < 10_000; i++) {
      assertThat(queue.offer(i)).isTrue();
      assertThat(queue.offer(i + 1)).isTrue();
      assertThat(queue.offer(-1)).isFalse();
      assertThat(queue.poll()).isEqualTo(i);
      assertThat(queue.poll()).isEqualTo(i + 1);
      assertThat(queue.poll()).isNull();
    }
  }

  @Test
  void manyProducersAndConsumersLoseAndDuplicateNothing() throws Exception {
    var queue = new RingQueue<Integer>(256);
    int producers = 3;
    int consumers = 3;
    int perProducer = 50_000;
    ExecutorService pool = Executors.newFixedThreadPool(producers + consumers);
    var start = new CountDownLatch(1);
    var consumed = new ConcurrentLinkedQueue<Integer>();
    var consumedCount = new AtomicInteger();
    List<Future<?>> tasks = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int base = p * perProducer;
      tasks.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < perProducer; i++) {
                  while (!queue.offer(base + i)) {
                    Thread.yield();
                  }
                }
                return null;
              }));
    }
    int total = producers * perProducer;
    for (int c = 0; c < consumers; c++) {
      tasks.add(
          pool.submit(
              () -> {
                start.await();
                while (consumedCount.get() < total) {
                  Integer value = queue.poll();
                  if (value != null) {
                    consumed.add(value);
                    consumedCount.incrementAndGet();
                  } else {
                    Thread.yield();
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> task : tasks) {
      task.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertThat(consumed).hasSize(total);
    assertThat(consumed.stream().distinct().count()).isEqualTo(total);
    assertThat(queue.poll()).isNull();
  }
}
