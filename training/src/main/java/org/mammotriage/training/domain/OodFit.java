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
      int clusters,
      double falseFlagRate,
      String description) {
    List<OodReference.Layer> layers = new java.util.ArrayList<>();
    for (LayerSlice s : slices) {
      OodReference.Layer l = gaussian(s, fitSet, shrinkage, clusters, 20);
      double[] d =
          thresholdSet.stream().mapToDouble(v -> l.distance(v.features())).sorted().toArray();
      double scale = Math.max(1e-12, quantile(d, 0.5));
      layers.add(
          new OodReference.Layer(l.name(), l.offset(), l.means(), l.precision(), shrinkage, scale));
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

  /**
   * The layer's class-conditional Gaussians with a tied covariance: k-means (k-means++ seeded, on
   * z-scored features, Lloyd iterations) splits the fitting views into up to {@code clusters}
   * classes, clusters with fewer than 2 % of the views are dropped (their views join the nearest
   * kept one), the means are the classes' means and the covariance is the pooled within-class one.
   */
  static OodReference.Layer gaussian(
      LayerSlice s, List<float[]> fitSet, double shrinkage, int clusters, long seed) {
    int d = s.length();
    int n = fitSet.size();
    int o = s.offset();
    double[][] x = new double[n][d];
    for (int r = 0; r < n; r++) {
      float[] e = fitSet.get(r);
      for (int i = 0; i < d; i++) {
        x[r][i] = e[o + i];
      }
    }
    int[] label = kmeans(x, Math.max(1, clusters), seed);
    int k = 0;
    for (int l : label) {
      k = Math.max(k, l + 1);
    }
    double[][] means = new double[k][d];
    int[] count = new int[k];
    for (int r = 0; r < n; r++) {
      count[label[r]]++;
      for (int i = 0; i < d; i++) {
        means[label[r]][i] += x[r][i];
      }
    }
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < d; i++) {
        means[c][i] /= count[c];
      }
    }
    double[][] cov = new double[d][d];
    double[] dx = new double[d];
    for (int r = 0; r < n; r++) {
      double[] m = means[label[r]];
      for (int i = 0; i < d; i++) {
        dx[i] = x[r][i] - m[i];
      }
      for (int i = 0; i < d; i++) {
        double xi = dx[i] / Math.max(1.0, n - k);
        double[] row = cov[i];
        for (int j = i; j < d; j++) {
          row[j] += xi * dx[j];
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
    for (int c = 0; c < k; c++) {
      for (int i = 0; i < d; i++) {
        means[c][i] = (float) means[c][i];
      }
    }
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        precision[i][j] = (float) precision[i][j];
      }
    }
    return new OodReference.Layer(s.name(), o, means, precision, shrinkage, 1);
  }

  /** Cluster labels 0..k'-1 (k' ≤ k: small clusters merged into their nearest neighbour). */
  static int[] kmeans(double[][] raw, int k, long seed) {
    int n = raw.length;
    int d = raw[0].length;
    int[] label = new int[n];
    if (k <= 1 || n < 2 * k) {
      return label;
    }
    // z-score so that no feature dominates the Euclidean distance
    double[][] x = new double[n][d];
    for (int i = 0; i < d; i++) {
      double m = 0;
      double m2 = 0;
      for (double[] r : raw) {
        m += r[i] / n;
        m2 += r[i] * r[i] / n;
      }
      double sd = Math.sqrt(Math.max(1e-24, m2 - m * m));
      for (int r = 0; r < n; r++) {
        x[r][i] = (raw[r][i] - m) / sd;
      }
    }
    java.util.Random rnd = new java.util.Random(seed);
    double[][] c = new double[k][];
    c[0] = x[rnd.nextInt(n)].clone();
    double[] best = new double[n];
    java.util.Arrays.fill(best, Double.POSITIVE_INFINITY);
    for (int j = 1; j < k; j++) {
      double total = 0;
      for (int r = 0; r < n; r++) {
        best[r] = Math.min(best[r], dist2(x[r], c[j - 1]));
        total += best[r];
      }
      double u = rnd.nextDouble() * total;
      int pick = n - 1;
      for (int r = 0; r < n; r++) {
        u -= best[r];
        if (u <= 0) {
          pick = r;
          break;
        }
      }
      c[j] = x[pick].clone();
    }
    boolean[] alive = new boolean[k];
    java.util.Arrays.fill(alive, true);
    for (int it = 0; it < 30; it++) {
      assign(x, c, alive, label);
      int[] count = new int[k];
      double[][] sum = new double[k][d];
      for (int r = 0; r < n; r++) {
        count[label[r]]++;
        for (int i = 0; i < d; i++) {
          sum[label[r]][i] += x[r][i];
        }
      }
      for (int j = 0; j < k; j++) {
        if (count[j] < Math.max(2, 0.02 * n)) {
          alive[j] = false;
        } else if (alive[j]) {
          for (int i = 0; i < d; i++) {
            c[j][i] = sum[j][i] / count[j];
          }
        }
      }
    }
    assign(x, c, alive, label);
    int[] remap = new int[k];
    int next = 0;
    for (int j = 0; j < k; j++) {
      remap[j] = alive[j] ? next++ : -1;
    }
    for (int r = 0; r < n; r++) {
      label[r] = remap[label[r]];
    }
    return label;
  }

  private static void assign(double[][] x, double[][] c, boolean[] alive, int[] label) {
    for (int r = 0; r < x.length; r++) {
      double b = Double.POSITIVE_INFINITY;
      for (int j = 0; j < c.length; j++) {
        if (alive[j]) {
          double v = dist2(x[r], c[j]);
          if (v < b) {
            b = v;
            label[r] = j;
          }
        }
      }
    }
  }

  private static double dist2(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double t = a[i] - b[i];
      s += t * t;
    }
    return s;
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
