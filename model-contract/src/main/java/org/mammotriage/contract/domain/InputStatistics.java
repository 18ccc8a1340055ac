package org.mammotriage.contract.domain;

import java.nio.FloatBuffer;

/**
 * The gray-value mean and standard deviation (0..1) of a view as the model sees it: the working
 * image area-resized to the model input, before normalisation. The domain command and the stream
 * compute them the same way, from the prepared (normalised) input: {@code g = x · std + mean}.
 */
public final class InputStatistics {
  private InputStatistics() {}

  /**
   * {mean, std} of the {@code n} values of {@code x} from {@code off}, normalised with mean/std.
   */
  public static double[] ofPrepared(
      FloatBuffer x, int off, int n, double normMean, double normStd) {
    double s = 0;
    double s2 = 0;
    for (int i = 0; i < n; i++) {
      double g = x.get(off + i) * normStd + normMean;
      s += g;
      s2 += g * g;
    }
    double mean = s / n;
    return new double[] {mean, Math.sqrt(Math.max(0, s2 / n - mean * mean))};
  }

  /** {mean, std} of a prepared input array. */
  public static double[] ofPrepared(float[] x, double normMean, double normStd) {
    return ofPrepared(FloatBuffer.wrap(x), 0, x.length, normMean, normStd);
  }
}
