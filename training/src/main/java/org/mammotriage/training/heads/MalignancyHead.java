package org.mammotriage.training.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * View-level malignancy: one linear probe shared by all views on the image embedding. Input [B, 4,
 * D]; output per-view logits [B, 4]. Breasts and the exam are aggregated from the probabilities by
 * {@link BreastAggregation} and a max.
 */
public final class MalignancyHead extends AbstractBlock {
  private final Linear probe;

  public MalignancyHead() {
    super((byte) 1);
    probe = addChildBlock("probe", Linear.builder().setUnits(1).build());
  }

  public Linear probe() {
    return probe;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray emb = inputs.get(0);
    NDArray logits = probe.forward(ps, new NDList(emb), training).singletonOrThrow();
    return new NDList(logits.reshape(emb.getShape().get(0), emb.getShape().get(1)));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), inputShapes[0].get(1))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    probe.initialize(manager, dataType, inputShapes[0]);
  }
}
