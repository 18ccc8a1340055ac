package org.mammotriage.evaluation.metrics;

/**
 * Balanced accuracy: the mean of per-class recalls (for two classes, the mean of sensitivity and
 * specificity), so a majority-class guess scores 1/k instead of the prevalence.
 */
public final class BalancedAccuracy {
  private BalancedAccuracy() {}

  /**
   * @param predicted predicted class per sample ({@code 0..k-1})
   * @param truth true class per sample
   * @return mean recall over the classes present in {@code truth}; NaN when {@code truth} is empty
   */
  public static double of(int[] predicted, int[] truth) {
    if (predicted.length != truth.length) {
      throw new IllegalArgumentException(
          "predicted and truth differ in length: " + predicted.length + " vs " + truth.length);
    }
    int k = 0;
    for (int t : truth) {
      if (t < 0) {
        throw new IllegalArgumentException("class labels must be >= 0, got " + t);
      }
      k = Math.max(k, t + 1);
    }
    long[] hit = new long[k];
    long[] count = new long[k];
    for (int i = 0; i < truth.length; i++) {
      count[truth[i]]++;
      if (predicted[i] == truth[i]) {
        hit[truth[i]]++;
      }
    }
    double sum = 0;
    int present = 0;
    for (int c = 0; c < k; c++) {
      if (count[c] > 0) {
        sum += (double) hit[c] / count[c];
        present++;
      }
    }
    return present == 0 ? Double.NaN : sum / present;
  }

  /** Binary balanced accuracy of {@code score >= threshold} against 0/1 labels. */
  public static double atThreshold(double[] scores, int[] labels, double threshold) {
    int[] pred = new int[scores.length];
    for (int i = 0; i < scores.length; i++) {
      pred[i] = scores[i] >= threshold ? 1 : 0;
    }
    return of(pred, labels);
  }

  /** Multi-class balanced accuracy of the arg-max class of each row. */
  public static double ofArgMax(double[][] probs, int[] labels) {
    int[] pred = new int[probs.length];
    for (int i = 0; i < probs.length; i++) {
      int best = 0;
      for (int c = 1; c < probs[i].length; c++) {
        if (probs[i][c] > probs[i][best]) {
          best = c;
        }
      }
      pred[i] = best;
    }
    return of(pred, labels);
  }
}
