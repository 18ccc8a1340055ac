package org.mammotriage.evaluation.survival;

import java.util.ArrayList;
import java.util.List;
import org.mammotriage.evaluation.metrics.Auc;
import org.mammotriage.evaluation.metrics.BootstrapCi;

/**
 * AUC of the k-year cumulative risk with censoring handled as in Mirai: positives are cancers
 * diagnosed within k whole years ({@link SurvivalOutcome#positiveAt}); negatives must be known
 * cancer-free through year k (follow-up ≥ k, or a cancer only at k or later); exams censored before
 * k without a cancer are left out.
 */
public final class KYearAuc {
  private KYearAuc() {}

  /** AUC with the counts it was computed on. */
  public record Result(double years, double auc, int positives, int negatives, int excluded) {}

  public static Result compute(double[] riskAtK, List<SurvivalOutcome> outcomes, double k) {
    List<Double> scores = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    int pos = 0;
    for (int i = 0; i < riskAtK.length; i++) {
      SurvivalOutcome o = outcomes.get(i);
      if (o.positiveAt(k) || o.negativeAt(k)) {
        scores.add(riskAtK[i]);
        labels.add(o.positiveAt(k) ? 1 : 0);
        pos += o.positiveAt(k) ? 1 : 0;
      }
    }
    double auc =
        Auc.of(
            scores.stream().mapToDouble(Double::doubleValue).toArray(),
            labels.stream().mapToInt(Integer::intValue).toArray());
    return new Result(k, auc, pos, scores.size() - pos, riskAtK.length - scores.size());
  }

  /**
   * Percentile-bootstrap CI of the k-year AUC resampling whole clusters (patients): a resample with
   * no positive or no negative at k is undefined and counted, never redrawn.
   *
   * @param clusters the patient of each exam, or null for independent exams
   */
  public static BootstrapCi.Interval interval(
      double[] riskAtK,
      List<SurvivalOutcome> outcomes,
      double k,
      String[] clusters,
      int resamples,
      long seed) {
    if (riskAtK.length != outcomes.size()) {
      throw new IllegalArgumentException(
          riskAtK.length + " risks for " + outcomes.size() + " outcomes");
    }
    return BootstrapCi.statistic(
        riskAtK.length,
        clusters,
        "patient",
        idx -> compute(BootstrapCi.pick(riskAtK, idx), BootstrapCi.pick(outcomes, idx), k).auc(),
        resamples,
        0.95,
        seed);
  }
}
