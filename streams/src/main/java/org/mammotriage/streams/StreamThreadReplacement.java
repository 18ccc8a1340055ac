package org.mammotriage.streams;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a failed stream thread (exactly-once: its records are processed again) after a backoff
 * that doubles with each failure in a row, from {@code first} up to {@code max}; a failure after a
 * quiet period starts again from {@code first}. A transient failure that lasts (a registry down, a
 * broken model) so costs one attempt per {@code max}, never a hot loop, and logs one line per
 * attempt (the stack trace on the first of a run). The wait happens on the failed thread before it
 * is replaced; the other threads go on.
 */
public final class StreamThreadReplacement implements StreamsUncaughtExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(StreamThreadReplacement.class);

  /** Waits; a seam so tests control time. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final Duration first;
  private final Duration max;
  private final Duration quiet;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private int failuresInARow;
  private long lastFailureNanos;

  /** 0.5 s doubling up to 15 s (well inside close()'s 30 s); a run ends after 2 quiet minutes. */
  public StreamThreadReplacement() {
    this(
        Duration.ofMillis(500),
        Duration.ofSeconds(15),
        Duration.ofMinutes(2),
        System::nanoTime,
        d -> Thread.sleep(d.toMillis()));
  }

  StreamThreadReplacement(
      Duration first, Duration max, Duration quiet, LongSupplier nanoTime, Sleeper sleeper) {
    this.first = first;
    this.max = max;
    this.quiet = quiet;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
  }

  @Override
  public StreamThreadExceptionResponse handle(Throwable e) {
    int n;
    Duration delay;
    synchronized (this) {
      long now = nanoTime.getAsLong();
      if (failuresInARow > 0 && now - lastFailureNanos > quiet.toNanos()) {
        failuresInARow = 0;
      }
      lastFailureNanos = now;
      n = ++failuresInARow;
      delay = delay(n);
    }
    if (n == 1) {
      LOG.error("stream thread failed; replacing it in {} ms", delay.toMillis(), e);
    } else {
      LOG.error(
          "stream thread failed ({} in a row); replacing it in {} ms: {}",
          n,
          delay.toMillis(),
          e.toString());
    }
    try {
      sleeper.sleep(delay);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt(); // closing: replace now, Streams decides whether it runs
    }
    return StreamThreadExceptionResponse.REPLACE_THREAD;
  }

  /** first · 2^(n-1), capped at max. */
  Duration delay(int n) {
    int doublings = Math.min(n - 1, 30);
    long millis = first.toMillis() << doublings;
    return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
  }
}
