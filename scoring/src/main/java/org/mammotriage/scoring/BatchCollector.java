package org.mammotriage.scoring;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;

/**
 * Grows a batch for one ONNX Runtime run from a queue of waiting callers, the linger rule of both
 * batchers (whole exams in {@link OnnxExamScorer}, single images in {@link EncodeBatcher}) written
 * once: take what is queued up to {@code batchMax}; wait up to {@code lingerMs} from the start only
 * while another caller is on its way ({@code outstanding} counts callers between starting to
 * prepare and their result), so a lone caller never waits out the linger.
 */
final class BatchCollector {
  private BatchCollector() {}

  /** Why the batch stopped growing. */
  enum Stop {
    FULL,
    NONE_ON_ITS_WAY,
    LINGER_TIMED_OUT,
    OTHER_RUN
  }

  /**
   * How the batch ended; {@code carried} is the item that belongs to another run (it starts the
   * next batch), only with {@link Stop#OTHER_RUN}.
   */
  record Filled<P>(Stop stop, P carried) {}

  /**
   * Adds waiting items to {@code batch}, which holds its first item already.
   *
   * @param sameRun whether an item may join the batch of the first one (e.g. the same model)
   */
  static <P> Filled<P> fill(
      List<P> batch,
      BlockingQueue<P> queue,
      int batchMax,
      long lingerMs,
      AtomicInteger outstanding,
      BiPredicate<P, P> sameRun)
      throws InterruptedException {
    P first = batch.get(0);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(lingerMs);
    while (batch.size() < batchMax) {
      P p = queue.poll();
      if (p == null) {
        long left = deadline - System.nanoTime();
        if (outstanding.get() <= batch.size() || left <= 0) {
          return new Filled<>(Stop.NONE_ON_ITS_WAY, null);
        }
        p = queue.poll(left, TimeUnit.NANOSECONDS);
        if (p == null) {
          return new Filled<>(Stop.LINGER_TIMED_OUT, null);
        }
      }
      if (!sameRun.test(first, p)) {
        return new Filled<>(Stop.OTHER_RUN, p);
      }
      batch.add(p);
    }
    return new Filled<>(Stop.FULL, null);
  }
}
