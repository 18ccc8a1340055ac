package org.mammotriage.training.survival;

import java.util.ArrayList;
import java.util.List;

/**
 * AUC of the k-year cumulative risk with censoring handled as in Mirai: positives are cancers
 * diagnosed within k years; negatives must be known cancer-free through year k (follow-up ≥ k, or a
 * cancer only after k); exams censored before k without a cancer are left out.
 */
public final class KYearAuc {
  private KYearAuc() {}

  /** AUC with the counts it was computed on. */
  public record Result(double years, double auc, int positives, int negatives, int excluded) {}

  public static Result compute(double[] riskAtK, List<SurvivalOutcome> outcomes, double k) {
    List<Double> pos = new ArrayList<>();
    List<Double> neg = new ArrayList<>();
    for (int i = 0; i < riskAtK.length; i++) {
      SurvivalOutcome o = outcomes.get(i);
      if (o.positiveAt(k)) {
        pos.add(riskAtK[i]);
      } else if (o.negativeAt(k)) {
        neg.add(riskAtK[i]);
      }
    }
    double auc = Ranking.auc(toArray(pos), toArray(neg));
    return new Result(k, auc, pos.size(), neg.size(), riskAtK.length - pos.size() - neg.size());
  }

  private static double[] toArray(List<Double> l) {
    return l.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
