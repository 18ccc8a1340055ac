package org.mammotriage.training.heads;

import ai.djl.ndarray.NDArray;

/**
 * How a breast's probability is made from its CC and MLO view probabilities (missing views ignored;
 * a breast with no view gets 0).
 */
public enum BreastAggregation {
  /** The larger of the two views: a finding seen in one view is enough. */
  MAX,
  /** The mean of the present views: smoother, less sensitive to one noisy view. */
  MEAN;

  /** viewProbs, present [B, 4] in slot order → [B, 2] (left, right). */
  public NDArray apply(NDArray viewProbs, NDArray present) {
    long b = viewProbs.getShape().get(0);
    NDArray masked = viewProbs.mul(present).reshape(b, 2, 2);
    if (this == MAX) {
      return masked.max(new int[] {2});
    }
    return masked.sum(new int[] {2}).div(present.reshape(b, 2, 2).sum(new int[] {2}).maximum(1f));
  }
}
