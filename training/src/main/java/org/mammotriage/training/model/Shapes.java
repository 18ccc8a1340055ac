package org.mammotriage.training.model;

/** Shape arithmetic shared by the blocks. */
final class Shapes {
  private Shapes() {}

  /** Output length of a convolution or pooling window (floor mode). */
  static long convOut(long n, int kernel, int stride, int padding) {
    return (n + 2L * padding - kernel) / stride + 1;
  }
}
