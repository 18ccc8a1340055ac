package org.mammotriage.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Squeeze-and-excitation as EfficientNet's MBConv uses it (Tan &amp; Le 2019, §4; Hu et al. 2018):
 * global average pool (B, C, 1, 1) → 1×1 conv to {@code reduced} channels → SiLU → 1×1 conv back to
 * C → sigmoid → the input scaled channel by channel.
 */
public final class SqueezeExcitation extends AbstractBlock {
  private final int channels;
  private final Conv2d reduce;
  private final Silu silu;
  private final Conv2d expand;

  /**
   * @param channels channels of the input (the expanded channels inside an MBConv)
   * @param reduced channels of the bottleneck (EfficientNet: a quarter of the MBConv's input)
   */
  public SqueezeExcitation(int channels, int reduced) {
    super((byte) 1);
    if (channels < 1 || reduced < 1) {
      throw new IllegalArgumentException(
          "squeeze-excitation needs channels and reduced >= 1, got " + channels + "/" + reduced);
    }
    this.channels = channels;
    reduce = addChildBlock("reduce", pointwise(reduced));
    silu = addChildBlock("silu", new Silu());
    expand = addChildBlock("expand", pointwise(channels));
  }

  private static Conv2d pointwise(int filters) {
    return Conv2d.builder().setFilters(filters).setKernelShape(new Shape(1, 1)).build();
  }

  public int channels() {
    return channels;
  }

  public Conv2d reduce() {
    return reduce;
  }

  public Silu silu() {
    return silu;
  }

  public Conv2d expand() {
    return expand;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    NDArray x = inputs.singletonOrThrow();
    Shape s = x.getShape();
    // flattened first: DJL's PyTorch engine averages over one axis at a time only
    NDArray pooled = x.reshape(s.get(0), s.get(1), -1).mean(new int[] {2}, true);
    NDList z = reduce.forward(ps, new NDList(pooled.reshape(s.get(0), s.get(1), 1, 1)), training);
    z = expand.forward(ps, silu.forward(ps, z, training), training);
    return new NDList(x.mul(Activation.sigmoid(z.singletonOrThrow())));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    return new Shape[] {in[0]};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... in) {
    Shape pooled = new Shape(in[0].get(0), in[0].get(1), 1, 1);
    reduce.initialize(manager, dataType, pooled);
    Shape r = reduce.getOutputShapes(new Shape[] {pooled})[0];
    silu.initialize(manager, dataType, r);
    expand.initialize(manager, dataType, r);
  }
}
