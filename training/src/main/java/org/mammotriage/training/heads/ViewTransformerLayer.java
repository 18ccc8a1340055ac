package org.mammotriage.training.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One pre-norm transformer layer across views: x + MHSA(LN(x)), then x + FFN(LN(x)) with a GELU
 * MLP. Inputs: x [B, T, d] and the attention maskBias [B, T]; output [B, T, d].
 */
public final class ViewTransformerLayer extends AbstractBlock {
  private final LayerNorm norm1;
  private final MultiHeadSelfAttention attention;
  private final LayerNorm norm2;
  private final Linear ffIn;
  private final Linear ffOut;

  public ViewTransformerLayer(int dim, int heads) {
    super((byte) 1);
    norm1 = addChildBlock("norm1", LayerNorm.builder().axis(2).build());
    attention = addChildBlock("attention", new MultiHeadSelfAttention(dim, heads));
    norm2 = addChildBlock("norm2", LayerNorm.builder().axis(2).build());
    ffIn = addChildBlock("ffIn", Linear.builder().setUnits(2L * dim).build());
    ffOut = addChildBlock("ffOut", Linear.builder().setUnits(dim).build());
  }

  public LayerNorm norm1() {
    return norm1;
  }

  public MultiHeadSelfAttention attention() {
    return attention;
  }

  public LayerNorm norm2() {
    return norm2;
  }

  public Linear ffIn() {
    return ffIn;
  }

  public Linear ffOut() {
    return ffOut;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray maskBias = inputs.get(1);
    NDArray normed = norm1.forward(ps, new NDList(x), training).singletonOrThrow();
    x = x.add(attention.forward(ps, new NDList(normed, maskBias), training).singletonOrThrow());
    NDArray h =
        ffIn.forward(
                ps,
                new NDList(norm2.forward(ps, new NDList(x), training).singletonOrThrow()),
                training)
            .singletonOrThrow();
    h = ffOut.forward(ps, new NDList(Activation.gelu(h)), training).singletonOrThrow();
    return new NDList(x.add(h));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape x = inputShapes[0];
    norm1.initialize(manager, dataType, x);
    attention.initialize(manager, dataType, x, inputShapes[1]);
    norm2.initialize(manager, dataType, x);
    ffIn.initialize(manager, dataType, x);
    ffOut.initialize(manager, dataType, new Shape(x.get(0), x.get(1), 2 * x.get(2)));
  }
}
