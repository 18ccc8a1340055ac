package org.mammotriage.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Scales each vector along the last axis to unit length: x / sqrt(sum(x²) + eps). */
public final class L2Normalize extends AbstractBlock {
  /** Added under the square root so a zero vector stays finite. */
  public static final float EPS = 1e-12f;

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    return new NDList(normalize(inputs.singletonOrThrow()));
  }

  /** The same operation on a bare array (losses use it on local features). */
  public static NDArray normalize(NDArray x) {
    int last = x.getShape().dimension() - 1;
    return x.div(x.square().sum(new int[] {last}, true).add(EPS).sqrt());
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    return new Shape[] {in[0]};
  }
}
