package org.mammotriage.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A small vision transformer over the single-channel working image (ViT, Dosovitskiy et al. 2021,
 * §3.1 and eq. 1–4): the image is zero-padded at the bottom and right to a multiple of the patch
 * size, cut into p×p patches by a conv of kernel and stride p (the patch embedding E), a learned
 * CLS token is prepended, a learned 1-D position embedding is added, pre-norm {@link
 * TransformerBlock}s (LayerNorm, multi-head self-attention, GELU MLP, residuals) mix the tokens, a
 * final LayerNorm (ε = 1e-6) follows, and the CLS token's state (or the mean of the patch tokens)
 * is the image representation. Outputs: the patch tokens as a feature map (B, D, h, w) — what
 * GLAM's super-patches and MaMA's patch alignment read — and the pooled vector (B, D).
 *
 * <p>Inputs of another size than the one the position embedding was built for get the patch part of
 * the embedding resized bilinearly to the new grid (the CLS entry is kept), the fine-tuning
 * convention of ViT §3.2 and DeiT; MaMA (§4.1, A.4: DINOv2 ViT-B/14 at 518×518, DeiT-B/16 at 384
 * for baselines) and GLAM (§3.1: DINOv2 ViT-B at 518×518) run their ViTs at sizes other than the
 * pretrained ones this way. Here it is trained from scratch at CPU sizes.
 */
public final class VitEncoder extends AbstractBlock implements ImageBackbone {
  /** How the image representation is taken from the final token states. */
  public enum Pooling {
    /** The CLS token's state (ViT eq. 4). */
    CLS,
    /** The mean of the patch tokens' states. */
    MEAN
  }

  /** ε of the final LayerNorm, as the ViT reference code. */
  public static final float NORM_EPSILON = 1e-6f;

  private final int patchSize;
  private final int dim;
  private final int gridHeight;
  private final int gridWidth;
  private final Pooling pooling;
  private final Conv2d patchEmbedding;
  private final Parameter clsToken;
  private final Parameter position;
  private final List<TransformerBlock> blocks = new ArrayList<>();
  private final LayerNorm norm;

  private VitEncoder(Builder b) {
    super((byte) 1);
    this.patchSize = b.patchSize;
    this.dim = b.dim;
    this.gridHeight = ceilDiv(b.height, patchSize);
    this.gridWidth = ceilDiv(b.width, patchSize);
    this.pooling = b.pooling;
    patchEmbedding =
        addChildBlock(
            "patch_embedding",
            Conv2d.builder()
                .setFilters(dim)
                .setKernelShape(new Shape(patchSize, patchSize))
                .optStride(new Shape(patchSize, patchSize))
                .build());
    clsToken = addParameter(token("cls_token", new Shape(1, 1, dim)));
    position =
        addParameter(token("position", new Shape(1, 1 + (long) gridHeight * gridWidth, dim)));
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
    norm = addChildBlock("norm", LayerNorm.builder().axis(2).optEpsilon(NORM_EPSILON).build());
  }

  // ViT's reference code draws both from a (truncated) normal of std 0.02
  private static Parameter token(String name, Shape shape) {
    return Parameter.builder()
        .setName(name)
        .setType(Parameter.Type.OTHER)
        .optShape(shape)
        .optInitializer(new NormalInitializer(0.02f))
        .build();
  }

