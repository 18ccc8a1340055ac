package org.mammotriage.training.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.mammotriage.training.model.ColumnPairing;

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
    return symmetricFromLogits(a.matMul(b.transpose()).mul(scale));
  }

  /** ½ [row-wise + column-wise cross-entropy] of a square logit matrix whose diagonal is right. */
  public static NDArray symmetricFromLogits(NDArray logits) {
    return diagonalCrossEntropy(logits).add(diagonalCrossEntropy(logits.transpose())).mul(0.5f);
  }

  /**
   * SimCLR's NT-Xent over the 2B embeddings [a; b]: each one's positive is its partner (a_i ↔ b_i),
   * its negatives the other 2B − 2 (itself excluded), averaged over all 2B anchors.
   */
  public static NDArray ntXent(NDArray a, NDArray b, NDArray scale) {
    long n = a.getShape().get(0);
    NDArray z = a.concat(b, 0);
    var mgr = z.getManager();
    NDArray self = mgr.eye((int) (2 * n)).mul(ColumnPairing.BLOCKED);
    NDArray logits = z.matMul(z.transpose()).mul(scale).add(self);
    // the partner of row i is i + n (mod 2n): a shifted identity
    NDArray eye = mgr.eye((int) n);
    NDArray zero = mgr.zeros(new Shape(n, n));
    NDArray pick = zero.concat(eye, 1).concat(eye.concat(zero, 1), 0);
    return logits.logSoftmax(1).mul(pick).sum().div(-(float) (2 * n));
  }

  /** Mean over rows of −log softmax(row)[row index] for a square logit matrix. */
  static NDArray diagonalCrossEntropy(NDArray logits) {
    long n = logits.getShape().get(0);
    NDArray eye = logits.getManager().eye((int) n);
    return logits.logSoftmax(1).mul(eye).sum().div(-(float) n);
  }
}
