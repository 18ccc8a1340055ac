package org.mammotriage.training.survival;

import java.util.Arrays;

/** Area under the ROC curve by ranks (Mann-Whitney U, ties averaged); NaN without both classes. */
final class Ranking {
  private Ranking() {}

  static double auc(double[] positives, double[] negatives) {
    if (positives.length == 0 || negatives.length == 0) {
      return Double.NaN;
    }
    double[] neg = negatives.clone();
    Arrays.sort(neg);
    double u = 0;
    for (double p : positives) {
      int below = lowerBound(neg, p);
      int notAbove = upperBound(neg, p);
      u += below + 0.5 * (notAbove - below);
    }
    return u / ((double) positives.length * negatives.length);
  }

  private static int lowerBound(double[] a, double v) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static int upperBound(double[] a, double v) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] <= v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
