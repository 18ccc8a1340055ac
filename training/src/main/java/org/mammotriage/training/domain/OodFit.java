package org.mammotriage.training.domain;

import java.util.Arrays;
import java.util.List;
import org.mammotriage.contract.domain.OodReference;

/**
 * Fits the OOD reference (Lee et al. 2018 style): per feature layer, a Gaussian on the fitting
 * set's features (mean, covariance shrunk towards {@code tr(S)/D · I}, stored inverted, rounded to
 * float as {@code model.json} holds it) and its scale (the median squared distance of the threshold
 * set); then the threshold on the combined score (largest scaled layer distance) as the {@code 1 −
 * falseFlagRate} quantile of the threshold set's exams, each exam scored by its highest view, so
 * that the stated share of in-domain exams is flagged.
 */
public final class OodFit {
  private OodFit() {}

  /** A layer to fit: its name and its slice of the feature vector. */
  public record LayerSlice(String name, int offset, int length) {}

  /** One view of the threshold set: its exam and features. */
  public record ExamView(String exam, float[] features) {}

  public static OodReference fit(
      String method,
      String input,
      int featureDim,
      List<LayerSlice> slices,
      List<float[]> fitSet,
      List<ExamView> thresholdSet,
      double shrinkage,
      double falseFlagRate,
      String description) {
    List<OodReference.Layer> layers = new java.util.ArrayList<>();
    for (LayerSlice s : slices) {
      OodReference.Layer l = gaussian(s, fitSet, shrinkage);
      double[] d =
          thresholdSet.stream().mapToDouble(v -> l.distance(v.features())).sorted().toArray();
      double scale = Math.max(1e-12, quantile(d, 0.5));
      layers.add(
          new OodReference.Layer(l.name(), l.offset(), l.mean(), l.precision(), shrinkage, scale));
    }
    OodReference noThreshold =
        new OodReference(method, input, featureDim, layers, 1, falseFlagRate, 0, "");
    java.util.Map<String, Double> exams = new java.util.LinkedHashMap<>();
    for (ExamView v : thresholdSet) {
      exams.merge(v.exam(), noThreshold.score(v.features()), Math::max);
    }
    double[] scores = exams.values().stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double threshold = quantile(scores, 1 - falseFlagRate);
    return new OodReference(
        method,
        input,
        featureDim,
        layers,
        threshold,
        falseFlagRate,
        thresholdSet.size(),
        description);
  }

  static OodReference.Layer gaussian(LayerSlice s, List<float[]> fitSet, double shrinkage) {
    int d = s.length();
    int n = fitSet.size();
    int o = s.offset();
    double[] mean = new double[d];
    for (float[] e : fitSet) {
      for (int i = 0; i < d; i++) {
        mean[i] += e[o + i] / (double) n;
      }
    }
    double[][] cov = new double[d][d];
    double[] x = new double[d];
    for (float[] e : fitSet) {
      for (int i = 0; i < d; i++) {
        x[i] = e[o + i] - mean[i];
      }
      for (int i = 0; i < d; i++) {
        double xi = x[i] / (n - 1.0);
        double[] row = cov[i];
        for (int j = i; j < d; j++) {
          row[j] += xi * x[j];
        }
      }
    }
    double trace = 0;
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < i; j++) {
        cov[i][j] = cov[j][i];
      }
      trace += cov[i][i];
    }
    // a constant feature (a dead channel) must not make the covariance singular
    double floor = Math.max(trace / d, 1e-12);
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        cov[i][j] = (1 - shrinkage) * cov[i][j] + (i == j ? shrinkage * floor : 0);
      }
    }
    double[][] precision = invert(cov);
    for (int i = 0; i < d; i++) {
      mean[i] = (float) mean[i];
      for (int j = 0; j < d; j++) {
        precision[i][j] = (float) precision[i][j];
      }
    }
    return new OodReference.Layer(s.name(), o, mean, precision, shrinkage, 1);
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
