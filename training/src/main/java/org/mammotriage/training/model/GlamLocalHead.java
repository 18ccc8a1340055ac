package org.mammotriage.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * GLAM's geometry-guided local module (§2.2): super-patches q of each view, and for each of them
 * the cross-attended positive p = CrossAttn(q, slice, slice) over the other view's super-patches in
 * the same column (same chest-wall distance, {@link ColumnPairing}). One attention module serves
 * both directions. Inputs: CC and MLO feature maps, optionally followed by their per-sample region
 * masks ({@link DepthColumns}: depth-aligned columns from pixel spacing, MLO pectoral left out);
 * outputs q_cc, p_cc, q_mlo, p_mlo, each (B, M, d).
 */
public final class GlamLocalHead extends AbstractBlock {
  private final int grid;
  private final int dim;
  private final SuperPatchPooling pooling;
  private final MultiHeadAttention crossAttention;

  private GlamLocalHead(Builder b) {
    super((byte) 1);
    this.grid = b.grid;
    this.dim = b.dim;
    pooling =
        addChildBlock(
            "super_patches", SuperPatchPooling.builder().setGrid(grid).setDim(dim).build());
    crossAttention =
        addChildBlock(
            "cross_attention", MultiHeadAttention.builder().setDim(dim).setHeads(b.heads).build());
  }

  public static Builder builder() {
    return new Builder();
  }

  public int grid() {
    return grid;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    boolean regions = inputs.size() > 2;
    NDList ccIn = regions ? new NDList(inputs.get(0), inputs.get(2)) : new NDList(inputs.get(0));
    NDList mloIn = regions ? new NDList(inputs.get(1), inputs.get(3)) : new NDList(inputs.get(1));
    NDArray qCc = pooling.forward(ps, ccIn, training).singletonOrThrow();
    NDArray qMlo = pooling.forward(ps, mloIn, training).singletonOrThrow();
    long m = (long) grid * grid;
    NDArray mask = qCc.getManager().create(ColumnPairing.additiveMask(grid), new Shape(1, 1, m, m));
    NDArray pCc =
        crossAttention.forward(ps, new NDList(qCc, qMlo, mask), training).singletonOrThrow();
    NDArray pMlo =
        crossAttention.forward(ps, new NDList(qMlo, qCc, mask), training).singletonOrThrow();
    return new NDList(qCc, pCc, qMlo, pMlo);
  }

  /** Cross-attention of one view's super-patches over the other's (for tests and inspection). */
  public NDArray attend(ParameterStore ps, NDArray query, NDArray other) {
    long m = (long) grid * grid;
    NDArray mask =
        query.getManager().create(ColumnPairing.additiveMask(grid), new Shape(1, 1, m, m));
    return crossAttention.forward(ps, new NDList(query, other, mask), false).singletonOrThrow();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    Shape s = new Shape(in[0].get(0), (long) grid * grid, dim);
    return new Shape[] {s, s, s, s};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    pooling.initialize(manager, dataType, in[0]);
    Shape s = new Shape(in[0].get(0), (long) grid * grid, dim);
    crossAttention.initialize(manager, dataType, s, s, new Shape(1, 1, s.get(1), s.get(1)));
  }

  /** Builder: {@code setGrid}, {@code setDim}, {@code setHeads} required. */
  public static final class Builder {
    private int grid;
    private int dim;
    private int heads;

    public Builder setGrid(int grid) {
      this.grid = grid;
      return this;
    }

    public Builder setDim(int dim) {
      this.dim = dim;
      return this;
    }

    public Builder setHeads(int heads) {
      this.heads = heads;
      return this;
    }

    public GlamLocalHead build() {
      if (grid < 1 || dim < 1 || heads < 1 || dim % heads != 0) {
        throw new IllegalStateException(
            "GlamLocalHead needs setGrid(>0), setDim and setHeads with dim divisible "
                + "by heads; got grid="
                + grid
                + " dim="
                + dim
                + " heads="
                + heads);
      }
      return new GlamLocalHead(this);
    }
  }
}
