package org.mammotriage.training.pretrain;

import ai.djl.training.tracker.Tracker;

/**
 * Learning rate: linear warm-up from 0 to {@code base} over {@code warmup} steps, then cosine decay
 * to {@code base × finalFraction} at {@code total}. Counted from {@code offset} so that a resumed
 * run continues the schedule where the checkpoint stopped (the optimizer's own counter restarts at
 * 0).
 */
public final class WarmupCosine implements Tracker {
  private final float base;
  private final int warmup;
  private final int total;
  private final float finalFraction;
  private final int offset;

  public WarmupCosine(float base, int warmup, int total, float finalFraction, int offset) {
    if (total < 1 || warmup < 0 || base <= 0) {
      throw new IllegalArgumentException(
          "need base > 0, warmup >= 0, total >= 1; got " + base + ", " + warmup + ", " + total);
    }
    this.base = base;
    this.warmup = warmup;
    this.total = total;
    this.finalFraction = finalFraction;
    this.offset = offset;
  }

  /** The rate at (0-based) global step {@code step}. */
  public float at(int step) {
    if (step < warmup) {
      return base * (step + 1) / (float) warmup;
    }
    double t = Math.min(1.0, (step - warmup) / (double) Math.max(1, total - warmup));
    double lowest = base * finalFraction;
    return (float) (lowest + (base - lowest) * 0.5 * (1 + Math.cos(Math.PI * t)));
  }

  @Override
  public float getNewValue(int numUpdate) {
    // DJL counts updates from 1
    return at(offset + Math.max(0, numUpdate - 1));
  }
}
