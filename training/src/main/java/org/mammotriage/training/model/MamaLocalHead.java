package org.mammotriage.training.model;

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
 * MaMA's local projection heads h_V and h_T (§3.3, Algorithm 1's {@code fp} and {@code fs}): the
 * image feature map's cells become P patch features and the text tower's token states become token
 * features, both projected to {@code dim} without pooling. The sentence features are the token
 * features at each sentence's end (selected in {@link org.mammotriage.training.loss.MamaLoss}).
 * Inputs: feature map (B, C, h, w) and token states (B, L, t); outputs patches (B, h·w, dim) and
 * tokens (B, L, dim).
 */
public final class MamaLocalHead extends AbstractBlock {
  private final int dim;
  private final Linear patches;
  private final Linear sentences;

  public MamaLocalHead(int dim) {
    super((byte) 1);
    if (dim < 1) {
      throw new IllegalArgumentException("MaMA local dim must be > 0, got " + dim);
    }
    this.dim = dim;
    patches = addChildBlock("patch_projection", Linear.builder().setUnits(dim).build());
    sentences = addChildBlock("sentence_projection", Linear.builder().setUnits(dim).build());
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDArray cells = TokenTransformerHead.tokens(inputs.get(0));
    NDArray pv = patches.forward(ps, new NDList(cells), training).singletonOrThrow();
    NDArray st = sentences.forward(ps, new NDList(inputs.get(1)), training).singletonOrThrow();
    return new NDList(pv, st);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    Shape f = in[0];
    return new Shape[] {
      new Shape(f.get(0), f.get(2) * f.get(3), dim), new Shape(in[1].get(0), in[1].get(1), dim)
    };
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    Shape f = in[0];
    patches.initialize(manager, dataType, new Shape(f.get(0), f.get(2) * f.get(3), f.get(1)));
    sentences.initialize(manager, dataType, in[1]);
  }
}
