package org.mammotriage.training.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Mirai's additive hazard layer: a base logit plus the running sum of non-negative yearly
 * increments (softplus), so the cumulative logits, and after a sigmoid the cumulative
 * probabilities, can only grow with the horizon. Input pooled features [B, d]; output cumulative
 * logits [B, years].
 */
public final class AdditiveHazard extends AbstractBlock {
  private final int years;
  private final Linear base;
  private final Linear increments;

  public AdditiveHazard(int years) {
    super((byte) 1);
    this.years = years;
    base = addChildBlock("base", Linear.builder().setUnits(1).build());
    increments = addChildBlock("increments", Linear.builder().setUnits(years).build());
  }

  public int years() {
    return years;
  }

  public Linear base() {
    return base;
  }

  public Linear increments() {
    return increments;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray b = base.forward(ps, new NDList(x), training).singletonOrThrow();
    NDArray inc =
        Activation.softPlus(increments.forward(ps, new NDList(x), training).singletonOrThrow());
    return new NDList(inc.cumSum(1).add(b));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), years)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    base.initialize(manager, dataType, inputShapes[0]);
    increments.initialize(manager, dataType, inputShapes[0]);
  }
}
