package org.mammotriage.evaluation.thresholds;

/** Sensitivity and specificity of "score ≥ threshold means positive" on a labelled set. */
public record OperatingPoint(
    double threshold,
    double sensitivity,
    double specificity,
    int truePositives,
    int falseNegatives,
    int trueNegatives,
    int falsePositives) {

  public static OperatingPoint at(double threshold, double[] scores, boolean[] positive) {
    int tp = 0;
    int fn = 0;
    int tn = 0;
    int fp = 0;
    for (int i = 0; i < scores.length; i++) {
      boolean called = scores[i] >= threshold;
      if (positive[i]) {
        if (called) {
          tp++;
        } else {
          fn++;
        }
      } else if (called) {
        fp++;
      } else {
        tn++;
      }
    }
    return new OperatingPoint(threshold, ratio(tp, tp + fn), ratio(tn, tn + fp), tp, fn, tn, fp);
  }

  private static double ratio(int a, int b) {
    return b == 0 ? Double.NaN : (double) a / b;
  }
}
