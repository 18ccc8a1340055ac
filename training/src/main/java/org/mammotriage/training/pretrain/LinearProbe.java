package org.mammotriage.training.pretrain;

/**
 * Multinomial logistic regression on frozen embeddings (a linear probe), class-weighted so rare
 * classes (malignancy) count as much as common ones, with L2 regularisation, trained by full-batch
 * gradient descent with Nesterov momentum. Small and exact enough for embedding sizes of a few
 * hundred and a few thousand samples.
 */
public final class LinearProbe {
  private final int classes;
  private final int dim;
  private final double[][] w;
  private final double[] b;

  private LinearProbe(int classes, int dim) {
    this.classes = classes;
    this.dim = dim;
    this.w = new double[classes][dim];
    this.b = new double[classes];
  }

  /**
   * Fits a probe.
   *
   * @param x samples × dim
   * @param y labels 0..classes−1
   */
  public static LinearProbe fit(float[][] x, int[] y, int classes, double l2, int iterations) {
    int n = x.length;
    int d = x[0].length;
    LinearProbe p = new LinearProbe(classes, d);
    int[] count = new int[classes];
    for (int v : y) {
      count[v]++;
    }
    double[] weight = new double[classes];
    for (int k = 0; k < classes; k++) {
      weight[k] = count[k] == 0 ? 0 : n / (double) (classes * count[k]);
    }
    double lr = 1.0;
    double[][] vw = new double[classes][d];
    double[] vb = new double[classes];
    double[][] gw = new double[classes][d];
    double[] gb = new double[classes];
    double[] prob = new double[classes];
    for (int it = 0; it < iterations; it++) {
      for (int k = 0; k < classes; k++) {
        java.util.Arrays.fill(gw[k], 0);
      }
      java.util.Arrays.fill(gb, 0);
      // look-ahead point of Nesterov momentum
      double mu = 0.9;
      double[][] lw = new double[classes][d];
      double[] lb = new double[classes];
      for (int k = 0; k < classes; k++) {
        for (int j = 0; j < d; j++) {
          lw[k][j] = p.w[k][j] + mu * vw[k][j];
        }
        lb[k] = p.b[k] + mu * vb[k];
      }
      double totalWeight = 0;
      for (int i = 0; i < n; i++) {
        softmax(lw, lb, x[i], prob);
        double wi = weight[y[i]];
        totalWeight += wi;
        for (int k = 0; k < classes; k++) {
          double g = wi * (prob[k] - (y[i] == k ? 1 : 0));
          gb[k] += g;
          for (int j = 0; j < d; j++) {
            gw[k][j] += g * x[i][j];
          }
        }
      }
      for (int k = 0; k < classes; k++) {
        vb[k] = mu * vb[k] - lr * gb[k] / totalWeight;
        p.b[k] += vb[k];
        for (int j = 0; j < d; j++) {
          double g = gw[k][j] / totalWeight + l2 * lw[k][j];
          vw[k][j] = mu * vw[k][j] - lr * g;
          p.w[k][j] += vw[k][j];
        }
      }
    }
    return p;
  }

  private static void softmax(double[][] w, double[] b, float[] x, double[] out) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < out.length; k++) {
      double s = b[k];
      for (int j = 0; j < x.length; j++) {
        s += w[k][j] * x[j];
      }
      out[k] = s;
      max = Math.max(max, s);
    }
    double sum = 0;
    for (int k = 0; k < out.length; k++) {
      out[k] = Math.exp(out[k] - max);
      sum += out[k];
    }
    for (int k = 0; k < out.length; k++) {
      out[k] /= sum;
    }
  }

  /** Class probabilities of one sample. */
  public double[] predict(float[] x) {
    double[] out = new double[classes];
    softmax(w, b, x, out);
    return out;
  }

  public int dim() {
    return dim;
  }
}
