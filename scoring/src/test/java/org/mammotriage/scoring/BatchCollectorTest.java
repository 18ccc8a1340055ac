package org.mammotriage.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchCollectorTest {
  private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();

  @Test
  void shouldTakeWhatIsQueuedUpToTheBatchSize() throws Exception {
    queue.addAll(List.of("b", "c", "d"));
    List<String> batch = new ArrayList<>(List.of("a"));

    var filled = BatchCollector.fill(batch, queue, 3, 60_000, new AtomicInteger(4), (x, y) -> true);

    assertThat(batch).containsExactly("a", "b", "c");
    assertThat(filled.stop()).isEqualTo(BatchCollector.Stop.FULL);
    assertThat(queue).containsExactly("d");
  }

  @Test
  void shouldNotLingerWhenNoOtherCallerIsOnItsWay() throws Exception {
    List<String> batch = new ArrayList<>(List.of("a"));

    // a one-minute linger: returning at all shows it was not waited out
    var filled = BatchCollector.fill(batch, queue, 8, 60_000, new AtomicInteger(1), (x, y) -> true);

    assertThat(filled.stop()).isEqualTo(BatchCollector.Stop.NONE_ON_ITS_WAY);
    assertThat(batch).containsExactly("a");
  }

  @Test
  void shouldStopAtAnItemOfAnotherRunAndCarryIt() throws Exception {
    queue.addAll(List.of("a2", "b1", "a3"));
    List<String> batch = new ArrayList<>(List.of("a1"));

    var filled =
        BatchCollector.fill(
            batch, queue, 8, 0, new AtomicInteger(4), (x, y) -> x.charAt(0) == y.charAt(0));

    assertThat(batch).containsExactly("a1", "a2");
    assertThat(filled.stop()).isEqualTo(BatchCollector.Stop.OTHER_RUN);
    assertThat(filled.carried()).isEqualTo("b1");
    assertThat(queue).containsExactly("a3");
  }

  @Test
  void shouldEndTheLingerWhenNothingArrivesInTime() throws Exception {
    List<String> batch = new ArrayList<>(List.of("a"));

    var filled = BatchCollector.fill(batch, queue, 8, 1, new AtomicInteger(2), (x, y) -> true);

    assertThat(filled.stop()).isEqualTo(BatchCollector.Stop.LINGER_TIMED_OUT);
    assertThat(batch).containsExactly("a");
  }
}
