package org.mammotriage.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A monotone map from the model's raw per-breast malignancy probability to a calibrated one, held
 * in {@code model.json}'s {@code calibration} section and applied by the scorer to every per-breast
 * malignancy it returns, so every consumer (stream, {@code mammotriage score}, replay) sees
 * calibrated probabilities and the thresholds of the manifest are in the calibrated space.
 *
 * <ul>
 *   <li>{@link #PLATT}: {@code p' = σ(a·logit(p) + b)}, {@code a > 0} (strictly increasing); the
 *       raw {@code p} is clipped to {@code [1e-7, 1 − 1e-7]} before the logit.
 *   <li>{@link #ISOTONIC}: knots {@code x} (strictly increasing raw probabilities) and {@code y}
 *       (non-decreasing calibrated values); linear between knots, constant outside (as PAV blocks
 *       give: a block's first and last raw value both map to its mean). Non-decreasing, so ties:
 *       raw scores in one flat block share a calibrated value.
 * </ul>
 *
 * @param method {@link #PLATT} or {@link #ISOTONIC}
 * @param a Platt slope (NaN for isotonic)
 * @param b Platt intercept (NaN for isotonic)
 * @param knotsX isotonic knots (empty for Platt)
 * @param knotsY isotonic values (empty for Platt)
 * @param fittedOn the data it was fitted on (split, manifest, counts)
 * @param selection how the method was chosen (e.g. cross-validated Brier of both)
 * @param evaluation ECE/Brier before and after with CIs on the test split (free-form JSON object;
 *     {@link MissingNode} when absent)
 */
public record Calibration(
    String method,
    double a,
    double b,
    double[] knotsX,
    double[] knotsY,
    String fittedOn,
    String selection,
    JsonNode evaluation) {

  public static final String PLATT = "platt";
  public static final String ISOTONIC = "isotonic";
  public static final List<String> METHODS = List.of(PLATT, ISOTONIC);

  /** Raw probabilities are clipped this far from 0 and 1 before the logit. */
  public static final double EPS = 1e-7;

  public Calibration {
    Objects.requireNonNull(method, "method");
    knotsX = knotsX == null ? new double[0] : knotsX.clone();
    knotsY = knotsY == null ? new double[0] : knotsY.clone();
    fittedOn = fittedOn == null ? "" : fittedOn;
    selection = selection == null ? "" : selection;
    evaluation = evaluation == null ? MissingNode.getInstance() : evaluation;
  }

  /** Platt scaling {@code σ(a·logit(p) + b)}. */
  public static Calibration platt(double a, double b, String fittedOn, String selection) {
    return new Calibration(PLATT, a, b, null, null, fittedOn, selection, null);
  }

  /** Isotonic (piecewise linear through the knots, constant outside). */
  public static Calibration isotonic(double[] x, double[] y, String fittedOn, String selection) {
    return new Calibration(ISOTONIC, Double.NaN, Double.NaN, x, y, fittedOn, selection, null);
  }

  /** The same calibrator with its test-split evaluation attached. */
  public Calibration withEvaluation(JsonNode evaluation) {
    return new Calibration(method, a, b, knotsX, knotsY, fittedOn, selection, evaluation);
  }

  /** The calibrated probability of a raw one in [0, 1]. */
  public double apply(double p) {
    if (PLATT.equals(method)) {
      double q = Math.min(1 - EPS, Math.max(EPS, p));
      double z = a * Math.log(q / (1 - q)) + b;
      return 1 / (1 + Math.exp(-z));
    }
    int n = knotsX.length;
    if (p <= knotsX[0]) {
      return knotsY[0];
    }
    if (p >= knotsX[n - 1]) {
      return knotsY[n - 1];
    }
    int i = Arrays.binarySearch(knotsX, p);
    if (i >= 0) {
      return knotsY[i];
    }
    int hi = -i - 1;
    int lo = hi - 1;
    double t = (p - knotsX[lo]) / (knotsX[hi] - knotsX[lo]);
    return knotsY[lo] + t * (knotsY[hi] - knotsY[lo]);
  }

  /** {@link #apply} on each value. */
  public double[] apply(double[] p) {
    double[] out = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      out[i] = apply(p[i]);
    }
    return out;
  }

  /** Problems with the parameters (empty when usable), each naming its key under {@code path}. */
  List<String> problems(String path) {
    List<String> out = new java.util.ArrayList<>();
    if (!METHODS.contains(method)) {
      out.add(path + ".method must be one of " + METHODS + ", found '" + method + "'");
      return out;
    }
    if (PLATT.equals(method)) {
      if (!(Double.isFinite(a) && a > 0)) {
        out.add(path + ".platt.a must be a finite number > 0 (the map must increase), found " + a);
      }
      if (!Double.isFinite(b)) {
        out.add(path + ".platt.b must be a finite number, found " + b);
      }
    } else {
      if (knotsX.length < 1 || knotsX.length != knotsY.length) {
        out.add(
            path
                + ".isotonic.x and .y must be non-empty arrays of equal length (found "
                + knotsX.length
                + " and "
                + knotsY.length
                + ")");
        return out;
      }
      for (int i = 0; i < knotsX.length; i++) {
        if (!(knotsX[i] >= 0 && knotsX[i] <= 1) || !(knotsY[i] >= 0 && knotsY[i] <= 1)) {
          out.add(path + ".isotonic: knot " + i + " is outside [0, 1]");
          break;
        }
        if (i > 0 && !(knotsX[i] > knotsX[i - 1])) {
          out.add(path + ".isotonic.x must be strictly increasing (knot " + i + ")");
          break;
        }
        if (i > 0 && knotsY[i] < knotsY[i - 1]) {
          out.add(path + ".isotonic.y must be non-decreasing (knot " + i + ")");
          break;
        }
      }
    }
    if (fittedOn.isBlank()) {
      out.add(path + ".fitted_on is missing (say which split it was fitted on)");
    }
    if (!evaluation.isMissingNode() && !evaluation.isObject()) {
      out.add(path + ".evaluation must be an object");
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Calibration c
        && method.equals(c.method)
        && Double.compare(a, c.a) == 0
        && Double.compare(b, c.b) == 0
        && Arrays.equals(knotsX, c.knotsX)
        && Arrays.equals(knotsY, c.knotsY)
        && fittedOn.equals(c.fittedOn)
        && selection.equals(c.selection)
        && evaluation.equals(c.evaluation);
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, a, b, Arrays.hashCode(knotsX), Arrays.hashCode(knotsY), fittedOn);
  }

  @Override
  public String toString() {
    return PLATT.equals(method)
        ? String.format(java.util.Locale.ROOT, "platt(a=%.4f, b=%.4f)", a, b)
        : "isotonic(" + knotsX.length + " knots)";
  }
}
