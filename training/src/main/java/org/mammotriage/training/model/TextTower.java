package org.mammotriage.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A small transformer text encoder trained from scratch on the report vocabulary: token embedding +
 * learned positions → pre-norm transformer blocks (padding masked) → layer norm → max pool over the
 * real tokens (as MV-MLM) → projection → L2 normalisation. Inputs: ids (B, L) int64 and mask (B, L)
 * float (1 = token, 0 = padding). Outputs: the embedding (B, D) and the per-token states after the
 * final layer norm (B, L, dim), from which MaMA's sentence features are taken.
 */
public final class TextTower extends AbstractBlock {
  static final float NEG = -1e9f;
  private final int maxLength;
  private final int dim;
  private final int embeddingDim;
  private final TokenEmbedding embedding;
  private final Parameter positions;
  private final List<TransformerBlock> blocks = new ArrayList<>();
  private final LayerNorm norm;
  private final Linear projection;
  private final L2Normalize normalize;

  private TextTower(Builder b) {
    super((byte) 1);
    this.maxLength = b.maxLength;
    this.dim = b.dim;
    this.embeddingDim = b.embeddingDim;
    embedding = addChildBlock("embedding", new TokenEmbedding(b.vocabularySize, dim));
    positions =
        addParameter(
            Parameter.builder()
                .setName("positions")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(maxLength, dim))
                .optInitializer(new NormalInitializer(0.02f))
                .build());
    for (int i = 0; i < b.layers; i++) {
      blocks.add(
          addChildBlock(
              "block" + (i + 1), TransformerBlock.builder().setDim(dim).setHeads(b.heads).build()));
    }
    norm = addChildBlock("norm", LayerNorm.builder().axis(2).build());
    projection = addChildBlock("projection", Linear.builder().setUnits(embeddingDim).build());
    normalize = addChildBlock("normalize", new L2Normalize());
  }

  public static Builder builder() {
    return new Builder();
  }

  public int maxLength() {
    return maxLength;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDArray ids = inputs.get(0);
    NDArray mask = inputs.get(1).toType(DataType.FLOAT32, false);
    long len = ids.getShape().get(1);
    if (len > maxLength) {
      throw new IllegalArgumentException(
          "text of " + len + " tokens exceeds the encoder's maxLength " + maxLength);
    }
    NDArray pos = ps.getValue(positions, ids.getDevice(), training).get(new NDIndex("0:" + len));
    NDArray x = embedding.forward(ps, new NDList(ids), training).singletonOrThrow().add(pos);
    // additive key mask (B, 1, 1, L): padding never receives attention
    NDArray keyMask = mask.neg().add(1f).mul(NEG).expandDims(1).expandDims(1);
    NDList h = new NDList(x);
    for (TransformerBlock b : blocks) {
      h = b.forward(ps, new NDList(h.singletonOrThrow(), keyMask), training);
    }
    NDArray t = norm.forward(ps, h, training).singletonOrThrow();
    NDArray pooled = t.add(mask.neg().add(1f).mul(NEG).expandDims(2)).max(new int[] {1});
    NDArray z =
        normalize
            .forward(ps, projection.forward(ps, new NDList(pooled), training), training)
            .singletonOrThrow();
    return new NDList(z, t);
  }

  /** Width of the per-token states (the second output). */
  public int dim() {
    return dim;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    return new Shape[] {
      new Shape(in[0].get(0), embeddingDim), new Shape(in[0].get(0), in[0].get(1), dim)
    };
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    Shape ids = in[0];
    embedding.initialize(manager, dataType, ids);
    Shape x = new Shape(ids.get(0), ids.get(1), dim);
    for (TransformerBlock b : blocks) {
      b.initialize(manager, dataType, x, new Shape(ids.get(0), 1, 1, ids.get(1)));
    }
    norm.initialize(manager, dataType, x);
    projection.initialize(manager, dataType, new Shape(ids.get(0), dim));
    normalize.initialize(manager, dataType, new Shape(ids.get(0), embeddingDim));
  }

  /**
   * Builder: vocabulary size, max length, dim, layers, heads and embedding dim are all required.
   */
  public static final class Builder {
    private int vocabularySize;
    private int maxLength;
    private int dim;
    private int layers = -1;
    private int heads;
    private int embeddingDim;

    public Builder setVocabularySize(int v) {
      this.vocabularySize = v;
      return this;
    }

    public Builder setMaxLength(int n) {
      this.maxLength = n;
      return this;
    }

    public Builder setDim(int d) {
      this.dim = d;
      return this;
    }

    public Builder setLayers(int n) {
      this.layers = n;
      return this;
    }

    public Builder setHeads(int h) {
      this.heads = h;
      return this;
    }

    public Builder setEmbeddingDim(int d) {
      this.embeddingDim = d;
      return this;
    }

    public TextTower build() {
      if (vocabularySize < 5
          || maxLength < 2
          || dim < 1
          || layers < 0
          || heads < 1
          || embeddingDim < 1) {
        throw new IllegalStateException(
            "TextTower needs setVocabularySize(>=5), setMaxLength(>=2), setDim, "
                + "setLayers(>=0), setHeads and setEmbeddingDim; got vocab="
                + vocabularySize
                + " maxLength="
                + maxLength
                + " dim="
                + dim
                + " layers="
                + layers
                + " heads="
                + heads
                + " embeddingDim="
                + embeddingDim);
      }
      if (dim % heads != 0) {
        throw new IllegalStateException(
            "text dim " + dim + " is not divisible by " + heads + " heads");
      }
      return new TextTower(this);
    }
  }
}
