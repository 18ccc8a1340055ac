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
import java.util.ArrayList;
import java.util.List;

/**
 * MV-MLM's visual tokenisation (§3.2): the CNN feature map (B, C, h, w) becomes h·w tokens of C
 * channels, a linear projection maps them to {@code dim}, transformer blocks mix them, and a global
 * max pool over tokens gives (B, dim).
 */
public final class TokenTransformerHead extends AbstractBlock {
  private final int dim;
  private final Linear projection;
  private final List<TransformerBlock> blocks = new ArrayList<>();
  private final LayerNorm norm;

  private TokenTransformerHead(Builder b) {
    super((byte) 1);
    this.dim = b.dim;
    projection = addChildBlock("projection", Linear.builder().setUnits(dim).build());
    for (int i = 0; i < b.layers; i++) {
      blocks.add(
          addChildBlock(
              "block" + (i + 1),
              TransformerBlock.builder()
                  .setDim(dim)
                  .setHeads(b.heads)
                  .optMlpDim(b.mlpDim)
                  .build()));
    }
    norm = addChildBlock("norm", LayerNorm.builder().axis(2).build());
  }

  public static Builder builder() {
    return new Builder();
  }

  public int dim() {
    return dim;
  }

  public Linear projection() {
    return projection;
  }

  /** The transformer blocks in order. */
  public List<TransformerBlock> blocks() {
    return List.copyOf(blocks);
  }

  public LayerNorm norm() {
    return norm;
  }

  /** Feature map (B, C, h, w) → tokens (B, h·w, C), row-major over (h, w). */
  public static NDArray tokens(NDArray featureMap) {
    Shape s = featureMap.getShape();
    return featureMap.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDList x = projection.forward(ps, new NDList(tokens(inputs.singletonOrThrow())), training);
    for (TransformerBlock b : blocks) {
      x = b.forward(ps, x, training);
    }
    x = norm.forward(ps, x, training);
    return new NDList(x.singletonOrThrow().max(new int[] {1}));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    return new Shape[] {new Shape(in[0].get(0), dim)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    Shape s = in[0];
    Shape tokens = new Shape(s.get(0), s.get(2) * s.get(3), s.get(1));
    projection.initialize(manager, dataType, tokens);
    Shape t = new Shape(s.get(0), s.get(2) * s.get(3), dim);
    for (TransformerBlock b : blocks) {
      b.initialize(manager, dataType, t);
    }
    norm.initialize(manager, dataType, t);
  }

  /** Builder: {@code setDim}, {@code setHeads}, {@code setLayers} required; {@code optMlpDim}. */
  public static final class Builder {
    private int dim;
    private int heads;
    private int layers = -1;
    private int mlpDim;

    public Builder setDim(int dim) {
      this.dim = dim;
      return this;
    }

    public Builder setHeads(int heads) {
      this.heads = heads;
      return this;
    }

    public Builder setLayers(int layers) {
      this.layers = layers;
      return this;
    }

    public Builder optMlpDim(int mlpDim) {
      this.mlpDim = mlpDim;
      return this;
    }

    public TokenTransformerHead build() {
      if (dim < 1 || heads < 1 || layers < 0) {
        throw new IllegalStateException(
            "TokenTransformerHead needs setDim, setHeads and setLayers(>=0)");
      }
      return new TokenTransformerHead(this);
    }
  }
}
