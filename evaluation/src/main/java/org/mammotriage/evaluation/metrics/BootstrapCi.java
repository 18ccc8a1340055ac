package org.mammotriage.evaluation.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleBiFunction;

/**
 * Percentile bootstrap confidence intervals for a metric over paired (score, label) samples.
 *
 * <p>Samples that are not independent (the two breasts of an exam, the CC and MLO of a breast, the
 * exams of one woman over several screening rounds) are resampled together: {@link #clustered}
 * draws whole clusters (e.g. patients) with replacement, the cluster bootstrap (Field and Welsh,
 * JASA 2007). Resampling them one by one gives intervals that are too narrow.
 *
 * <p><b>Undefined resamples are not redrawn.</b> A resample on which the metric is undefined (NaN:
 * an AUC whose resample holds one class only, a C-index without a comparable pair) is kept and
 * counted in {@link Interval#undefined()}. Redrawing it would keep only the resamples that happen
 * to hold both classes, i.e. condition the interval on the lucky draws, which narrows it exactly
 * when the data are thin. Instead the bounds treat each undefined resample as the worst case on its
 * side (below every value for the lower bound, above every value for the upper bound); a bound that
 * then falls among the undefined resamples is not determined and reported as NaN. With fewer than
 * (1 − level)/2 of the resamples undefined the bounds are the plain percentiles of all resamples,
 * NaN ones at the extremes.
 */
public final class BootstrapCi {
  /** A metric of scores and labels (e.g. {@code Auc::of}). */
  @FunctionalInterface
  public interface Metric {
    double apply(double[][] scores, int[] labels);
  }

  /**
   * A statistic of a resample given as the indices of the samples it holds (an index repeats when
   * its cluster was drawn more than once).
   */
  @FunctionalInterface
  public interface IndexStatistic {
    double apply(int[] samples);
  }

  /**
   * Point estimate on all samples, the lower/upper percentile bounds, how many resamples were drawn
   * and on how many of them the statistic was undefined (never redrawn).
   */
  public record Interval(
      double estimate,
      double lower,
      double upper,
      double level,
      int resamples,
      int undefined,
      String resampled) {
    /** {@code "0.812 [0.750, 0.871]"}; an undetermined bound reads {@code n/a}. */
    public String format() {
      return String.format(
          Locale.ROOT, "%s [%s, %s]", number(estimate), number(lower), number(upper));
    }

    /** True when both bounds are determined and the interval lies above or below {@code value}. */
    public boolean excludes(double value) {
      return !Double.isNaN(lower) && !Double.isNaN(upper) && (lower > value || upper < value);
    }

    private static String number(double v) {
      return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }
  }

  private BootstrapCi() {}

