package org.mammotriage.training.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A ResNet-style CNN over the single-channel working image: stem (7×7 conv stride 2, BN, ReLU, 3×3
 * max pool stride 2), then four stages of {@link ResidualUnit}s with widths w, 2w, 4w, 8w (the last
 * three halve the resolution). Output: the feature map (B, 8w, H/32, W/32).
 *
 * <pre>{@code
 * ResNetEncoder enc = ResNetEncoder.builder().setDepth(18).optWidth(32).build();
 * }</pre>
 */
public final class ResNetEncoder extends AbstractBlock implements ImageBackbone {
  private final int width;
  private final int[] stageDepths;
  private final List<Block> layers = new ArrayList<>();

  private ResNetEncoder(Builder b) {
    super((byte) 1);
    this.width = b.width;
    this.stageDepths = b.stageDepths.clone();
    add("stem_conv", ResidualUnit.conv(width, 7, 2, 3));
    add("stem_bn", BatchNorm.builder().build());
    add("stem_relu", new Relu());
    add("stem_pool", new MaxPool2d(3, 2, 1));
    int in = width;
    for (int s = 0; s < 4; s++) {
      int out = width << s;
      for (int k = 0; k < stageDepths[s]; k++) {
        add(
            "stage" + (s + 1) + "_unit" + (k + 1),
            new ResidualUnit(in, out, k == 0 && s > 0 ? 2 : 1));
        in = out;
      }
    }
  }

  private void add(String name, Block block) {
    layers.add(addChildBlock(name, block));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Channels of the output feature map (8 × width). */
  @Override
  public int outputChannels() {
    return width * 8;
  }

  public int width() {
    return width;
  }

  public int[] stageDepths() {
    return stageDepths.clone();
  }

  /** The layers in order (stem conv, BN, ReLU, pool, then residual units). */
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

  /**
   * Builder: {@code setDepth} (10, 18 or 34) or {@code setStageDepths} required; width optional.
   */
  public static final class Builder {
    private int[] stageDepths;
    private int width = 64;

    /** ResNet-10 (1,1,1,1), -18 (2,2,2,2) or -34 (3,4,6,3). */
    public Builder setDepth(int depth) {
      stageDepths =
          switch (depth) {
            case 10 -> new int[] {1, 1, 1, 1};
            case 18 -> new int[] {2, 2, 2, 2};
            case 34 -> new int[] {3, 4, 6, 3};
            default ->
                throw new IllegalArgumentException(
                    "ResNet depth must be 10, 18 or 34, got " + depth);
          };
      return this;
    }

    /** Units per stage, four entries. */
    public Builder setStageDepths(int... depths) {
      stageDepths = depths.clone();
      return this;
    }

    /** Channels of the first stage (64 in the original ResNet). */
    public Builder optWidth(int width) {
      this.width = width;
      return this;
    }

    public ResNetEncoder build() {
      if (stageDepths == null) {
        throw new IllegalStateException(
            "ResNetEncoder needs setDepth(10|18|34) or setStageDepths(...)");
      }
      if (stageDepths.length != 4 || Arrays.stream(stageDepths).anyMatch(d -> d < 1)) {
        throw new IllegalStateException(
            "ResNetEncoder needs four stage depths >= 1, got " + Arrays.toString(stageDepths));
      }
      if (width < 1) {
        throw new IllegalStateException("ResNetEncoder width must be >= 1, got " + width);
      }
      return new ResNetEncoder(this);
    }
  }

  /** Output spatial size for an input size (both axes go through the same arithmetic). */
  public static long outputSize(long inputSize) {
    long n = Shapes.convOut(inputSize, 7, 2, 3);
    n = Shapes.convOut(n, 3, 2, 1);
    for (int s = 1; s < 4; s++) {
      n = Shapes.convOut(n, 3, 2, 1);
    }
    return n;
  }
}
