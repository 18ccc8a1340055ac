package org.mammotriage.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The one transformer layer of training (MV-MLM token head, text tower, exam risk head): pre-norm,
 * no dropout, on (B, N, d): x + MHA(LN(x)), then x + MLP(LN(x)) with a GELU MLP of width {@code
 * mlpDim}. Optional second input: an additive attention mask broadcastable to (B, heads, N, N), see
 * {@link MultiHeadAttention}.
 */
public final class TransformerBlock extends AbstractBlock {
  private final int dim;
  private final int mlpDim;
  private final LayerNorm norm1;
  private final MultiHeadAttention attention;
  private final LayerNorm norm2;
  private final Linear fc1;
  private final Gelu gelu;
  private final Linear fc2;

  private TransformerBlock(Builder b) {
    super((byte) 1);
    this.dim = b.dim;
    this.mlpDim = b.mlpDim > 0 ? b.mlpDim : 4 * b.dim;
    norm1 = addChildBlock("norm1", LayerNorm.builder().axis(2).build());
    attention =
        addChildBlock(
            "attention", MultiHeadAttention.builder().setDim(dim).setHeads(b.heads).build());
    norm2 = addChildBlock("norm2", LayerNorm.builder().axis(2).build());
    fc1 = addChildBlock("fc1", Linear.builder().setUnits(mlpDim).build());
    gelu = addChildBlock("gelu", new Gelu());
    fc2 = addChildBlock("fc2", Linear.builder().setUnits(dim).build());
  }

  public static Builder builder() {
    return new Builder();
  }

  public int dim() {
    return dim;
  }

  public int mlpDim() {
    return mlpDim;
  }

  public LayerNorm norm1() {
    return norm1;
  }

  public MultiHeadAttention attention() {
    return attention;
  }

  public LayerNorm norm2() {
    return norm2;
  }

  public Linear fc1() {
    return fc1;
  }

  public Gelu gelu() {
    return gelu;
  }

  public Linear fc2() {
    return fc2;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDArray x = inputs.get(0);
    NDArray h = norm1.forward(ps, new NDList(x), training).singletonOrThrow();
    NDList attIn = inputs.size() > 1 ? new NDList(h, h, inputs.get(1)) : new NDList(h, h);
    x = x.add(attention.forward(ps, attIn, training).singletonOrThrow());
    NDList m = norm2.forward(ps, new NDList(x), training);
    m = fc2.forward(ps, gelu.forward(ps, fc1.forward(ps, m, training), training), training);
    return new NDList(x.add(m.singletonOrThrow()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    return new Shape[] {in[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    Shape x = in[0];
    norm1.initialize(manager, dataType, x);
    attention.initialize(manager, dataType, x, x);
    norm2.initialize(manager, dataType, x);
    fc1.initialize(manager, dataType, x);
    Shape hidden = new Shape(x.get(0), x.get(1), mlpDim);
    gelu.initialize(manager, dataType, hidden);
    fc2.initialize(manager, dataType, hidden);
  }

  /**
   * Builder: {@code setDim}, {@code setHeads} required (dim divisible by heads); {@code optMlpDim}
   * defaults to 4 × dim (0 also means the default; the risk head uses 2 × dim).
   */
  public static final class Builder {
    private int dim;
    private int heads;
    private int mlpDim;

    public Builder setDim(int dim) {
      this.dim = dim;
      return this;
    }

    public Builder setHeads(int heads) {
      this.heads = heads;
      return this;
    }

    public Builder optMlpDim(int mlpDim) {
      this.mlpDim = mlpDim;
      return this;
    }

    public TransformerBlock build() {
      if (dim < 1 || heads < 1 || dim % heads != 0) {
        throw new IllegalStateException(
            "TransformerBlock needs setDim and setHeads with dim divisible by heads, got "
                + dim
                + "/"
                + heads);
      }
      if (mlpDim < 0) {
        throw new IllegalStateException(
            "mlpDim must be positive (or 0 for 4 × dim), got " + mlpDim);
      }
      return new TransformerBlock(this);
    }
  }
}
