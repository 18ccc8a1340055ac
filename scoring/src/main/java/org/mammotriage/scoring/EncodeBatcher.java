package org.mammotriage.scoring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches the single images that concurrent callers (stream threads) want encoded into one encoder
 * run on its own thread: up to {@code batchMax} images of the same model, waiting at most {@code
 * lingerMs} and only while another caller's image is on its way (a lone caller never waits).
 * Callers prepare their image into their own buffer, {@link #submit} it, and wait for the result
 * before they reuse the buffer.
 */
final class EncodeBatcher implements AutoCloseable {
  private record Pending(LoadedModel model, FloatBuffer image, CompletableFuture<ViewEncoding> f) {}

  private final int batchMax;
  private final long lingerMs;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  // callers between begin() and their result: preparing, queued or running
  private final AtomicInteger outstanding = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong runs =
      new java.util.concurrent.atomic.AtomicLong();
  private final Thread thread;
  private volatile boolean closed;
  private Pending carried; // an image of another model than the batch before it: starts the next
  private FloatBuffer gather; // the batch, when it holds more than one image

  EncodeBatcher(int batchMax, long lingerMs) {
    this.batchMax = Math.max(1, batchMax);
    this.lingerMs = Math.max(0, lingerMs);
    this.thread = new Thread(this::loop, "scoring-encode-batcher");
    thread.setDaemon(true);
    thread.start();
  }

  /** Encoder runs so far. */
  long runs() {
    return runs.get();
  }

  /** A caller starts preparing an image it will submit (or {@link #abandon}). */
  void begin() {
    outstanding.incrementAndGet();
  }

  /** A caller that called {@link #begin} will not submit. */
  void abandon() {
    outstanding.decrementAndGet();
  }

  /** Queues a prepared image [1, 1, H, W] of {@code model}; the future completes after its run. */
  CompletableFuture<ViewEncoding> submit(LoadedModel model, FloatBuffer image) {
    CompletableFuture<ViewEncoding> f = new CompletableFuture<>();
    queue.add(new Pending(model, image, f));
    if (closed) { // closed meanwhile: nobody runs the queue any more
      failQueued();
    }
    return f;
  }

  private void loop() {
    List<Pending> batch = new ArrayList<>();
    while (!closed) {
      try {
        Pending first = carried != null ? carried : queue.poll(200, TimeUnit.MILLISECONDS);
        carried = null;
        if (first == null) {
          continue;
        }
        batch.add(first);
        carried =
            BatchCollector.fill(
                    batch,
                    queue,
                    batchMax,
                    lingerMs,
                    outstanding,
                    (a, b) -> a.model() == b.model()) // one model per run
                .carried();
        run(batch);
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail(batch, e);
        return;
      }
    }
  }

  private void run(List<Pending> batch) {
    LoadedModel m = batch.get(0).model();
    int n = batch.size();
    int plane = m.manifest().inputHeight() * m.manifest().inputWidth();
    try {
      FloatBuffer in;
      if (n == 1) {
        in = batch.get(0).image();
      } else {
        if (gather == null || gather.capacity() < n * plane) {
          gather =
              ByteBuffer.allocateDirect(4 * batchMax * plane)
                  .order(ByteOrder.nativeOrder())
                  .asFloatBuffer();
        }
        for (int i = 0; i < n; i++) {
          gather.put(i * plane, batch.get(i).image(), 0, plane);
        }
        in = gather;
      }
      ViewEncoding[] out = EncoderHeadRuns.encode(m, in, n);
      runs.incrementAndGet();
      for (int i = 0; i < n; i++) {
        outstanding.decrementAndGet();
        batch.get(i).f().complete(out[i]);
      }
    } catch (Exception e) {
      fail(batch, e);
    }
  }

  private void fail(List<Pending> batch, Exception e) {
    for (Pending p : batch) {
      if (p.f().completeExceptionally(e)) {
        outstanding.decrementAndGet();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (carried != null) {
      fail(List.of(carried), new IllegalStateException("the scorer was closed"));
      carried = null;
    }
    failQueued();
  }

  private void failQueued() {
    List<Pending> left = new ArrayList<>();
    queue.drainTo(left);
    fail(left, new IllegalStateException("the scorer was closed"));
  }
}
