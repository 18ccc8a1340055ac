package org.mammotriage.evaluation.calibration;

import org.mammotriage.contract.Calibration;

/**
 * Platt scaling: a logistic regression on the logit of the raw probability, {@code p' = σ(a·x + b)}
 * with {@code x = logit(p)}, fitted by Newton's method (= IRLS for two parameters) with a halving
 * line search. Targets are Platt's (1999) smoothed labels, {@code (N₊+1)/(N₊+2)} for a positive and
 * {@code 1/(N₋+2)} for a negative, so separable data give a finite slope. The identity map is
 * {@code a = 1, b = 0}, where the search starts.
 */
public final class PlattScaling {
  private static final int MAX_ITERATIONS = 100;

  private PlattScaling() {}

  /** The fitted {@code {a, b}}. */
  public static double[] parameters(double[] p, boolean[] y) {
    if (p.length != y.length || p.length == 0) {
      throw new IllegalArgumentException(
          "Platt scaling needs as many labels as probabilities and at least one (got "
              + p.length
              + " and "
              + y.length
              + ")");
    }
    int pos = 0;
    for (boolean v : y) {
      pos += v ? 1 : 0;
    }
    int neg = y.length - pos;
    if (pos == 0 || neg == 0) {
      throw new IllegalArgumentException(
          "Platt scaling needs positives and negatives; the calibration set has "
              + pos
              + " positives and "
              + neg
              + " negatives");
    }
    double tPos = (pos + 1.0) / (pos + 2.0);
    double tNeg = 1.0 / (neg + 2.0);
    double[] x = new double[p.length];
    double[] t = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      x[i] = logit(p[i]);
      t[i] = y[i] ? tPos : tNeg;
    }
    double a = 1;
    double b = 0;
    double loss = loss(x, t, a, b);
    for (int it = 0; it < MAX_ITERATIONS; it++) {
      double ga = 0;
      double gb = 0;
      double haa = 1e-12;
      double hab = 0;
      double hbb = 1e-12;
      for (int i = 0; i < x.length; i++) {
        double s = sigmoid(a * x[i] + b);
        double d = s - t[i];
        double w = s * (1 - s);
        ga += d * x[i];
        gb += d;
        haa += w * x[i] * x[i];
        hab += w * x[i];
        hbb += w;
      }
      double det = haa * hbb - hab * hab;
      double da = (hbb * ga - hab * gb) / det;
      double db = (haa * gb - hab * ga) / det;
      double step = 1;
      double next = loss(x, t, a - da, b - db);
      while (!(next <= loss) && step > 1e-10) {
        step /= 2;
        next = loss(x, t, a - step * da, b - step * db);
      }
      if (!(next <= loss)) {
        break;
      }
      a -= step * da;
      b -= step * db;
      boolean done = Math.abs(step * da) + Math.abs(step * db) < 1e-12 || loss - next < 1e-15;
      loss = next;
      if (done) {
        break;
      }
    }
    return new double[] {a, b};
  }

  /**
   * The fitted calibrator.
   *
   * @throws IllegalArgumentException when the fitted slope is not positive: the raw scores do not
   *     rank positives above negatives on this set, and a monotone map cannot repair that
   */
  public static Calibration fit(double[] p, boolean[] y, String fittedOn, String selection) {
    double[] ab = parameters(p, y);
    if (!(ab[0] > 0) || !Double.isFinite(ab[1])) {
      throw new IllegalArgumentException(
          String.format(
              java.util.Locale.ROOT,
              "Platt slope a = %.4f is not positive on %s: the model's probabilities do not rank"
                  + " cancers above non-cancers there, so no increasing calibration exists;"
                  + " check the model and the labels",
              ab[0],
              fittedOn));
    }
    return Calibration.platt(ab[0], ab[1], fittedOn, selection);
  }

  static double logit(double p) {
    double q = Math.min(1 - Calibration.EPS, Math.max(Calibration.EPS, p));
    return Math.log(q / (1 - q));
  }

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  /** Cross-entropy against the targets, computed stably from the logit. */
  private static double loss(double[] x, double[] t, double a, double b) {
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      double z = a * x[i] + b;
      // -[t log σ(z) + (1-t) log(1-σ(z))] = softplus(z) - t z
      double softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      sum += softplus - t[i] * z;
    }
    return sum;
  }
}
