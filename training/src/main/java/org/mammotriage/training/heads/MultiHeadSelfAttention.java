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
 * Multi-head self-attention over a short token sequence (here the four views), with an additive key
 * mask. Inputs: x [B, T, d] and maskBias [B, T] (0 for present tokens, a large negative number for
 * missing ones). Written with plain matrix products and softmax so the ONNX export is the same
 * arithmetic.
 */
public final class MultiHeadSelfAttention extends AbstractBlock {
  private final int dim;
  private final int heads;
  private final Linear query;
  private final Linear key;
  private final Linear value;
  private final Linear out;

  public MultiHeadSelfAttention(int dim, int heads) {
    super((byte) 1);
    if (dim % heads != 0) {
      throw new IllegalArgumentException(
          "attention dim " + dim + " is not divisible by heads " + heads);
    }
    this.dim = dim;
    this.heads = heads;
    query = addChildBlock("query", Linear.builder().setUnits(dim).build());
    key = addChildBlock("key", Linear.builder().setUnits(dim).build());
    value = addChildBlock("value", Linear.builder().setUnits(dim).build());
    out = addChildBlock("out", Linear.builder().setUnits(dim).build());
  }

  public int dim() {
    return dim;
  }

  public int heads() {
    return heads;
  }

  public Linear query() {
    return query;
  }

  public Linear key() {
    return key;
  }

  public Linear value() {
    return value;
  }

  public Linear out() {
    return out;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray maskBias = inputs.get(1);
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    long dh = dim / heads;
    NDArray q = split(query.forward(ps, new NDList(x), training).singletonOrThrow(), b, t, dh);
    NDArray k = split(key.forward(ps, new NDList(x), training).singletonOrThrow(), b, t, dh);
    NDArray v = split(value.forward(ps, new NDList(x), training).singletonOrThrow(), b, t, dh);
    NDArray scores =
        q.matMul(k.transpose(0, 1, 3, 2))
            .mul(1.0 / Math.sqrt(dh))
            .add(maskBias.reshape(b, 1, 1, t));
    NDArray attended = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, t, dim);
    return out.forward(ps, new NDList(attended), training);
  }

  private NDArray split(NDArray a, long b, long t, long dh) {
    return a.reshape(b, t, heads, dh).transpose(0, 2, 1, 3);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    for (Linear l : new Linear[] {query, key, value, out}) {
      l.initialize(manager, dataType, inputShapes[0]);
    }
  }
}
