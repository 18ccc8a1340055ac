package org.mammotriage.training.heads;

import org.mammotriage.evaluation.survival.SurvivalOutcome;

/**
 * Per-year labels and censoring mask for the risk head, as Mirai builds them ({@code get_label}:
 * {@code y_seq[t:] = 1}, {@code y_mask = [1] * (t + 1) + [0] * ...}). Years are whole years, {@code
 * t = floor(years)} ({@link SurvivalOutcome}): a cancer at 2.5 y is labelled 0 for horizons 1–2, 1
 * for horizon 3, and horizons 4–5 are masked (after the diagnosis a later horizon says nothing
 * new); a cancer at exactly 1.0 y is a horizon-2 positive and a known negative at horizon 1. A
 * woman without a cancer is a negative for every horizon she was followed up to; later horizons are
 * masked.
 */
public record HazardTargets(float[] labels, float[] mask) {

  public static HazardTargets of(SurvivalOutcome outcome, int years) {
    float[] y = new float[years];
    float[] m = new float[years];
    int diagnosed = outcome.firstPositiveYear();
    for (int k = 1; k <= years; k++) {
      if (outcome.positiveAt(k)) {
        y[k - 1] = 1;
        m[k - 1] = k == diagnosed ? 1 : 0;
      } else if (outcome.negativeAt(k)) {
        m[k - 1] = 1;
      }
    }
    return new HazardTargets(y, m);
  }
}