  /** 95% CI of a binary metric such as {@link Auc#of(double[], int[])}. */
  public static Interval binary(
      double[] scores,
      int[] labels,
      ToDoubleBiFunction<double[], int[]> metric,
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
      ToDoubleBiFunction<double[], int[]> metric,
      int resamples,
      long seed) {
    checkLength(scores.length, labels.length, "scores and labels");
    return statistic(
        labels.length,
        clusters,
        unit,
        idx -> metric.applyAsDouble(pick(scores, idx), pick(labels, idx)),
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
    checkLength(scores.length, labels.length, "scores and labels");
    return statistic(
        labels.length,
        clusters,
        unit,
        idx -> {
          double[][] s = new double[idx.length][];
          for (int i = 0; i < idx.length; i++) {
            s[i] = scores[idx[i]];
          }
          return metric.apply(s, pick(labels, idx));
        },
        resamples,
        level,
        seed);
  }

  /**
   * Paired cluster bootstrap of a difference between two methods scored on the same samples: every
   * resample draws one set of clusters and evaluates both methods on it, so what the two share (the
   * same hard and easy patients) cancels. The statistic is mean_r metric(a[r]) − mean_r
   * metric(b[r]) over the replicates r (e.g. training seeds) of each method.
   *
   * @param a the scores of method A, one row per replicate, each row over all samples
   * @param b the same for method B (the baseline the difference is taken against)
   */
  public static Interval pairedDifference(
      double[][] a,
      double[][] b,
      int[] labels,
      String[] clusters,
      String unit,
      ToDoubleBiFunction<double[], int[]> metric,
      int resamples,
      double level,
      long seed) {
    if (a.length == 0 || b.length == 0) {
      throw new IllegalArgumentException("each method needs at least one replicate of scores");
    }
    for (double[][] m : List.of(a, b)) {
      for (double[] row : m) {
        checkLength(row.length, labels.length, "scores and labels");
      }
    }
    return statistic(
        labels.length,
        clusters,
        unit,
        idx -> {
          int[] l = pick(labels, idx);
          return mean(a, idx, l, metric) - mean(b, idx, l, metric);
        },
        resamples,
        level,
        seed);
  }

  private static double mean(
      double[][] reps, int[] idx, int[] labels, ToDoubleBiFunction<double[], int[]> metric) {
    double sum = 0;
    for (double[] r : reps) {
      sum += metric.applyAsDouble(pick(r, idx), labels);
    }
    return sum / reps.length;
  }

  /**
   * The general cluster bootstrap: {@code statistic} is evaluated on all samples (the estimate) and
   * on {@code resamples} resamples of whole clusters; undefined resamples are counted, not redrawn.
   *
   * @param n the number of samples
   * @param clusters the cluster of each sample, or null when every sample is its own cluster
   */
  public static Interval statistic(
      int n,
      String[] clusters,
      String unit,
      IndexStatistic statistic,
      int resamples,
      double level,
      long seed) {
    Drawn d = draw(n, clusters, unit, statistic, resamples, level, seed);
    if (d.values() == null) {
      return new Interval(d.estimate(), Double.NaN, Double.NaN, level, 0, 0, d.unit());
    }
    return fromResamples(d.estimate(), d.values(), level, d.unit());
  }

  /**
   * As {@link #statistic}, for a statistic whose plug-in estimate is biased (the ECE: sampling
   * noise only adds to each bin's |observed − predicted|, so a well-calibrated model's resamples
   * all lie above its estimate and the percentile interval excludes it). The estimate is
   * bias-corrected by the bootstrap, 2·θ̂ − median(θ*) (Efron and Tibshirani 1993, §10.6, with the
   * median for the mean so the interval always holds it), and the interval is the basic bootstrap
   * interval [2·θ̂ − q(1−α/2), 2·θ̂ − q(α/2)] (Davison and Hinkley 1997, §5.2), both clipped below
   * at {@code floor} (the statistic's least possible value). The plug-in estimate itself is {@code
   * statistic.apply(all)}: callers that report it say which is which.
   */
  public static Interval statisticBiasCorrected(
      int n,
      String[] clusters,
      String unit,
      IndexStatistic statistic,
      int resamples,
      double level,
      long seed,
      double floor) {
    Drawn d = draw(n, clusters, unit, statistic, resamples, level, seed);
    double plugIn = d.estimate();
    if (d.values() == null) {
      return new Interval(plugIn, Double.NaN, Double.NaN, level, 0, 0, d.unit());
    }
    double[] values = d.values();
    String what = d.unit();
    Interval percentile = fromResamples(plugIn, values, level, what);
    double[] defined = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
    if (defined.length == 0) {
      return percentile;
    }
    double median = percentile(defined, 0.5);
    return new Interval(
        Math.max(floor, 2 * plugIn - median),
        Double.isNaN(percentile.upper())
            ? Double.NaN
            : Math.max(floor, 2 * plugIn - percentile.upper()),
        Double.isNaN(percentile.lower())
            ? Double.NaN
            : Math.max(floor, 2 * plugIn - percentile.lower()),
        level,
        values.length,
        percentile.undefined(),
        what);
  }

  /** The estimate on all samples and the resampled values (null when the estimate is undefined). */
  private record Drawn(double estimate, double[] values, String unit) {}

  private static Drawn draw(
      int n,
      String[] clusters,
      String unit,
      IndexStatistic statistic,
      int resamples,
      double level,
      long seed) {
    if (resamples < 10) {
      throw new IllegalArgumentException("use at least 10 bootstrap resamples, got " + resamples);
    }
    if (!(level > 0 && level < 1)) {
      throw new IllegalArgumentException("level must be in (0,1), got " + level);
    }
    if (clusters != null) {
      checkLength(clusters.length, n, "clusters and samples");
    }
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    double estimate = statistic.apply(all);
    String what = clusters == null ? "sample" : unit;
    if (n == 0 || Double.isNaN(estimate)) {
      return new Drawn(estimate, null, what);
    }
    return new Drawn(estimate, resample(n, clusters, statistic, resamples, seed), what);
  }

  /** The statistic on {@code resamples} resamples of whole clusters (NaN where undefined). */
  private static double[] resample(
      int n, String[] clusters, IndexStatistic statistic, int resamples, long seed) {
    int[][] members = members(n, clusters);
    int k = members.length;
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] values = new double[resamples];
    for (int r = 0; r < resamples; r++) {
      int size = 0;
      int[] drawn = new int[k];
      for (int i = 0; i < k; i++) {
        drawn[i] = rnd.nextInt(k);
        size += members[drawn[i]].length;
      }
      int[] idx = new int[size];
      int at = 0;
      for (int c : drawn) {
        for (int j : members[c]) {
          idx[at++] = j;
        }
      }
      values[r] = statistic.apply(idx);
    }
    return values;
  }

