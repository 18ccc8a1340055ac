package org.mammotriage.evaluation.exam;

import org.mammotriage.evaluation.survival.SurvivalOutcome;

/**
 * A model's output for one exam with the truth it is judged against: per-breast malignancy (left,
 * right) and cumulative risk for years 1..5, whether each breast has a cancer at this exam, and the
 * exam's future (years to cancer, years of follow-up).
 */
public record ExamPrediction(
    String studyUid,
    String patientId,
    String split,
    double[] malignancy,
    double[] risk,
    boolean[] breastCancer,
    SurvivalOutcome outcome) {

  /** Exam suspicion: the more suspicious breast. */
  public double examScore() {
    return Math.max(malignancy[0], malignancy[1]);
  }

  public boolean examCancer() {
    return breastCancer[0] || breastCancer[1];
  }

  /** Cumulative risk within {@code years} (1-based). */
  public double riskAt(int years) {
    return risk[years - 1];
  }
}
