package org.mammotriage.training.exameval;

import java.util.List;
import org.mammotriage.training.eval.BootstrapCi;
import org.mammotriage.training.survival.CalibrationCurve;
import org.mammotriage.training.survival.ConcordanceIndex;
import org.mammotriage.training.survival.KYearAuc;
import org.mammotriage.training.thresholds.OperatingPoint;
import org.mammotriage.training.thresholds.Thresholds;
import org.mammotriage.training.thresholds.WorkloadCurve;

/** Everything {@code ./run train eval} measures; written as JSON and rendered as HTML. */
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
    List<KYearAuc.Result> kYearAuc,
    CalibrationCurve.Result malignancyCalibration,
    CalibrationCurve.Result fiveYearRiskCalibration,
    List<WorkloadCurve.Point> workload) {

  public KYearAuc.Result aucAt(int years) {
    return kYearAuc.stream().filter(r -> r.years() == years).findFirst().orElseThrow();
  }
}
