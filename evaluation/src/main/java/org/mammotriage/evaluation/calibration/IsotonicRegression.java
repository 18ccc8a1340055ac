package org.mammotriage.evaluation.calibration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.mammotriage.contract.Calibration;

/**
 * Isotonic regression by pool-adjacent-violators (PAV): the non-decreasing step function of the raw
 * probability closest to the labels in squared error. Equal raw values are pooled first. As a
 * calibrator each pooled block becomes two knots (its lowest and highest raw value, both at the
 * block's mean label), so between blocks the map is linear and within a block flat: every raw score
 * in one block gets the same calibrated value (ties).
 */
public final class IsotonicRegression {
  private IsotonicRegression() {}

  /**
   * PAV on values already in the order of their inputs: the weighted least-squares non-decreasing
   * fit.
   */
  public static double[] pav(double[] y, double[] w) {
    int n = y.length;
    double[] value = new double[n];
    double[] weight = new double[n];
    int[] size = new int[n];
    int blocks = 0;
    for (int i = 0; i < n; i++) {
      value[blocks] = y[i];
      weight[blocks] = w[i];
      size[blocks] = 1;
      blocks++;
      while (blocks > 1 && value[blocks - 2] > value[blocks - 1]) {
        double wSum = weight[blocks - 2] + weight[blocks - 1];
        value[blocks - 2] =
            (value[blocks - 2] * weight[blocks - 2] + value[blocks - 1] * weight[blocks - 1])
                / wSum;
        weight[blocks - 2] = wSum;
        size[blocks - 2] += size[blocks - 1];
        blocks--;
      }
    }
    double[] out = new double[n];
    int at = 0;
    for (int b = 0; b < blocks; b++) {
      Arrays.fill(out, at, at + size[b], value[b]);
      at += size[b];
    }
    return out;
  }

  /** The knots {@code {x, y}} of the fitted map. */
  public static double[][] knots(double[] p, boolean[] labels) {
    if (p.length != labels.length || p.length == 0) {
      throw new IllegalArgumentException(
          "isotonic regression needs as many labels as probabilities and at least one");
    }
    Integer[] order = IntStream.range(0, p.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
    // pool equal raw values: one point per distinct value, weighted by its count
    List<double[]> pooled = new ArrayList<>(); // {x, sum of labels, count}
    for (int i : order) {
      double x = Math.min(1, Math.max(0, p[i]));
      double[] last = pooled.isEmpty() ? null : pooled.get(pooled.size() - 1);
      if (last != null && last[0] == x) {
        last[1] += labels[i] ? 1 : 0;
        last[2]++;
      } else {
        pooled.add(new double[] {x, labels[i] ? 1 : 0, 1});
      }
    }
    int m = pooled.size();
    double[] y = new double[m];
    double[] w = new double[m];
    for (int i = 0; i < m; i++) {
      y[i] = pooled.get(i)[1] / pooled.get(i)[2];
      w[i] = pooled.get(i)[2];
    }
    double[] fit = pav(y, w);
    List<double[]> knots = new ArrayList<>();
    int i = 0;
    while (i < m) {
      int j = i;
      while (j + 1 < m && fit[j + 1] == fit[i]) {
        j++;
      }
      knots.add(new double[] {pooled.get(i)[0], fit[i]});
      if (j > i) {
        knots.add(new double[] {pooled.get(j)[0], fit[i]});
      }
      i = j + 1;
    }
    double[][] out = new double[2][knots.size()];
    for (int k = 0; k < knots.size(); k++) {
      out[0][k] = knots.get(k)[0];
      out[1][k] = knots.get(k)[1];
    }
    return out;
  }

  public static Calibration fit(double[] p, boolean[] labels, String fittedOn, String selection) {
    double[][] k = knots(p, labels);
    return Calibration.isotonic(k[0], k[1], fittedOn, selection);
  }
}
