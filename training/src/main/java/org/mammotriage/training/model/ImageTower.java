package org.mammotriage.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The image encoder: an {@link ImageBackbone} ({@link ResNetEncoder}, {@link EfficientNetEncoder}
 * or {@link VitEncoder}) → pooling (global average, or MV-MLM's {@link TokenTransformerHead}; none
 * for a backbone that pools by itself, the ViT's CLS token) → linear projection → L2 normalisation.
 * Input (B, 1, H, W); outputs the embedding (B, D) and the feature map (B, C, h, w) that GLAM's
 * local alignment uses. The exported {@code image_encoder.onnx} is this block's first output.
 */
public final class ImageTower extends AbstractBlock {
  private final ImageBackbone encoder;
  private final Block pooling;
  private final Linear projection;
  private final L2Normalize normalize;
  private final int embeddingDim;
  private final int pooledDim;

  private ImageTower(Builder b) {
    super((byte) 1);
    this.embeddingDim = b.embeddingDim;
    encoder = addChildBlock("encoder", b.encoder);
    if (b.tokenHead != null) {
      pooling = addChildBlock("token_head", b.tokenHead);
      pooledDim = b.tokenHead.dim();
    } else if (b.encoder.pools()) {
      pooling = null;
      pooledDim = b.encoder.outputChannels();
    } else {
      pooling = addChildBlock("avg_pool", new GlobalAvgPool());
      pooledDim = b.encoder.outputChannels();
    }
    projection = addChildBlock("projection", Linear.builder().setUnits(embeddingDim).build());
    normalize = addChildBlock("normalize", new L2Normalize());
  }

  public static Builder builder() {
    return new Builder();
  }

  public ImageBackbone encoder() {
    return encoder;
  }

  /**
   * The pooling block: {@link GlobalAvgPool} or {@link TokenTransformerHead}; null when the
   * backbone's second output is the pooled vector.
   */
  public Block pooling() {
    return pooling;
  }

  public Linear projection() {
    return projection;
  }

  public L2Normalize normalize() {
    return normalize;
  }

  public int embeddingDim() {
    return embeddingDim;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDList encoded = encoder.forward(ps, inputs, training);
    NDArray features = encoded.get(0);
    NDList pooled =
        pooling != null
            ? pooling.forward(ps, new NDList(features), training)
            : new NDList(encoded.get(1));
    NDList z = normalize.forward(ps, projection.forward(ps, pooled, training), training);
    return new NDList(z.singletonOrThrow(), features);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    Shape f = encoder.getOutputShapes(in)[0];
    return new Shape[] {new Shape(in[0].get(0), embeddingDim), f};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    encoder.initialize(manager, dataType, in);
    Shape[] f = encoder.getOutputShapes(in);
    if (pooling != null) {
      pooling.initialize(manager, dataType, f[0]);
    }
    Shape pooled = new Shape(in[0].get(0), pooledDim);
    projection.initialize(manager, dataType, pooled);
    normalize.initialize(manager, dataType, new Shape(in[0].get(0), embeddingDim));
  }

  /**
   * Builder: {@code setEncoder} and {@code setEmbeddingDim} required; {@code optTokenHead} for
   * MV-MLM.
   */
  public static final class Builder {
    private ImageBackbone encoder;
    private TokenTransformerHead tokenHead;
    private int embeddingDim;

    public Builder setEncoder(ImageBackbone encoder) {
      this.encoder = encoder;
      return this;
    }

    public Builder optTokenHead(TokenTransformerHead head) {
      this.tokenHead = head;
      return this;
    }

    public Builder setEmbeddingDim(int dim) {
      this.embeddingDim = dim;
      return this;
    }

    public ImageTower build() {
      if (encoder == null) {
        throw new IllegalStateException("ImageTower needs setEncoder(ImageBackbone)");
      }
      if (tokenHead != null && encoder.pools()) {
        throw new IllegalStateException(
            "the MV-MLM token head pools a CNN feature map; "
                + encoder.getClass().getSimpleName()
                + " pools by itself (use 0 token layers)");
      }
      if (embeddingDim < 1) {
        throw new IllegalStateException("ImageTower needs setEmbeddingDim(>0)");
      }
      return new ImageTower(this);
    }
  }
}
