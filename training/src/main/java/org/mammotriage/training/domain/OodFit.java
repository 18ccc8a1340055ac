package org.mammotriage.training.domain;

import java.util.Arrays;
import java.util.List;
import org.mammotriage.contract.domain.OodReference;

/**
 * Fits the embedding OOD reference: a Gaussian on the fitting set's embeddings (mean and the
 * covariance shrunk towards {@code tr(S)/D · I}, stored inverted), then the threshold as the {@code
 * 1 − falseFlagRate} quantile of the squared Mahalanobis distances of a separate threshold set (the
 * validation views), so that the stated share of in-domain views is flagged.
 */
public final class OodFit {
  private OodFit() {}

  public static OodReference fit(
      List<float[]> fitSet,
      List<float[]> thresholdSet,
      double shrinkage,
      double falseFlagRate,
      String description) {
    int d = fitSet.get(0).length;
    int n = fitSet.size();
    double[] mean = new double[d];
    for (float[] e : fitSet) {
      for (int i = 0; i < d; i++) {
        mean[i] += e[i] / (double) n;
      }
    }
    double[][] cov = new double[d][d];
    for (float[] e : fitSet) {
      for (int i = 0; i < d; i++) {
        double xi = e[i] - mean[i];
        for (int j = 0; j < d; j++) {
          cov[i][j] += xi * (e[j] - mean[j]) / (n - 1.0);
        }
      }
    }
    double trace = 0;
    for (int i = 0; i < d; i++) {
      trace += cov[i][i];
    }
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        cov[i][j] = (1 - shrinkage) * cov[i][j] + (i == j ? shrinkage * trace / d : 0);
      }
    }
    double[][] precision = invert(cov);
    OodReference noThreshold =
        new OodReference(
            OodReference.MAHALANOBIS, mean, precision, shrinkage, 1, falseFlagRate, 0, "");
    double[] scores = thresholdSet.stream().mapToDouble(noThreshold::score).sorted().toArray();
    double threshold = quantile(scores, 1 - falseFlagRate);
    return new OodReference(
        OodReference.MAHALANOBIS,
        mean,
        precision,
        shrinkage,
        threshold,
        falseFlagRate,
        thresholdSet.size(),
        description);
  }

  /** Linear-interpolated quantile of sorted values. */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /** Gauss-Jordan inverse with partial pivoting of a symmetric positive definite matrix. */
  static double[][] invert(double[][] m) {
    int d = m.length;
    double[][] a = new double[d][2 * d];
    for (int i = 0; i < d; i++) {
      System.arraycopy(m[i], 0, a[i], 0, d);
      a[i][d + i] = 1;
    }
    for (int c = 0; c < d; c++) {
      int p = c;
      for (int r = c + 1; r < d; r++) {
        if (Math.abs(a[r][c]) > Math.abs(a[p][c])) {
          p = r;
        }
      }
      double[] t = a[c];
      a[c] = a[p];
      a[p] = t;
      double piv = a[c][c];
      if (Math.abs(piv) < 1e-300) {
        throw new IllegalArgumentException("covariance is singular; raise the shrinkage");
      }
      for (int j = 0; j < 2 * d; j++) {
        a[c][j] /= piv;
      }
      for (int r = 0; r < d; r++) {
        if (r != c && a[r][c] != 0) {
          double f = a[r][c];
          for (int j = 0; j < 2 * d; j++) {
            a[r][j] -= f * a[c][j];
          }
        }
      }
    }
    double[][] inv = new double[d][];
    for (int i = 0; i < d; i++) {
      inv[i] = Arrays.copyOfRange(a[i], d, 2 * d);
    }
    return inv;
  }
}
