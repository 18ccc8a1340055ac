package org.mammotriage.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The ResNet basic block: conv3×3(stride) → BN → ReLU → conv3×3 → BN, plus the input (through a 1×1
 * conv + BN when the shape changes), then ReLU.
 */
public final class ResidualUnit extends AbstractBlock {
  private final int outChannels;
  private final int stride;
  private final Conv2d conv1;
  private final BatchNorm bn1;
  private final Relu relu1;
  private final Conv2d conv2;
  private final BatchNorm bn2;
  private final Conv2d shortcutConv;
  private final BatchNorm shortcutBn;
  private final Relu relu2;

  /**
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param stride 1, or 2 to halve the resolution
   */
  public ResidualUnit(int inChannels, int outChannels, int stride) {
    super((byte) 1);
    this.outChannels = outChannels;
    this.stride = stride;
    conv1 = addChildBlock("conv1", conv(outChannels, 3, stride, 1));
    bn1 = addChildBlock("bn1", BatchNorm.builder().build());
    relu1 = addChildBlock("relu1", new Relu());
    conv2 = addChildBlock("conv2", conv(outChannels, 3, 1, 1));
    bn2 = addChildBlock("bn2", BatchNorm.builder().build());
    if (stride != 1 || inChannels != outChannels) {
      shortcutConv = addChildBlock("shortcut_conv", conv(outChannels, 1, stride, 0));
      shortcutBn = addChildBlock("shortcut_bn", BatchNorm.builder().build());
    } else {
      shortcutConv = null;
      shortcutBn = null;
    }
    relu2 = addChildBlock("relu2", new Relu());
  }

  static Conv2d conv(int filters, int kernel, int stride, int padding) {
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(padding, padding))
        .optBias(false)
        .build();
  }

  public boolean hasProjectionShortcut() {
    return shortcutConv != null;
  }

  public Conv2d conv1() {
    return conv1;
  }

  public BatchNorm bn1() {
    return bn1;
  }

  public Relu relu1() {
    return relu1;
  }

  public Conv2d conv2() {
    return conv2;
  }

  public BatchNorm bn2() {
    return bn2;
  }

  /** The 1×1 projection conv of the shortcut, or null when the input is added unchanged. */
  public Conv2d shortcutConv() {
    return shortcutConv;
  }

  /** The shortcut's BatchNorm, or null when the input is added unchanged. */
  public BatchNorm shortcutBn() {
    return shortcutBn;
  }

  public Relu relu2() {
    return relu2;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDList x = inputs;
    NDList y = conv1.forward(ps, x, training);
    y = bn1.forward(ps, y, training);
    y = relu1.forward(ps, y, training);
    y = conv2.forward(ps, y, training);
    y = bn2.forward(ps, y, training);
    NDArray shortcut = x.singletonOrThrow();
    if (shortcutConv != null) {
      shortcut =
          shortcutBn
              .forward(ps, shortcutConv.forward(ps, x, training), training)
              .singletonOrThrow();
    }
    return relu2.forward(ps, new NDList(y.singletonOrThrow().add(shortcut)), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    Shape s = in[0];
    return new Shape[] {
      new Shape(
          s.get(0),
          outChannels,
          Shapes.convOut(s.get(2), 3, stride, 1),
          Shapes.convOut(s.get(3), 3, stride, 1))
    };
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape[] s = inputShapes;
    conv1.initialize(manager, dataType, s);
    Shape[] a = conv1.getOutputShapes(s);
    bn1.initialize(manager, dataType, a);
    relu1.initialize(manager, dataType, a);
    conv2.initialize(manager, dataType, a);
    Shape[] b = conv2.getOutputShapes(a);
    bn2.initialize(manager, dataType, b);
    if (shortcutConv != null) {
      shortcutConv.initialize(manager, dataType, s);
      shortcutBn.initialize(manager, dataType, shortcutConv.getOutputShapes(s));
    }
    relu2.initialize(manager, dataType, b);
  }
}
