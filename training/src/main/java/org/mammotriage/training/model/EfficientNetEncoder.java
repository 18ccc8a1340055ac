package org.mammotriage.training.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * An EfficientNet image encoder over the single-channel working image (Tan &amp; Le 2019): the
 * EfficientNet-B0 layout of its Table 1 — a 3×3 stride-2 stem conv, seven stages of {@link MbConv}
 * blocks (expansion 1/6, kernels 3/5, strides 1,2,2,2,1,2,1; 16, 24, 40, 80, 112, 192, 320
 * channels; 1, 2, 2, 3, 3, 4, 1 blocks) and a 1×1 head conv to 1280 channels, each conv followed by
 * BatchNorm and SiLU — scaled by the compound-scaling multipliers of §3.3: every channel count ×
 * {@code widthMultiplier} rounded to a multiple of 8 as the reference code does, every stage's
 * block count × {@code depthMultiplier} rounded up. The global pooling and classifier of Table 1
 * are not here: the {@link ImageTower} pools. Output: the feature map (B, C, H/32, W/32).
 *
 * <p>The mammography papers in {@code ../shared/seeds/} use this family as the image encoder:
 * MV-MLM §4.2 (EfficientNet-B5 beside ResNet-34, its feature map turned into the tokens of the
 * token transformer; B2/B3/B5 compared in its Table 5), Mammo-CLIP §3.2 (EfficientNet-B2 and -B5 at
 * 1520×912, ImageNet weights) and MM-CLIP §4.2 (EfficientNet-B2 and -B4). Here it is trained from
 * scratch at CPU sizes ({@code widthMultiplier} 0.5, {@code depthMultiplier} 0.25 by default, see
 * {@code ArchitectureOptions}); the resolution multiplier of compound scaling is the model input
 * size, set separately.
 */
public final class EfficientNetEncoder extends AbstractBlock implements ImageBackbone {
  /** B0's stages: expansion ratio, kernel, stride, output channels, blocks (Table 1). */
  private static final int[][] B0 = {
    {1, 3, 1, 16, 1},
    {6, 3, 2, 24, 2},
    {6, 5, 2, 40, 2},
    {6, 3, 2, 80, 3},
    {6, 5, 1, 112, 3},
    {6, 5, 2, 192, 4},
    {6, 3, 1, 320, 1}
  };

  private static final int STEM = 32;
  private static final int HEAD = 1280;
  private static final int DIVISOR = 8;

  private final double widthMultiplier;
  private final double depthMultiplier;
  private final int headChannels;
  private final List<Block> layers = new ArrayList<>();

  private EfficientNetEncoder(Builder b) {
    super((byte) 1);
    this.widthMultiplier = b.widthMultiplier;
    this.depthMultiplier = b.depthMultiplier;
    int in = channels(STEM, widthMultiplier);
    add("stem_conv", MbConv.conv(in, 3, 2, 1));
    add("stem_bn", MbConv.bn());
    add("stem_silu", new Silu());
    for (int s = 0; s < B0.length; s++) {
      int[] st = B0[s];
      int out = channels(st[3], widthMultiplier);
      int blocks = (int) Math.ceil(depthMultiplier * st[4]);
      for (int k = 0; k < blocks; k++) {
        add(
            "stage" + (s + 1) + "_block" + (k + 1),
            new MbConv(in, out, st[0], st[1], k == 0 ? st[2] : 1));
        in = out;
      }
    }
    headChannels = channels(HEAD, widthMultiplier);
    add("head_conv", MbConv.conv(headChannels, 1, 1, 1));
    add("head_bn", MbConv.bn());
    add("head_silu", new Silu());
  }

  /** The reference implementation's round_filters: nearest multiple of 8, never 10 % below. */
  static int channels(int b0Channels, double widthMultiplier) {
    double f = b0Channels * widthMultiplier;
    int c = Math.max(DIVISOR, (int) (f + DIVISOR / 2.0) / DIVISOR * DIVISOR);
    return c < 0.9 * f ? c + DIVISOR : c;
  }

  private void add(String name, Block block) {
    layers.add(addChildBlock(name, block));
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int outputChannels() {
    return headChannels;
  }

  public double widthMultiplier() {
    return widthMultiplier;
  }

  public double depthMultiplier() {
    return depthMultiplier;
  }

  /** The layers in order: stem conv, BN, SiLU, the MBConv blocks, head conv, BN, SiLU. */
  public List<Block> layers() {
    return List.copyOf(layers);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDList x = inputs;
    for (Block b : layers) {
      x = b.forward(ps, x, training);
    }
    return x;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    Shape[] s = in;
    for (Block b : layers) {
      s = b.getOutputShapes(s);
    }
    return s;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape[] s = inputShapes;
    for (Block b : layers) {
      b.initialize(manager, dataType, s);
      s = b.getOutputShapes(s);
    }
  }

  /** Builder: both multipliers optional (1.0 = EfficientNet-B0). */
  public static final class Builder {
    private double widthMultiplier = 1.0;
    private double depthMultiplier = 1.0;

    /** Channel multiplier (B0 1.0; B2 1.1, B5 1.6 in the paper). */
    public Builder optWidthMultiplier(double w) {
      this.widthMultiplier = w;
      return this;
    }

    /** Block-count multiplier (B0 1.0; B2 1.2, B5 2.2 in the paper). */
    public Builder optDepthMultiplier(double d) {
      this.depthMultiplier = d;
      return this;
    }

    public EfficientNetEncoder build() {
      if (!(widthMultiplier > 0) || !(depthMultiplier > 0)) {
        throw new IllegalStateException(
            "EfficientNetEncoder multipliers must be > 0, got width "
                + widthMultiplier
                + " depth "
                + depthMultiplier);
      }
      return new EfficientNetEncoder(this);
    }
  }
}
