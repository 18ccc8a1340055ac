package org.mammotriage.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** SiLU (swish with β = 1), x · σ(x), EfficientNet's activation, as its own block type. */
public final class Silu extends AbstractBlock {
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    return new NDList(silu(inputs.singletonOrThrow()));
  }

  /** The same on a bare array. */
  public static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