  static int ceilDiv(long n, int d) {
    return (int) ((n + d - 1) / d);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int outputChannels() {
    return dim;
  }

  @Override
  public boolean pools() {
    return true;
  }

  public int patchSize() {
    return patchSize;
  }

  public int dim() {
    return dim;
  }

  /** Patch rows of the position embedding (the input height it was built for / p, rounded up). */
  public int gridHeight() {
    return gridHeight;
  }

  public int gridWidth() {
    return gridWidth;
  }

  public Pooling pooling() {
    return pooling;
  }

  public Conv2d patchEmbedding() {
    return patchEmbedding;
  }

  /** The CLS token (1, 1, D). */
  public Parameter clsToken() {
    return clsToken;
  }

  /** The position embedding (1, 1 + gridHeight·gridWidth, D), the CLS entry first. */
  public Parameter position() {
    return position;
  }

  public List<TransformerBlock> blocks() {
    return List.copyOf(blocks);
  }

  public LayerNorm norm() {
    return norm;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDArray x = inputs.singletonOrThrow();
    long b = x.getShape().get(0);
    long padH = padding(x.getShape().get(2));
    long padW = padding(x.getShape().get(3));
    if (padH > 0 || padW > 0) {
      // PyTorch's pad order: last axis first (left, right, top, bottom)
      x = x.pad(new Shape(0, padW, 0, padH), 0);
    }
    NDArray grid = patchEmbedding.forward(ps, new NDList(x), training).singletonOrThrow();
    long gh = grid.getShape().get(2);
    long gw = grid.getShape().get(3);
    NDArray tokens = grid.reshape(b, dim, gh * gw).transpose(0, 2, 1);
    NDArray pos = ps.getValue(position, x.getDevice(), training);
    tokens = tokens.add(patchPosition(pos.get(":, 1:, :"), gh, gw));
    NDArray cls =
        ps.getValue(clsToken, x.getDevice(), training)
            .add(pos.get(":, 0:1, :"))
            .broadcast(new Shape(b, 1, dim));
    NDList seq = new NDList(cls.concat(tokens, 1));
    for (TransformerBlock block : blocks) {
      seq = block.forward(ps, seq, training);
    }
    NDArray out = norm.forward(ps, seq, training).singletonOrThrow();
    NDArray patches = out.get(":, 1:, :");
    NDArray featureMap = patches.transpose(0, 2, 1).reshape(b, dim, gh, gw);
    NDArray pooled = pooling == Pooling.CLS ? out.get(":, 0, :") : patches.mean(new int[] {1});
    return new NDList(featureMap, pooled);
  }

  /** Zero rows (or columns) that make {@code n} a multiple of the patch size. */
  public long padding(long n) {
    return (patchSize - n % patchSize) % patchSize;
  }

  /**
   * The patch part of the position embedding (1, N, D) for a gh×gw grid: itself when the grid is
   * the one it was built for, else resized bilinearly on its (gridHeight, gridWidth) layout.
   */
  NDArray patchPosition(NDArray patchPos, long gh, long gw) {
    if (gh == gridHeight && gw == gridWidth) {
      return patchPos;
    }
    NDArray map = patchPos.reshape(1, gridHeight, gridWidth, dim).transpose(0, 3, 1, 2);
    return resizeBilinear(map, gh, gw).transpose(0, 2, 3, 1).reshape(1, gh * gw, dim);
  }

  /**
   * Bilinear resize of (..., h, w) to (..., outH, outW) as PyTorch's {@code interpolate(mode=
   * "bilinear", align_corners=False, antialias=False)} and ONNX's Resize (linear, half_pixel): the
   * source coordinate of output index i is (i + ½)·in/out − ½, clamped to [0, in − 1], and the two
   * neighbours are weighted linearly. Written as two interpolation matrices (outH × h, w × outW)
   * multiplied on either side, so it is differentiable and does not depend on the engine's resize,
   * which in DJL 0.35 does not give plain bilinear values when downsampling.
   */
  public static NDArray resizeBilinear(NDArray map, long outH, long outW) {
    Shape s = map.getShape();
    int d = s.dimension();
    int h = (int) s.get(d - 2);
    int w = (int) s.get(d - 1);
    NDManager m = map.getManager();
    NDArray rows = m.create(interpolation(h, (int) outH), new Shape(outH, h));
    NDArray cols = m.create(interpolation(w, (int) outW), new Shape(outW, w)).transpose();
    return rows.matMul(map).matMul(cols);
  }

  /** The (out × in) matrix of 1-D linear interpolation weights, row-major. */
  static float[] interpolation(int in, int out) {
    float[] m = new float[out * in];
    float scale = (float) in / out;
    for (int i = 0; i < out; i++) {
      float src = Math.max(0f, scale * (i + 0.5f) - 0.5f);
      int i0 = Math.min((int) src, in - 1);
      int i1 = Math.min(i0 + 1, in - 1);
      float l = src - i0;
      m[i * in + i0] += 1 - l;
      m[i * in + i1] += l;
    }
    return m;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    long b = in[0].get(0);
    long gh = ceilDiv(in[0].get(2), patchSize);
    long gw = ceilDiv(in[0].get(3), patchSize);
    return new Shape[] {new Shape(b, dim, gh, gw), new Shape(b, dim)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    Shape s = in[0];
    Shape padded =
        new Shape(s.get(0), s.get(1), s.get(2) + padding(s.get(2)), s.get(3) + padding(s.get(3)));
    patchEmbedding.initialize(manager, dataType, padded);
    Shape seq =
        new Shape(
            s.get(0), 1 + (long) ceilDiv(s.get(2), patchSize) * ceilDiv(s.get(3), patchSize), dim);
    for (TransformerBlock block : blocks) {
      block.initialize(manager, dataType, seq);
    }
    norm.initialize(manager, dataType, seq);
  }

  /**
   * Builder: {@code setImageSize}, {@code setPatchSize}, {@code setDim}, {@code setLayers}, {@code
   * setHeads} required (dim divisible by heads); {@code optMlpDim} (default 4 × dim), {@code
   * optPooling} (default CLS).
   */
  public static final class Builder {
    private int height;
    private int width;
    private int patchSize;
    private int dim;
    private int layers = -1;
    private int heads;
    private int mlpDim;
    private Pooling pooling = Pooling.CLS;

    /** The input size the position embedding is built for (the model input). */
    public Builder setImageSize(int height, int width) {
      this.height = height;
      this.width = width;
      return this;
    }

    public Builder setPatchSize(int patchSize) {
      this.patchSize = patchSize;
      return this;
    }

    public Builder setDim(int dim) {
      this.dim = dim;
      return this;
    }

    public Builder setLayers(int layers) {
      this.layers = layers;
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

    public Builder optPooling(Pooling pooling) {
      this.pooling = pooling;
      return this;
    }

    public VitEncoder build() {
      if (patchSize < 1 || height < patchSize || width < patchSize) {
        throw new IllegalStateException(
            "VitEncoder needs setPatchSize(p >= 1) and setImageSize of at least p x p, got p="
                + patchSize
                + " size "
                + height
                + "x"
                + width);
      }
      if (dim < 1 || heads < 1 || dim % heads != 0 || layers < 0) {
        throw new IllegalStateException(
            "VitEncoder needs setDim, setHeads (dim divisible by heads) and setLayers(>=0), got dim="
                + dim
                + " heads="
                + heads
                + " layers="
                + layers);
      }
      return new VitEncoder(this);
    }
  }
}
