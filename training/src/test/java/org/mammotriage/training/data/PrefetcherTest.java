package org.mammotriage.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PrefetcherTest {
  /** An item that depends only on its index, as the training batches do. */
  private static long[] item(int index) {
    SplittableRandom r = new SplittableRandom(index * 31L + 7);
    return new long[] {index, r.nextLong(), r.nextLong()};
  }

  private static List<long[]> drain(int workers, int depth, AtomicInteger live) throws Exception {
    List<long[]> out = new ArrayList<>();
    int[] maxLive = {0};
    try (Prefetcher<long[]> p =
        new Prefetcher<>(
            3,
            40,
            i -> {
              live.incrementAndGet();
              return item(i);
            },
            workers,
            depth)) {
      for (int i = 3; i < 40; i++) {
        out.add(p.next());
        maxLive[0] = Math.max(maxLive[0], live.get());
        live.decrementAndGet();
        p.release();
      }
      assertThat(p.maxResident()).isLessThanOrEqualTo(depth + 1);
    }
    assertThat(maxLive[0]).isLessThanOrEqualTo(depth + 1);
    return out;
  }

  @Test
  void shouldHandOutItemsInIndexOrderWhateverTheNumberOfWorkersWithBoundedItemsHeld()
      throws Exception {
    List<long[]> one = drain(1, 1, new AtomicInteger());
    List<long[]> many = drain(4, 3, new AtomicInteger());

    assertThat(one).hasSize(37);
    assertThat(one.get(0)[0]).isEqualTo(3);
    assertThat(one.get(36)[0]).isEqualTo(39);
    for (int i = 0; i < one.size(); i++) {
      assertThat(many.get(i)).containsExactly(one.get(i));
    }
  }

  @Test
  void shouldPassAWorkersIoErrorToTheConsumerAndRefuseBadSettings() throws Exception {
    try (Prefetcher<long[]> p =
        new Prefetcher<>(
            0,
            5,
            i -> {
              if (i == 1) {
                throw new IOException("image 1 is unreadable");
              }
              return item(i);
            },
            2,
            2)) {
      p.next();
      p.release();
      assertThatThrownBy(p::next)
          .isInstanceOf(IOException.class)
          .hasMessage("image 1 is unreadable");
    }
    assertThatThrownBy(() -> new Prefetcher<long[]>(0, 1, PrefetcherTest::item, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("workers");
  }
}
