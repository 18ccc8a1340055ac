package org.mammotriage.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The median of a few benchmark runs with its distribution-free confidence interval: the order
 * statistics {@code [x(k), x(n+1-k)]} cover the population median with probability {@code 1 - 2 P(B
 * <= k-1)}, B ~ Binomial(n, 1/2), whatever the runs' distribution (the sign-test interval; Conover,
 * <i>Practical Nonparametric Statistics</i>, 3rd ed., ch. 3, the confidence interval for a
 * quantile). The narrowest such interval at or above the level asked for is taken; with fewer than
 * six runs no interval reaches 95 %, and the widest one, {@code [min, max]}, is given with the
 * coverage it has (93.75 % for five runs).
 *
 * <p>A run of {@code bench streams --alone} moves by ±10 % on a small VM, more than the differences
 * the goal is about; a median alone would call a goal met or missed on noise, so the verdict says
 * which side of the goal the whole interval lies on, or that it spans it.
 *
 * @param median the sample median (the mean of the two middle runs for an even count)
 * @param lo lower end of the interval
 * @param hi upper end of the interval
 * @param coverage the interval's coverage probability
 * @param n runs
 */
record MedianInterval(double median, double lo, double hi, double coverage, int n) {

  /** The coverage asked for. */
  static final double LEVEL = 0.95;

  /** Below this coverage (fewer than five runs) no verdict is given at all. */
  static final double MIN_VERDICT_COVERAGE = 0.9;

  static MedianInterval of(List<Double> runs) {
    return of(runs, LEVEL);
  }

  static MedianInterval of(List<Double> runs, double level) {
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("no runs to take a median of");
    }
    List<Double> x = new ArrayList<>(runs);
    Collections.sort(x);
    int n = x.size();
    double median = n % 2 == 1 ? x.get(n / 2) : (x.get(n / 2 - 1) + x.get(n / 2)) / 2;
    // the largest k whose interval still covers at the level; k = 1 ([min, max]) when none does
    int best = 1;
    for (int k = 1; k <= (n + 1) / 2; k++) {
      if (coverage(n, k) >= level) {
        best = k;
      } else {
        break;
      }
    }
    return new MedianInterval(median, x.get(best - 1), x.get(n - best), coverage(n, best), n);
  }

  /** 1 - 2 P(B <= k-1) for B ~ Binomial(n, 1/2): the coverage of [x(k), x(n+1-k)]. */
  static double coverage(int n, int k) {
    double tail = 0;
    double c = 1; // C(n, i)
    for (int i = 0; i < k; i++) {
      tail += c;
      c = c * (n - i) / (i + 1);
    }
    return Math.max(0, 1 - 2 * tail / Math.pow(2, n));
  }

  /**
   * "met" when the whole interval is at or above the goal, "NOT met" when it is below, otherwise
   * which side the median is on and that the interval spans the goal; no verdict from fewer than
   * five runs, whose widest interval covers less than {@link #MIN_VERDICT_COVERAGE}.
   */
  String verdict(double goal) {
    String side = median >= goal ? "at or above" : "below";
    if (coverage < MIN_VERDICT_COVERAGE) {
      return String.format(
          Locale.ROOT,
          "not decided: %d runs give only a %.1f %% interval (the median is %s the goal; --reps 5"
              + " or more)",
          n,
          100 * coverage,
          side);
    }
    if (lo >= goal) {
      return "met";
    }
    if (hi < goal) {
      return "NOT met";
    }
    return String.format(
        Locale.ROOT,
        "not decided by %d runs: the median is %s the goal, the interval spans it (more runs"
            + " narrow it: --reps)",
        n,
        side);
  }

  /** "0.741 [0.658, 0.822], 93.8 % interval" with the given number format for all three values. */
  String format(String number) {
    return String.format(
        Locale.ROOT,
        number + " [" + number + ", " + number + "], %.1f %% interval",
        median,
        lo,
        hi,
        100 * coverage);
  }
}
