package org.mammotriage.training.loss;

import ai.djl.ndarray.NDArray;

/**
 * InfoNCE between two batches of L2-normalised embeddings (B, d): row i of {@code a} should match
 * row i of {@code b} against all other rows of {@code b}. {@code scale} is 1/τ (shape (1) or
 * scalar).
 */
public final class InfoNce {
  private InfoNce() {}

  /** −(1/B) Σ_i log softmax_j(scale · a_i·b_j)[i]. */
  public static NDArray oneWay(NDArray a, NDArray b, NDArray scale) {
    NDArray logits = a.matMul(b.transpose()).mul(scale);
    return diagonalCrossEntropy(logits);
  }

  /** ½ [L(a, b) + L(b, a)]: CLIP's symmetric form. */
  public static NDArray symmetric(NDArray a, NDArray b, NDArray scale) {
    NDArray logits = a.matMul(b.transpose()).mul(scale);
    return diagonalCrossEntropy(logits).add(diagonalCrossEntropy(logits.transpose())).mul(0.5f);
  }

  /** Mean over rows of −log softmax(row)[row index] for a square logit matrix. */
  static NDArray diagonalCrossEntropy(NDArray logits) {
    long n = logits.getShape().get(0);
    NDArray eye = logits.getManager().eye((int) n);
    return logits.logSoftmax(1).mul(eye).sum().div(-(float) n);
  }
}
