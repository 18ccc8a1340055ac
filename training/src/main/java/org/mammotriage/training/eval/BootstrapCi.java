package org.mammotriage.training.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap confidence intervals for a metric over paired (score, label) samples.
 * Resamples with replacement; a resample on which the metric is undefined (NaN, e.g. AUC with a
 * single class) is drawn again, up to a bound, so small test sets still get an interval.
 */
public final class BootstrapCi {
  /** A metric of scores and labels (e.g. {@code Auc::of}). */
  @FunctionalInterface
  public interface Metric {
    double apply(double[][] scores, int[] labels);
  }

  /** Point estimate on all samples, and the lower/upper percentile bounds. */
  public record Interval(double estimate, double lower, double upper, double level, int resamples) {
    /** {@code "0.812 [0.750, 0.871]"}. */
    public String format() {
      return String.format(java.util.Locale.ROOT, "%.3f [%.3f, %.3f]", estimate, lower, upper);
    }
  }

  private BootstrapCi() {}

  /** 95% CI of a binary metric such as {@link Auc#of(double[], int[])}. */
  public static Interval binary(
      double[] scores,
      int[] labels,
      java.util.function.ToDoubleBiFunction<double[], int[]> metric,
      int resamples,
      long seed) {
    double[][] wrapped = new double[scores.length][];
    for (int i = 0; i < scores.length; i++) {
      wrapped[i] = new double[] {scores[i]};
    }
    return of(
        wrapped,
        labels,
        (s, l) -> {
          double[] flat = new double[s.length];
          for (int i = 0; i < s.length; i++) {
            flat[i] = s[i][0];
          }
          return metric.applyAsDouble(flat, l);
        },
        resamples,
        0.95,
        seed);
  }

  /**
   * Percentile bootstrap.
   *
   * @param scores one row per sample (one column for binary tasks, one per class otherwise)
   * @param level e.g. 0.95
   * @param seed makes the interval reproducible
   */
  public static Interval of(
      double[][] scores, int[] labels, Metric metric, int resamples, double level, long seed) {
    if (scores.length != labels.length) {
      throw new IllegalArgumentException(
          "scores and labels differ in length: " + scores.length + " vs " + labels.length);
    }
    if (resamples < 10) {
      throw new IllegalArgumentException("use at least 10 bootstrap resamples, got " + resamples);
    }
    if (!(level > 0 && level < 1)) {
      throw new IllegalArgumentException("level must be in (0,1), got " + level);
    }
    double estimate = metric.apply(scores, labels);
    int n = labels.length;
    if (n == 0 || Double.isNaN(estimate)) {
      return new Interval(estimate, Double.NaN, Double.NaN, level, 0);
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] values = new double[resamples];
    int got = 0;
    int tries = 0;
    double[][] s = new double[n][];
    int[] l = new int[n];
    while (got < resamples && tries < resamples * 10) {
      tries++;
      for (int i = 0; i < n; i++) {
        int j = rnd.nextInt(n);
        s[i] = scores[j];
        l[i] = labels[j];
      }
      double v = metric.apply(s, l);
      if (!Double.isNaN(v)) {
        values[got++] = v;
      }
    }
    if (got == 0) {
      return new Interval(estimate, Double.NaN, Double.NaN, level, 0);
    }
    double[] sorted = Arrays.copyOf(values, got);
    Arrays.sort(sorted);
    double alpha = (1 - level) / 2;
    return new Interval(
        estimate, percentile(sorted, alpha), percentile(sorted, 1 - alpha), level, got);
  }

  /** Linear interpolation between order statistics. */
  static double percentile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
