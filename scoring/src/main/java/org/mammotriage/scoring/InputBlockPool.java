package org.mammotriage.scoring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reuses the direct memory exams are prepared into. A block holds the {@code views} [capacity, 4,
 * 1, H, W] and {@code present} [capacity, 4] data of the model input for up to {@code capacity}
 * exams; the images are decoded, resized and normalised straight into it, and ONNX Runtime reads it
 * without a copy when a batch is one block. At full resolution one exam is 22 MB, so a warm scorer
 * allocates none. Bounded: blocks given back beyond {@code max} are left to the collector; blocks
 * of another shape (from a model with another input size) are dropped when met.
 */
final class InputBlockPool {

  /** Direct input memory for up to {@code capacity} exams of an h×w model input. */
  static final class Block {
    final int h;
    final int w;
    final int capacity;
    final FloatBuffer views;
    final FloatBuffer present;

    Block(int h, int w, int capacity) {
      this.h = h;
      this.w = w;
      this.capacity = capacity;
      this.views =
          ByteBuffer.allocateDirect(Math.multiplyExact(4 * 4 * capacity, h * w))
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
      this.present =
          ByteBuffer.allocateDirect(4 * 4 * capacity)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
    }

    /** Where the image of {@code slot} of the exam at {@code index} starts in {@link #views}. */
    int offset(int index, int slot) {
      return (index * 4 + slot) * h * w;
    }

    boolean fits(int h, int w, int capacity) {
      return this.h == h && this.w == w && this.capacity == capacity;
    }
  }

  private final ConcurrentLinkedDeque<Block> free = new ConcurrentLinkedDeque<>();
  private final AtomicInteger size = new AtomicInteger();
  private final int max;

  InputBlockPool(int max) {
    this.max = max;
  }

  /** A pooled block of that shape (contents undefined), or a new one. */
  Block take(int h, int w, int capacity) {
    Block b;
    int misses = size.get(); // look at each pooled block at most once
    while (misses-- > 0 && (b = free.pollFirst()) != null) {
      size.decrementAndGet();
      if (b.fits(h, w, capacity)) {
        return b;
      }
      if (b.h == h && b.w == w) { // another batch size of the same model: keep it
        give(b);
      }
    }
    return new Block(h, w, capacity);
  }

  /** Returns a block nobody writes or reads any more. */
  void give(Block b) {
    if (size.incrementAndGet() <= max) {
      free.offerLast(b);
    } else {
      size.decrementAndGet();
    }
  }

  int pooled() {
    return size.get();
  }
}
