package org.mammotriage.evaluation.metrics;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Area under the ROC curve, computed exactly as the Mann–Whitney U statistic (ties count one half),
 * plus a macro one-vs-rest version for multi-class tasks such as breast density.
 */
public final class Auc {
  private Auc() {}

  /**
   * Binary AUC: the probability that a random positive scores above a random negative.
   *
   * @param scores higher means more likely positive
   * @param labels 0 or 1, same length as {@code scores}
   * @return the AUC, or NaN when only one class is present (undefined, not 0.5)
   */
  public static double of(double[] scores, int[] labels) {
    check(scores.length, labels.length);
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    long pos = 0;
    double rankSumPos = 0;
    int i = 0;
    // Average ranks over tie groups: that is what makes ties count one half.
    while (i < order.length) {
      int j = i;
      while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double avgRank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        int label = labels[order[k]];
        if (label != 0 && label != 1) {
          throw new IllegalArgumentException("binary AUC needs labels 0/1, got " + label);
        }
        if (label == 1) {
          pos++;
          rankSumPos += avgRank;
        }
      }
      i = j + 1;
    }
    long neg = scores.length - pos;
    if (pos == 0 || neg == 0) {
      return Double.NaN;
    }
    return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }

  /**
   * Macro-averaged one-vs-rest AUC over classes {@code 0..k-1}; classes absent from {@code labels}
   * are skipped. NaN when fewer than two classes are present.
   *
   * @param probs {@code probs[i][c]} is the score of sample i for class c
   */
  public static double macroOneVsRest(double[][] probs, int[] labels) {
    check(probs.length, labels.length);
    if (probs.length == 0) {
      return Double.NaN;
    }
    int k = probs[0].length;
    double sum = 0;
    int used = 0;
    double[] col = new double[probs.length];
    int[] bin = new int[probs.length];
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < probs.length; i++) {
        col[i] = probs[i][c];
        bin[i] = labels[i] == c ? 1 : 0;
      }
      double a = of(col, bin);
      if (!Double.isNaN(a)) {
        sum += a;
        used++;
      }
    }
    return used == 0 ? Double.NaN : sum / used;
  }

  private static void check(int n, int m) {
    if (n != m) {
      throw new IllegalArgumentException("scores and labels differ in length: " + n + " vs " + m);
    }
  }
}
