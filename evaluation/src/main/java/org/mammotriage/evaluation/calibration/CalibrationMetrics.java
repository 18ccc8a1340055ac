package org.mammotriage.evaluation.calibration;

import org.mammotriage.evaluation.metrics.BootstrapCi;
import org.mammotriage.evaluation.survival.CalibrationCurve;

/**
 * Expected calibration error and Brier score with patient-level bootstrap 95% CIs.
 *
 * <p>ECE: predictions sorted by predicted probability into {@link #BINS} equal-mass bins (equal
 * counts; {@link CalibrationCurve}), the count-weighted mean of |mean predicted − observed rate|.
 * Equal-mass bins keep every bin populated when the probabilities crowd in a narrow range, as a
 * miscalibrated model's do; the ECE of a perfectly calibrated finite set is still above 0 (each
 * bin's observed rate is a binomial draw), roughly 0.8·sqrt(p(1−p)/(n/10)). Brier: mean squared
 * difference between probability and outcome (0/1).
 *
 * <p>That plug-in ECE is biased upward, so its patient resamples lie above it and, for a
 * well-calibrated model, a percentile interval can miss it altogether (the demo model once reported
 * 0.016 with a 95% CI of [0.017, 0.046]). {@link Measured#ece()} is therefore the bootstrap
 * bias-corrected ECE with the basic bootstrap interval, which always holds it ({@link
 * BootstrapCi#statisticBiasCorrected}); the plug-in value is {@link Measured#ecePlugIn()}. The
 * Brier score's plug-in is unbiased for its expectation: percentile interval.
 */
public final class CalibrationMetrics {
  /** Bins of the ECE and of the reliability diagram. */
  public static final int BINS = 10;

  public static final String BINNING =
      BINS
          + " equal-mass bins (sorted by predicted probability, equal counts); ECE = count-weighted"
          + " mean |mean predicted - observed rate|";

  private CalibrationMetrics() {}

  /**
   * ECE and Brier of one set of predictions, with CIs, and its reliability bins.
   *
   * @param ece the bias-corrected ECE and its basic bootstrap interval
   * @param ecePlugIn the ECE of the predictions as they are (the bins of {@code curve})
   */
  public record Measured(
      int samples,
      int positives,
      BootstrapCi.Interval ece,
      BootstrapCi.Interval brier,
      CalibrationCurve.Result curve,
      double ecePlugIn) {}

  public static double brier(double[] p, boolean[] y) {
    if (p.length == 0) {
      return Double.NaN;
    }
    double s = 0;
    for (int i = 0; i < p.length; i++) {
      double d = p[i] - (y[i] ? 1 : 0);
      s += d * d;
    }
    return s / p.length;
  }

  public static double ece(double[] p, boolean[] y, int bins) {
    return CalibrationCurve.compute(p, y, bins).expectedCalibrationError();
  }

  /**
   * Measures {@code p} against {@code y}; the CIs resample whole patients ({@code patients[i]} is
   * the woman sample i belongs to).
   */
  public static Measured measure(
      double[] p, boolean[] y, String[] patients, int resamples, long seed) {
    BootstrapCi.Interval ece =
        BootstrapCi.statisticBiasCorrected(
            p.length,
            patients,
            "patient",
            idx -> ece(BootstrapCi.pick(p, idx), pick(y, idx), BINS),
            resamples,
            0.95,
            seed,
            0);
    BootstrapCi.Interval brier =
        BootstrapCi.statistic(
            p.length,
            patients,
            "patient",
            idx -> brier(BootstrapCi.pick(p, idx), pick(y, idx)),
            resamples,
            0.95,
            seed);
    int pos = 0;
    for (boolean v : y) {
      pos += v ? 1 : 0;
    }
    CalibrationCurve.Result curve = CalibrationCurve.compute(p, y, BINS);
    return new Measured(p.length, pos, ece, brier, curve, curve.expectedCalibrationError());
  }

  static boolean[] pick(boolean[] v, int[] idx) {
    boolean[] out = new boolean[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = v[idx[i]];
    }
    return out;
  }
}
