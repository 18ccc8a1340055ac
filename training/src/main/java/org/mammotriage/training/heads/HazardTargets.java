package org.mammotriage.training.heads;

import org.mammotriage.evaluation.survival.SurvivalOutcome;

/**
 * Per-year labels and censoring mask for the risk head (Mirai): for horizon k = 1..years, label 1
 * from the year of diagnosis on, label 0 while the woman is known cancer-free (followed up at least
 * k years, or diagnosed only later), mask 0 where neither is known.
 */
public record HazardTargets(float[] labels, float[] mask) {

  public static HazardTargets of(SurvivalOutcome outcome, int years) {
    float[] y = new float[years];
    float[] m = new float[years];
    for (int k = 1; k <= years; k++) {
      if (outcome.positiveAt(k)) {
        y[k - 1] = 1;
        m[k - 1] = 1;
      } else if (outcome.negativeAt(k)) {
        m[k - 1] = 1;
      }
    }
    return new HazardTargets(y, m);
  }
}
