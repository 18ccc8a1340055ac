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
 * GLAM's spatial attention aggregation: the feature map (B, C, h, w) is projected to {@code dim}
 * per location and cut into a g×g grid of regions; each region's locations are pooled with softmax
 * attention weights from a learned score, giving M = g² super-patches (B, M, dim) in row-major grid
 * order (column = distance from the chest wall).
 *
 * <p>Inputs: the feature map, optionally followed by a per-sample additive region mask (B, M, h·w)
 * ({@link DepthColumns}: columns in millimetres from the chest wall, the MLO pectoral region left
 * out); without it the regions are equal fractions of the feature map.
 */
public final class SuperPatchPooling extends AbstractBlock {
  private final int grid;
  private final int dim;
  private final Linear projection;
  private final Linear score;

  private SuperPatchPooling(Builder b) {
    super((byte) 1);
    this.grid = b.grid;
    this.dim = b.dim;
    projection = addChildBlock("projection", Linear.builder().setUnits(dim).build());
    score = addChildBlock("score", Linear.builder().setUnits(1).build());
  }

  public static Builder builder() {
    return new Builder();
  }

  public int grid() {
    return grid;
  }

  /** The grid region (row-major super-patch index) that feature-map cell (y, x) belongs to. */
  public static int region(int y, int x, long h, long w, int grid) {
    int row = (int) ((long) y * grid / h);
    int col = (int) ((long) x * grid / w);
    return row * grid + col;
  }

  /** Additive mask (M, h·w): 0 where the cell is in the region, blocked elsewhere. */
  static float[] regionMask(long h, long w, int grid) {
    int m = grid * grid;
    int n = (int) (h * w);
    float[] mask = new float[m * n];
    java.util.Arrays.fill(mask, ColumnPairing.BLOCKED);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        mask[region(y, x, h, w, grid) * n + y * (int) w + x] = 0f;
      }
    }
    return mask;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDArray fm = inputs.get(0);
    long h = fm.getShape().get(2);
    long w = fm.getShape().get(3);
    if (h < grid || w < grid) {
      throw new IllegalArgumentException(
          "feature map "
              + h
              + "x"
              + w
              + " is smaller than the "
              + grid
              + "x"
              + grid
              + " super-patch grid; use a larger input or a smaller glam grid");
    }
    NDArray tokens =
        projection
            .forward(ps, new NDList(TokenTransformerHead.tokens(fm)), training)
            .singletonOrThrow();
    NDArray s =
        score.forward(ps, new NDList(tokens), training).singletonOrThrow().transpose(0, 2, 1);
    NDArray mask =
        inputs.size() > 1
            ? inputs.get(1)
            : fm.getManager()
                .create(regionMask(h, w, grid), new Shape(1, (long) grid * grid, h * w));
    NDArray weights = s.add(mask).softmax(-1);
    return new NDList(weights.matMul(tokens));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    return new Shape[] {new Shape(in[0].get(0), (long) grid * grid, dim)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    Shape s = in[0];
    projection.initialize(manager, dataType, new Shape(s.get(0), s.get(2) * s.get(3), s.get(1)));
    score.initialize(manager, dataType, new Shape(s.get(0), s.get(2) * s.get(3), dim));
  }

  /** Builder: {@code setGrid} (√M) and {@code setDim} required. */
  public static final class Builder {
    private int grid;
    private int dim;

    public Builder setGrid(int grid) {
      this.grid = grid;
      return this;
    }

    public Builder setDim(int dim) {
      this.dim = dim;
      return this;
    }

    public SuperPatchPooling build() {
      if (grid < 1 || dim < 1) {
        throw new IllegalStateException("SuperPatchPooling needs setGrid(>0) and setDim(>0)");
      }
      return new SuperPatchPooling(this);
    }
  }
}
