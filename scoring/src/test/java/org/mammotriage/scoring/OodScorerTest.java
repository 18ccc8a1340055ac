package org.mammotriage.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.domain.OodReference;

/**
 * The prepared OOD scorer (Cholesky-whitened layers) against {@link OodReference#score}, the
 * definition: equal within 1e-6 relative on references built as training builds them (k-means-like
 * classes, tied covariance shrunk towards tr(S)/D·I, inverted) and on the bundled demo model's.
 */
class OodScorerTest {
  private static final double REL = 1e-6;

  @Test
  void shouldEqualTheReferenceScoreOnFittedLayers() {
    Random rnd = new Random(7);
    OodReference ref = fitted(rnd, new int[] {8, 16, 48}, new int[] {1, 3, 8});
    OodScorer fast = OodScorer.of(ref);
    for (int v = 0; v < 300; v++) {
      // in domain, near one class, and far out (scaled up)
      float[] x = sample(rnd, ref, v % 3 == 2 ? 25 : 1);
      assertClose(fast.score(x, 0), ref.score(x));
    }
  }

  @Test
  void shouldReadOneViewOfABatchAtItsOffset() {
    Random rnd = new Random(8);
    OodReference ref = fitted(rnd, new int[] {12, 20}, new int[] {2, 4});
    OodScorer fast = OodScorer.of(ref);
    int f = ref.featureDim();
    float[][] views = {sample(rnd, ref, 1), sample(rnd, ref, 3), sample(rnd, ref, 9)};
    float[] batch = new float[3 * f];
    for (int i = 0; i < 3; i++) {
      System.arraycopy(views[i], 0, batch, i * f, f);
    }
    for (int i = 0; i < 3; i++) {
      assertClose(fast.score(batch, i * f), ref.score(views[i]));
    }
  }

  @Test
  void shouldEqualTheReferenceScoreOnTheDemoModel() throws Exception {
    Path json = repoRoot().resolve("models/demo-synthetic/model.json");
    OodReference ref = ModelManifest.read(json).domain().ood();
    assertThat(ref.layers()).hasSizeGreaterThan(1);
    OodScorer fast = OodScorer.of(ref);
    Random rnd = new Random(9);
    for (int v = 0; v < 100; v++) {
      float[] x = new float[ref.featureDim()];
      for (OodReference.Layer l : ref.layers()) {
        double[] m = l.means()[rnd.nextInt(l.means().length)];
        for (int i = 0; i < l.dim(); i++) {
          // around a class mean, at the scale of the mean's own values
          x[l.offset() + i] =
              (float)
                  (m[i] + (0.02 + 0.3 * (v % 4)) * (Math.abs(m[i]) + 0.05) * rnd.nextGaussian());
        }
      }
      assertClose(fast.score(x, 0), ref.score(x));
    }
  }

