package org.mammotriage.evaluation.exam;

import java.util.List;
import org.mammotriage.evaluation.calibration.CalibrationMetrics;
import org.mammotriage.evaluation.metrics.BootstrapCi;
import org.mammotriage.evaluation.survival.CalibrationCurve;
import org.mammotriage.evaluation.survival.ConcordanceIndex;
import org.mammotriage.evaluation.survival.KYearAuc;
import org.mammotriage.evaluation.thresholds.OperatingPoint;
import org.mammotriage.evaluation.thresholds.Thresholds;
import org.mammotriage.evaluation.thresholds.WorkloadCurve;

/**
 * Everything {@code ./run train eval} measures; written as JSON and rendered as HTML. The
 * malignancy calibration (ECE, Brier with patient-level CIs, reliability bins) is measured per
 * breast (the probability the model outputs) and per exam (max over breasts against any cancer).
 */
public record EvaluationResult(
    String evaluationSet,
    int exams,
    int cancerExams,
    String validationSet,
    int validationExams,
    int validationCancerExams,
    BootstrapCi.Interval examAuc,
    BootstrapCi.Interval breastAuc,
    Thresholds thresholds,
    OperatingPoint atSuspicious,
    OperatingPoint atLow,
    ConcordanceIndex.Result cIndex,
    BootstrapCi.Interval cIndexCi,
    List<KYearAuc.Result> kYearAuc,
    List<BootstrapCi.Interval> kYearAucCi,
    CalibrationCurve.Result malignancyCalibration,
    CalibrationCurve.Result fiveYearRiskCalibration,
    List<WorkloadCurve.Point> workload,
    CalibrationMetrics.Measured breastMalignancyCalibration,
    CalibrationMetrics.Measured examMalignancyCalibration) {

  public KYearAuc.Result aucAt(int years) {
    return kYearAuc.stream().filter(r -> r.years() == years).findFirst().orElseThrow();
  }

  /** The patient-level bootstrap CI of {@link #aucAt(int)}. */
  public BootstrapCi.Interval aucCiAt(int years) {
    for (int i = 0; i < kYearAuc.size(); i++) {
      if (kYearAuc.get(i).years() == years) {
        return kYearAucCi.get(i);
      }
    }
    throw new java.util.NoSuchElementException("no " + years + "-year AUC");
  }
}
