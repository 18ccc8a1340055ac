package org.mammotriage.evaluation.survival;

import java.util.List;
import org.mammotriage.evaluation.metrics.BootstrapCi;

/**
 * Harrell's concordance index with right censoring: a pair is comparable when the earlier time is
 * an observed cancer and the other exam was still cancer-free after it (later cancer or longer
 * follow-up). Concordant when the earlier cancer has the higher risk; ties in risk count one half.
 */
public final class ConcordanceIndex {
  private ConcordanceIndex() {}

  /** The C-index and the number of comparable pairs. */
  public record Result(double cIndex, long comparablePairs) {}

  public static Result compute(double[] risk, List<SurvivalOutcome> outcomes) {
    if (risk.length != outcomes.size()) {
      throw new IllegalArgumentException(
          risk.length + " risks for " + outcomes.size() + " outcomes");
    }
    double concordant = 0;
    long comparable = 0;
    for (int i = 0; i < risk.length; i++) {
      SurvivalOutcome a = outcomes.get(i);
      if (!a.event()) {
        continue;
      }
      for (int j = 0; j < risk.length; j++) {
        SurvivalOutcome b = outcomes.get(j);
        // b censored at exactly a's event time still counts as at risk then (the usual convention)
        boolean laterThanA = b.time() > a.time() || (b.time() == a.time() && !b.event());
        if (j == i || !laterThanA) {
          continue;
        }
        comparable++;
        if (risk[i] > risk[j]) {
          concordant += 1;
        } else if (risk[i] == risk[j]) {
          concordant += 0.5;
        }
      }
    }
    return new Result(comparable == 0 ? Double.NaN : concordant / comparable, comparable);
  }

  /**
   * Percentile-bootstrap CI of the C-index resampling whole clusters (patients). A resample without
   * a comparable pair is undefined and counted, never redrawn.
   *
   * @param clusters the patient of each exam, or null for independent exams
   */
  public static BootstrapCi.Interval interval(
      double[] risk, List<SurvivalOutcome> outcomes, String[] clusters, int resamples, long seed) {
    if (risk.length != outcomes.size()) {
      throw new IllegalArgumentException(
          risk.length + " risks for " + outcomes.size() + " outcomes");
    }
    return BootstrapCi.statistic(
        risk.length,
        clusters,
        "patient",
        idx -> compute(BootstrapCi.pick(risk, idx), BootstrapCi.pick(outcomes, idx)).cIndex(),
        resamples,
        0.95,
        seed);
  }
}
