package org.mammotriage.training.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import java.util.List;

/**
 * A pretraining objective as a DJL {@link Loss} over the outputs of {@link
 * org.mammotriage.training.model.PretrainNet}. {@link #parts} also returns the terms, so the
 * progress line can show them.
 */
public abstract class PretrainLoss extends Loss {
  protected PretrainLoss(String name) {
    super(name);
  }

  /** Names of the terms {@link #parts} returns after the total. */
  public abstract List<String> partNames();

  /** [total, term1, term2, ...]. */
  public abstract NDList parts(NDList labels, NDList predictions);

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return parts(labels, predictions).get(0);
  }
}
