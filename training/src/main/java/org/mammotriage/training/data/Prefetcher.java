package org.mammotriage.training.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Produces items {@code from, from+1, …, to−1} (training steps' batches) on worker threads ahead of
 * the consumer, and hands them out in index order.
 *
 * <p>Memory is bounded by {@code depth}: at most {@code depth} items are being built or waiting,
 * whatever the archive size. Each item is a function of its index only (the producer must derive
 * every random draw from the index), so the sequence is the same for any number of workers.
 *
 * @param <T> the item (a batch's host-side arrays)
 */
public final class Prefetcher<T> implements AutoCloseable {
  /** Builds item {@code index}; must depend on nothing but the index. */
  @FunctionalInterface
  public interface Producer<T> {
    T produce(int index) throws IOException;
  }

  private final Producer<T> producer;
  private final int to;
  private final int depth;
  private final ExecutorService pool;
  private final Deque<Future<T>> window = new ArrayDeque<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicLong producerNanos = new AtomicLong();
  private long waitNanos;
  private int next;

  /**
   * @param workers threads that build items (≥ 1)
   * @param depth items built ahead of the consumer (≥ 1; the bound on what is held)
   */
  public Prefetcher(int from, int to, Producer<T> producer, int workers, int depth) {
    if (workers < 1 || depth < 1) {
      throw new IllegalArgumentException(
          "workers and prefetch depth must be >= 1, got " + workers + " and " + depth);
    }
    this.producer = producer;
    this.to = to;
    this.depth = depth;
    this.next = from;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            workers,
            r -> {
              Thread t = new Thread(r, "prefetch-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    fill();
  }

  /** The next item in index order; blocks until it is built. */
  public T next() throws IOException {
    Future<T> f = window.pollFirst();
    if (f == null) {
      throw new IllegalStateException(
          next < to
              ? "the consumer holds more than one item: call release() after each next()"
              : "no item left (index " + to + " reached)");
    }
    long t0 = System.nanoTime();
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the data pipeline", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException("the data pipeline failed: " + c, c);
    } finally {
      waitNanos += System.nanoTime() - t0;
      fill();
    }
  }

  /** Called by the consumer when it no longer holds the item it took: frees its slot. */
  public void release() {
    inFlight.decrementAndGet();
  }

  /** The most items that were ever built, waiting or held at once (≤ depth + 1). */
  public int maxResident() {
    return maxInFlight.get();
  }

  /** Seconds the consumer waited for items (the loader was the bottleneck for that long). */
  public double waitSeconds() {
    return waitNanos / 1e9;
  }

  /** Seconds the workers spent building items, summed over workers. */
  public double producerSeconds() {
    return producerNanos.get() / 1e9;
  }

  private void fill() {
    // an item counts from its submission until the consumer releases it
    while (window.size() < depth && next < to && inFlight.get() < depth + 1) {
      int index = next++;
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      window.addLast(
          pool.submit(
              () -> {
                long t0 = System.nanoTime();
                try {
                  return producer.produce(index);
                } finally {
                  producerNanos.addAndGet(System.nanoTime() - t0);
                }
              }));
    }
  }

  @Override
  public void close() {
    window.forEach(f -> f.cancel(true));
    window.clear();
    pool.shutdownNow();
  }
}