  @Test
  void shouldGiveTheReferenceAnswerForNonFiniteFeatures() {
    Random rnd = new Random(10);
    OodReference ref = fitted(rnd, new int[] {6, 10}, new int[] {2, 2});
    OodScorer fast = OodScorer.of(ref);
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      float[] x = sample(rnd, ref, 1);
      x[7] = bad;
      assertThat(Double.doubleToLongBits(fast.score(x, 0)))
          .isEqualTo(Double.doubleToLongBits(ref.score(x)));
    }
  }

  @Test
  void shouldFallBackWhenAPrecisionIsNotPositiveDefinite() {
    double[][] p = {{1, 0}, {0, -1}}; // indefinite: the quadratic form can be negative
    OodReference ref =
        new OodReference(
            OodReference.MAHALANOBIS,
            OodReference.INPUT_EMBEDDING,
            2,
            List.of(new OodReference.Layer("l", 0, new double[][] {{0, 0}}, p, 0, 1)),
            1,
            0.01,
            10,
            "test");
    assertThat(OodScorer.cholesky(p, 2)).isNull();
    OodScorer fast = OodScorer.of(ref);
    float[] x = {0.5f, 2f};
    assertThat(ref.score(x)).isNegative();
    assertThat(fast.score(x, 0)).isEqualTo(ref.score(x));
  }

  @Test
  void shouldFactorASymmetricPositiveDefiniteMatrix() {
    double[][] p = {{4, 2, 0.4}, {2, 5, 1}, {0.4, 1, 3}};
    double[][] l = OodScorer.cholesky(p, 3);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        double s = 0;
        for (int k = 0; k < 3; k++) {
          s += l[i][k] * l[j][k];
        }
        assertThat(s).isCloseTo(p[i][j], within(1e-12));
        if (j > i) {
          assertThat(l[i][j]).isZero();
        }
      }
    }
  }

  private static void assertClose(double fast, double slow) {
    assertThat(Double.isFinite(slow)).isTrue();
    assertThat(fast).isCloseTo(slow, within(REL * Math.max(1e-12, Math.abs(slow))));
  }

  /**
   * A reference fitted as training fits one: per layer, classes with their own means, the pooled
   * within-class covariance shrunk by 0.1 towards tr(S)/D·I and inverted; scale = a typical
   * distance.
   */
  private static OodReference fitted(Random rnd, int[] dims, int[] classes) {
    List<OodReference.Layer> layers = new ArrayList<>();
    int offset = 0;
    for (int li = 0; li < dims.length; li++) {
      int d = dims[li];
      int k = classes[li];
      double[][] mix = new double[d][d]; // correlated features: x = mix · z
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < d; j++) {
          mix[i][j] = rnd.nextGaussian() * (i == j ? 1 : 0.3);
        }
      }
      double[][] means = new double[k][d];
      for (double[] m : means) {
        for (int i = 0; i < d; i++) {
          m[i] = 3 + 2 * rnd.nextGaussian(); // far from zero, as pooled activations are
        }
      }
      int n = 40 * d;
      double[][] s = new double[d][d];
      for (int t = 0; t < n; t++) {
        double[] z = new double[d];
        for (int i = 0; i < d; i++) {
          z[i] = rnd.nextGaussian();
        }
        double[] x = mul(mix, z);
        for (int i = 0; i < d; i++) {
          for (int j = 0; j < d; j++) {
            s[i][j] += x[i] * x[j] / n;
          }
        }
      }
      double tr = 0;
      for (int i = 0; i < d; i++) {
        tr += s[i][i];
      }
      for (int i = 0; i < d; i++) {
        for (int j = 0; j < d; j++) {
          s[i][j] = 0.9 * s[i][j] + (i == j ? 0.1 * tr / d : 0);
        }
      }
      double[][] precision = invert(s);
      layers.add(new OodReference.Layer("layer" + li, offset, means, precision, 0.1, d));
      offset += d;
    }
    return new OodReference(
        OodReference.MAHALANOBIS_LAYERS,
        OodReference.INPUT_FEATURES,
        offset,
        layers,
        4,
        0.01,
        100,
        "test");
  }

  /** Features near one class mean of each layer, spread times {@code spread}. */
  private static float[] sample(Random rnd, OodReference ref, double spread) {
    float[] x = new float[ref.featureDim()];
    for (OodReference.Layer l : ref.layers()) {
      double[] m = l.means()[rnd.nextInt(l.means().length)];
      for (int i = 0; i < l.dim(); i++) {
        x[l.offset() + i] = (float) (m[i] + spread * rnd.nextGaussian());
      }
    }
    return x;
  }

  private static double[] mul(double[][] a, double[] v) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < v.length; j++) {
        out[i] += a[i][j] * v[j];
      }
    }
    return out;
  }

  /** Gauss-Jordan with partial pivoting. */
  private static double[][] invert(double[][] a) {
    int n = a.length;
    double[][] m = new double[n][2 * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a[i], 0, m[i], 0, n);
      m[i][n + i] = 1;
    }
    for (int c = 0; c < n; c++) {
      int piv = c;
      for (int r = c + 1; r < n; r++) {
        if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) {
          piv = r;
        }
      }
      double[] t = m[c];
      m[c] = m[piv];
      m[piv] = t;
      double div = m[c][c];
      for (int j = 0; j < 2 * n; j++) {
        m[c][j] /= div;
      }
      for (int r = 0; r < n; r++) {
        if (r != c && m[r][c] != 0) {
          double f = m[r][c];
          for (int j = 0; j < 2 * n; j++) {
            m[r][j] -= f * m[c][j];
          }
        }
      }
    }
    double[][] inv = new double[n][n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(m[i], n, inv[i], 0, n);
    }
    return inv;
  }

  private static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("models/demo-synthetic"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(
          "models/demo-synthetic not found above the working directory");
    }
    return p;
  }
}
