package org.mammotriage.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Mean over the spatial axes: (B, C, H, W) → (B, C). */
public final class GlobalAvgPool extends AbstractBlock {
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDArray x = inputs.singletonOrThrow();
    Shape s = x.getShape();
    // flattened first: DJL's PyTorch engine averages over one axis at a time only
    return new NDList(x.reshape(s.get(0), s.get(1), -1).mean(new int[] {2}));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    return new Shape[] {new Shape(in[0].get(0), in[0].get(1))};
  }
}
