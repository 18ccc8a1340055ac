package org.mammotriage.scoring;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reuses the float arrays resized images are prepared into, so a warm scorer allocates no
 * image-sized arrays per exam (at full resolution one is 5.5 MB). Bounded: arrays given back beyond
 * {@code max} are left to the collector; arrays of another size (from a model with another input)
 * are dropped when met.
 */
final class ImagePool {
  private final ConcurrentLinkedDeque<float[]> free = new ConcurrentLinkedDeque<>();
  private final AtomicInteger size = new AtomicInteger();
  private final int max;

  ImagePool(int max) {
    this.max = max;
  }

  /** A pooled array of length n (contents undefined), or a new one. */
  float[] take(int n) {
    float[] a;
    while ((a = free.pollFirst()) != null) {
      size.decrementAndGet();
      if (a.length == n) {
        return a;
      }
    }
    return new float[n];
  }

  /** Returns an array nobody reads any more. */
  void give(float[] a) {
    if (size.incrementAndGet() <= max) {
      free.offerFirst(a);
    } else {
      size.decrementAndGet();
    }
  }

  int pooled() {
    return size.get();
  }
}
