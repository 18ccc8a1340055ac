package org.mammotriage.training.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Binary cross-entropy on logits, averaged over the entries whose mask is 1 (censored years,
 * missing views). Labels: [targets, mask]; predictions: [logits], all the same shape.
 */
public final class MaskedBinaryCrossEntropy extends Loss {

  public MaskedBinaryCrossEntropy(String name) {
    super(name);
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return of(predictions.singletonOrThrow(), labels.get(0), labels.get(1));
  }

  /** The stable form max(x, 0) - x·y + log(1 + e^-|x|), masked and averaged. */
  public static NDArray of(NDArray logits, NDArray targets, NDArray mask) {
    NDArray perEntry =
        logits.maximum(0f).sub(logits.mul(targets)).add(logits.abs().neg().exp().add(1f).log());
    return perEntry.mul(mask).sum().div(mask.sum().maximum(1f));
  }
}
