package org.mammotriage.scoring;

import java.util.List;
import org.mammotriage.contract.domain.OodReference;

/**
 * A model's OOD reference ({@link OodReference}) prepared once for scoring many views: each layer's
 * precision P is factored (Cholesky, P = L·Lᵀ), so the squared Mahalanobis distance (x − μ)ᵀ P (x −
 * μ) is the squared norm |Lᵀx − Lᵀμ|². The views' features are whitened once per layer (Lᵀ is
 * triangular: half the work of one P·x) and each class mean's Lᵀμ is computed here, so a layer with
 * k means costs d²/2 + k·d multiply-adds instead of k·d². Both sides are taken relative to the mean
 * of the class means, so no large common part cancels. The numbers equal {@link OodReference#score}
 * to rounding ({@code OodScorerTest}); features with a NaN or infinity, or a precision that does
 * not factor (not positive definite), are scored by {@link OodReference} itself.
 */
final class OodScorer {
  private final OodReference ref;
  // null: a layer's precision did not factor, every view goes to ref.score
  private final Layer[] layers;
  private final ThreadLocal<double[]> scratch;

  /** One layer: Lᵀ packed by rows (row i holds L[i..d-1][i]), the centre and Lᵀ(μ_k − centre). */
  private record Layer(int offset, int dim, double[] upper, double[] centre, double[][] means) {}

  private OodScorer(OodReference ref, Layer[] layers, int maxDim) {
    this.ref = ref;
    this.layers = layers;
    this.scratch = ThreadLocal.withInitial(() -> new double[maxDim]);
  }

  /** The prepared reference; null for null. */
  static OodScorer of(OodReference ref) {
    if (ref == null) {
      return null;
    }
    List<OodReference.Layer> ls = ref.layers();
    Layer[] out = new Layer[ls.size()];
    int maxDim = 1;
    for (int i = 0; i < out.length; i++) {
      out[i] = prepare(ls.get(i));
      if (out[i] == null) {
        return new OodScorer(ref, null, 1);
      }
      maxDim = Math.max(maxDim, out[i].dim());
    }
    return new OodScorer(ref, out, maxDim);
  }

  /** The reference this scores against. */
  OodReference reference() {
    return ref;
  }

  /**
   * The view's OOD score ({@link OodReference#score}) of {@code features[from, from + featureDim)},
   * e.g. one view's row of the encoder's batch output.
   */
  double score(float[] features, int from) {
    int n = ref.featureDim();
    if (from < 0 || from + n > features.length) {
      throw new IllegalArgumentException(
          ref.input() + " has " + (features.length - from) + " values, the OOD reference " + n);
    }
    if (layers == null || !finite(features, from, n)) {
      float[] x = new float[n];
      System.arraycopy(features, from, x, 0, n);
      return ref.score(x);
    }
    double[] y = scratch.get();
    double max = Double.NEGATIVE_INFINITY;
    List<OodReference.Layer> src = ref.layers();
    for (int l = 0; l < layers.length; l++) {
      double s = distance(layers[l], features, from, y) / src.get(l).scale();
      if (Double.isNaN(s)) {
        return Double.NaN;
      }
      max = Math.max(max, s);
    }
    return max;
  }

  /** The smallest squared distance of the layer's slice to its means. */
  private static double distance(Layer layer, float[] features, int from, double[] y) {
    int d = layer.dim();
    int base = from + layer.offset();
    double[] c = layer.centre();
    for (int i = 0; i < d; i++) {
      y[i] = features[base + i] - c[i];
    }
    // y <- Lᵀ y in place, top row first: row i reads y[i..d-1], which rows before it left alone
    double[] u = layer.upper();
    int at = 0;
    for (int i = 0; i < d; i++) {
      double v = 0;
      for (int j = i; j < d; j++) {
        v += u[at + j - i] * y[j];
      }
      at += d - i;
      y[i] = v;
    }
    double best = Double.POSITIVE_INFINITY;
    for (double[] m : layer.means()) {
      double s = 0;
      for (int i = 0; i < d; i++) {
        double e = y[i] - m[i];
        s += e * e;
      }
      best = Math.min(best, s);
    }
    return best;
  }

  private static boolean finite(float[] v, int from, int n) {
    for (int i = from; i < from + n; i++) {
      if (!Float.isFinite(v[i])) {
        return false;
      }
    }
    return true;
  }

  /** The layer's factor, centre and whitened means; null when its precision does not factor. */
  private static Layer prepare(OodReference.Layer l) {
    int d = l.dim();
    double[][] p = l.precision();
    double[][] low = cholesky(p, d);
    if (low == null) {
      return null;
    }
    double[] upper = new double[d * (d + 1) / 2];
    int at = 0;
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++) {
        upper[at++] = low[j][i];
      }
    }
    double[] centre = new double[d];
    for (double[] m : l.means()) {
      for (int i = 0; i < d; i++) {
        centre[i] += m[i];
      }
    }
    for (int i = 0; i < d; i++) {
      centre[i] /= l.means().length;
    }
    double[][] means = new double[l.means().length][];
    for (int k = 0; k < means.length; k++) {
      double[] v = new double[d];
      for (int i = 0; i < d; i++) {
        v[i] = l.means()[k][i] - centre[i];
      }
      double[] w = new double[d];
      for (int i = 0; i < d; i++) {
        double s = 0;
        for (int j = i; j < d; j++) {
          s += low[j][i] * v[j];
        }
        w[i] = s;
      }
      means[k] = w;
    }
    return new Layer(l.offset(), d, upper, centre, means);
  }

  /**
   * The lower-triangular L with L·Lᵀ = (P + Pᵀ)/2 (the quadratic form of P is that of its symmetric
   * part); null when that is not positive definite or not finite.
   */
  static double[][] cholesky(double[][] p, int d) {
    double[][] low = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j <= i; j++) {
        double s = (p[i][j] + p[j][i]) / 2;
        for (int k = 0; k < j; k++) {
          s -= low[i][k] * low[j][k];
        }
        if (i == j) {
          if (!(s > 0) || !Double.isFinite(s)) {
            return null;
          }
          low[i][i] = Math.sqrt(s);
        } else {
          low[i][j] = s / low[j][j];
        }
      }
    }
    return low;
  }
}
