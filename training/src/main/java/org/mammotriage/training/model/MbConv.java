package org.mammotriage.training.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * EfficientNet's mobile inverted bottleneck (MBConv, Tan &amp; Le 2019 §4 and Table 1, after
 * MobileNetV2): 1×1 expansion conv → BN → SiLU (left out when the expansion ratio is 1), k×k
 * depthwise conv (group = channels, padding k/2, stride 1 or 2) → BN → SiLU, {@link
 * SqueezeExcitation}, 1×1 projection conv → BN (no activation), plus the input when stride is 1 and
 * the channels do not change. No stochastic depth (the paper trains with survival probability 0.8;
 * the small CPU models here are not deep enough to need it).
 */
public final class MbConv extends AbstractBlock {
  /** EfficientNet's BatchNorm ε (its reference implementation; ResNet keeps DJL's 1e-5). */
  public static final float BN_EPSILON = 1e-3f;

  private final int outChannels;
  private final int kernel;
  private final int stride;
  private final boolean residual;
  private final List<Block> layers = new ArrayList<>();

  /**
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param expandRatio channels of the depthwise conv = inChannels × expandRatio (1 or 6 in B0)
   * @param kernel depthwise kernel, 3 or 5
   * @param stride 1, or 2 to halve the resolution
   */
  public MbConv(int inChannels, int outChannels, int expandRatio, int kernel, int stride) {
    super((byte) 1);
    if (kernel % 2 == 0 || stride < 1 || stride > 2 || expandRatio < 1) {
      throw new IllegalArgumentException(
          "MBConv needs an odd kernel, stride 1 or 2 and expandRatio >= 1, got k="
              + kernel
              + " s="
              + stride
              + " e="
              + expandRatio);
    }
    this.outChannels = outChannels;
    this.kernel = kernel;
    this.stride = stride;
    this.residual = stride == 1 && inChannels == outChannels;
    int mid = inChannels * expandRatio;
    if (expandRatio != 1) {
      add("expand_conv", conv(mid, 1, 1, 1));
      add("expand_bn", bn());
      add("expand_silu", new Silu());
    }
    add("depthwise_conv", conv(mid, kernel, stride, mid));
    add("depthwise_bn", bn());
    add("depthwise_silu", new Silu());
    add("se", new SqueezeExcitation(mid, Math.max(1, inChannels / 4)));
    add("project_conv", conv(outChannels, 1, 1, 1));
    add("project_bn", bn());
  }

  static Conv2d conv(int filters, int kernel, int stride, int groups) {
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(kernel / 2, kernel / 2))
        .optGroups(groups)
        .optBias(false)
        .build();
  }

  static BatchNorm bn() {
    return BatchNorm.builder().optEpsilon(BN_EPSILON).build();
  }

  private void add(String name, Block block) {
    layers.add(addChildBlock(name, block));
  }

  /** Whether the input is added to the output. */
  public boolean residual() {
    return residual;
  }

  /** The layers in order, without the residual addition. */
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
    return residual ? new NDList(x.singletonOrThrow().add(inputs.singletonOrThrow())) : x;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    Shape s = in[0];
    int pad = kernel / 2;
    return new Shape[] {
      new Shape(
          s.get(0),
          outChannels,
          Shapes.convOut(s.get(2), kernel, stride, pad),
          Shapes.convOut(s.get(3), kernel, stride, pad))
    };
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    Shape[] s = in;
    for (Block b : layers) {
      b.initialize(manager, dataType, s);
      s = b.getOutputShapes(s);
    }
  }
}
