package org.mammotriage.evaluation.metrics;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap confidence intervals for a metric over paired (score, label) samples.
 * Resamples with replacement; a resample on which the metric is undefined (NaN, e.g. AUC with a
 * single class) is drawn again, up to a bound, so small test sets still get an interval.
 *
 * <p>Samples that are not independent (the two breasts of an exam, the CC and MLO of a breast, the
 * exams of one woman over several screening rounds) are resampled together: {@link #clustered}
 * draws whole clusters (e.g. patients) with replacement, the cluster bootstrap (Field and Welsh,
 * JASA 2007). Resampling them one by one gives intervals that are too narrow.
 */
public final class BootstrapCi {
  /** A metric of scores and labels (e.g. {@code Auc::of}). */
  @FunctionalInterface
  public interface Metric {
    double apply(double[][] scores, int[] labels);
  }

  /** Point estimate on all samples, and the lower/upper percentile bounds. */
  public record Interval(
      double estimate, double lower, double upper, double level, int resamples, String resampled) {
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
    return binary(scores, labels, null, "sample", metric, resamples, seed);
  }

  /**
   * 95% CI of a binary metric, resampling whole clusters.
   *
   * @param clusters the cluster of each sample (e.g. its patient), or null for independent samples
   * @param unit what a cluster is, for the report ("patient")
   */
  public static Interval binary(
      double[] scores,
      int[] labels,
      String[] clusters,
      String unit,
      java.util.function.ToDoubleBiFunction<double[], int[]> metric,
      int resamples,
      long seed) {
    double[][] wrapped = new double[scores.length][];
    for (int i = 0; i < scores.length; i++) {
      wrapped[i] = new double[] {scores[i]};
    }
    return clustered(
        wrapped,
        labels,
        clusters,
        unit,
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
    return clustered(scores, labels, null, "sample", metric, resamples, level, seed);
  }

  /**
   * Cluster (block) percentile bootstrap: each resample draws as many clusters as there are, with
   * replacement, and takes every sample of each drawn cluster.
   *
   * @param clusters the cluster of each sample, or null when every sample is its own cluster
   * @param unit what a cluster is ("patient", "exam"), recorded in the interval
   */
  public static Interval clustered(
      double[][] scores,
      int[] labels,
      String[] clusters,
      String unit,
      Metric metric,
      int resamples,
      double level,
      long seed) {
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
    if (clusters != null && clusters.length != labels.length) {
      throw new IllegalArgumentException(
          "clusters and labels differ in length: " + clusters.length + " vs " + labels.length);
    }
    double estimate = metric.apply(scores, labels);
    int n = labels.length;
    String what = clusters == null ? "sample" : unit;
    if (n == 0 || Double.isNaN(estimate)) {
      return new Interval(estimate, Double.NaN, Double.NaN, level, 0, what);
    }
    // members[c] = the samples of cluster c, clusters in order of first appearance
    int[][] members;
    if (clusters == null) {
      members = new int[n][];
      for (int i = 0; i < n; i++) {
        members[i] = new int[] {i};
      }
    } else {
      java.util.Map<String, java.util.List<Integer>> by = new java.util.LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        by.computeIfAbsent(clusters[i], k -> new java.util.ArrayList<>()).add(i);
      }
      members =
          by.values().stream()
              .map(v -> v.stream().mapToInt(Integer::intValue).toArray())
              .toArray(int[][]::new);
    }
    int k = members.length;
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] values = new double[resamples];
    int got = 0;
    int tries = 0;
    while (got < resamples && tries < resamples * 10) {
      tries++;
      int size = 0;
      int[] drawn = new int[k];
      for (int i = 0; i < k; i++) {
        drawn[i] = rnd.nextInt(k);
        size += members[drawn[i]].length;
      }
      double[][] s = new double[size][];
      int[] l = new int[size];
      int at = 0;
      for (int c : drawn) {
        for (int j : members[c]) {
          s[at] = scores[j];
          l[at++] = labels[j];
        }
      }
      double v = metric.apply(s, l);
      if (!Double.isNaN(v)) {
        values[got++] = v;
      }
    }
    if (got == 0) {
      return new Interval(estimate, Double.NaN, Double.NaN, level, 0, what);
    }
    double[] sorted = Arrays.copyOf(values, got);
    Arrays.sort(sorted);
    double alpha = (1 - level) / 2;
    return new Interval(
        estimate, percentile(sorted, alpha), percentile(sorted, 1 - alpha), level, got, what);
  }

  /** Linear interpolation between order statistics. */
  static double percentile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
