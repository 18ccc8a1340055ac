package org.mammotriage.training.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** 2-D max pooling with a square kernel, stride and zero padding (floor mode). */
public final class MaxPool2d extends AbstractBlock {
  private final int kernel;
  private final int stride;
  private final int padding;

  public MaxPool2d(int kernel, int stride, int padding) {
    if (kernel < 1 || stride < 1 || padding < 0 || padding * 2 > kernel) {
      throw new IllegalArgumentException(
          "bad max pool: kernel=" + kernel + " stride=" + stride + " pad=" + padding);
    }
    this.kernel = kernel;
    this.stride = stride;
    this.padding = padding;
  }

  public int kernel() {
    return kernel;
  }

  public int stride() {
    return stride;
  }

  public int padding() {
    return padding;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> p) {
    return new NDList(
        Pool.maxPool2d(
            inputs.singletonOrThrow(),
            new Shape(kernel, kernel),
            new Shape(stride, stride),
            new Shape(padding, padding),
            false));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] in) {
    Shape s = in[0];
    return new Shape[] {
      new Shape(
          s.get(0),
          s.get(1),
          Shapes.convOut(s.get(2), kernel, stride, padding),
          Shapes.convOut(s.get(3), kernel, stride, padding))
    };
  }
}
