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
 * The one multi-head attention block of training (MV-MLM token head, text tower, GLAM
 * cross-attention, and through {@link TransformerBlock} the exam risk head), written out of Linear
 * + matmul + softmax so the ONNX export is the same arithmetic. Inputs: query (B, Nq, d), key/value
 * source (B, Nk, d) (the same array for self-attention), and optionally an additive mask
 * broadcastable to (B, heads, Nq, Nk) (0 = attend, a large negative number = do not; a key-padding
 * mask is (B, 1, 1, Nk)). Output (B, Nq, d).
 */
public final class MultiHeadAttention extends AbstractBlock {
  private final int dim;
  private final int heads;
  private final float scale;
  private final Linear query;
  private final Linear key;
  private final Linear value;
  private final Linear output;

  private MultiHeadAttention(Builder b) {
    super((byte) 1);
    this.dim = b.dim;
    this.heads = b.heads;
    this.scale = 1.0f / (float) Math.sqrt(dim / heads);
    query = addChildBlock("query", Linear.builder().setUnits(dim).build());
    key = addChildBlock("key", Linear.builder().setUnits(dim).build());
    value = addChildBlock("value", Linear.builder().setUnits(dim).build());
    output = addChildBlock("output", Linear.builder().setUnits(dim).build());
  }

  public static Builder builder() {
    return new Builder();
  }

  public int dim() {
    return dim;
  }

  public int heads() {
    return heads;
  }

  /** The score scale 1/√(dim/heads), as a float (the exporter writes the same constant). */
  public float scale() {
    return scale;
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

  public Linear output() {
    return output;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDArray q = inputs.get(0);
    NDArray kv = inputs.get(1);
    long b = q.getShape().get(0);
    long nq = q.getShape().get(1);
    long nk = kv.getShape().get(1);
    int dh = dim / heads;
    NDArray qh = split(query.forward(ps, new NDList(q), training).singletonOrThrow(), b, nq, dh);
    NDArray kh = split(key.forward(ps, new NDList(kv), training).singletonOrThrow(), b, nk, dh);
    NDArray vh = split(value.forward(ps, new NDList(kv), training).singletonOrThrow(), b, nk, dh);
    NDArray scores = qh.matMul(kh.transpose(0, 1, 3, 2)).mul(scale);
    if (inputs.size() > 2) {
      scores = scores.add(inputs.get(2));
    }
    NDArray attended = scores.softmax(-1).matMul(vh);
    NDArray merged = attended.transpose(0, 2, 1, 3).reshape(b, nq, dim);
    return output.forward(ps, new NDList(merged), training);
  }

  private NDArray split(NDArray x, long b, long n, int dh) {
    return x.reshape(b, n, heads, dh).transpose(0, 2, 1, 3);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    return new Shape[] {new Shape(in[0].get(0), in[0].get(1), dim)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    query.initialize(manager, dataType, in[0]);
    key.initialize(manager, dataType, in[1]);
    value.initialize(manager, dataType, in[1]);
    output.initialize(manager, dataType, new Shape(in[0].get(0), in[0].get(1), dim));
  }

  /** Builder: {@code setDim} and {@code setHeads} required; dim must be divisible by heads. */
  public static final class Builder {
    private int dim;
    private int heads;

    public Builder setDim(int dim) {
      this.dim = dim;
      return this;
    }

    public Builder setHeads(int heads) {
      this.heads = heads;
      return this;
    }

    public MultiHeadAttention build() {
      if (dim < 1 || heads < 1) {
        throw new IllegalStateException(
            "MultiHeadAttention needs setDim(>0) and setHeads(>0), got dim="
                + dim
                + " heads="
                + heads);
      }
      if (dim % heads != 0) {
        throw new IllegalStateException(
            "attention dim " + dim + " is not divisible by " + heads + " heads");
      }
      return new MultiHeadAttention(this);
    }
  }
}