  /**
   * The interval from resampled values, NaN ones included: they count towards the resamples, are
   * reported as undefined, and sit at the extremes (see the class comment).
   */
  public static Interval fromResamples(
      double estimate, double[] values, double level, String unit) {
    double[] defined = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
    int undefined = values.length - defined.length;
    double alpha = (1 - level) / 2;
    double lower = Double.NaN;
    double upper = Double.NaN;
    if (defined.length > 0) {
      double[] low = new double[values.length];
      Arrays.fill(low, 0, undefined, Double.NEGATIVE_INFINITY);
      System.arraycopy(defined, 0, low, undefined, defined.length);
      lower = finiteOrNaN(percentile(low, alpha));
      double[] high = new double[values.length];
      System.arraycopy(defined, 0, high, 0, defined.length);
      Arrays.fill(high, defined.length, values.length, Double.POSITIVE_INFINITY);
      upper = finiteOrNaN(percentile(high, 1 - alpha));
    }
    return new Interval(estimate, lower, upper, level, values.length, undefined, unit);
  }

  private static double finiteOrNaN(double v) {
    return Double.isFinite(v) ? v : Double.NaN;
  }

  /** members[c] = the samples of cluster c, clusters in order of first appearance. */
  private static int[][] members(int n, String[] clusters) {
    if (clusters == null) {
      int[][] m = new int[n][];
      for (int i = 0; i < n; i++) {
        m[i] = new int[] {i};
      }
      return m;
    }
    Map<String, List<Integer>> by = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      by.computeIfAbsent(clusters[i], c -> new ArrayList<>()).add(i);
    }
    return by.values().stream()
        .map(v -> v.stream().mapToInt(Integer::intValue).toArray())
        .toArray(int[][]::new);
  }

  /** The values at {@code idx}. */
  public static double[] pick(double[] v, int[] idx) {
    double[] out = new double[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = v[idx[i]];
    }
    return out;
  }

  /** The values at {@code idx}. */
  public static int[] pick(int[] v, int[] idx) {
    int[] out = new int[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = v[idx[i]];
    }
    return out;
  }

  /** The values at {@code idx}. */
  public static <T> List<T> pick(List<T> v, int[] idx) {
    List<T> out = new ArrayList<>(idx.length);
    for (int i : idx) {
      out.add(v.get(i));
    }
    return out;
  }

  private static void checkLength(int a, int b, String what) {
    if (a != b) {
      throw new IllegalArgumentException(what + " differ in length: " + a + " vs " + b);
    }
  }

  /**
   * Linear interpolation between order statistics; an infinite neighbour makes the result infinite.
   */
  static double percentile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    if (pos == lo) {
      return sorted[lo];
    }
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}
