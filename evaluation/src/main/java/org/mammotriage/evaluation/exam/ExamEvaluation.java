package org.mammotriage.evaluation.exam;

import java.util.ArrayList;
import java.util.List;
import org.mammotriage.evaluation.calibration.CalibrationMetrics;
import org.mammotriage.evaluation.metrics.Auc;
import org.mammotriage.evaluation.metrics.BootstrapCi;
import org.mammotriage.evaluation.survival.CalibrationCurve;
import org.mammotriage.evaluation.survival.ConcordanceIndex;
import org.mammotriage.evaluation.survival.KYearAuc;
import org.mammotriage.evaluation.survival.SurvivalOutcome;
import org.mammotriage.evaluation.thresholds.OperatingPoint;
import org.mammotriage.evaluation.thresholds.ThresholdSelector;
import org.mammotriage.evaluation.thresholds.Thresholds;
import org.mammotriage.evaluation.thresholds.WorkloadCurve;

/**
 * Evaluates exam predictions: thresholds are chosen on the validation exams, every metric is
 * measured on the evaluation exams (the held-out test split), so the reported operating points are
 * not tuned on the data they are reported on.
 */
public final class ExamEvaluation {
  private static final int RESAMPLES = 1000;
  private static final long SEED = 20261122L;

  private ExamEvaluation() {}

  public static EvaluationResult evaluate(
      List<ExamPrediction> validation,
      String validationName,
      List<ExamPrediction> test,
      String testName,
      ThresholdSelector selector) {
    if (test.isEmpty()) {
      throw new IllegalArgumentException(
          "no exams to evaluate in " + testName + "; check the manifest's split column");
    }
    Thresholds thresholds =
        selector.select(
            examScores(validation), examCancer(validation), riskAt(validation, 5), validationName);
    double[] scores = examScores(test);
    boolean[] cancer = examCancer(test);
    int[] labels = toInts(cancer);
    // a woman's exams (and an exam's two breasts) are not independent: the intervals resample
    // patients
    String[] patients = test.stream().map(ExamPrediction::patientId).toArray(String[]::new);
    BootstrapCi.Interval examAuc =
        BootstrapCi.binary(scores, labels, patients, "patient", Auc::of, RESAMPLES, SEED);
    double[] breastScores = new double[test.size() * 2];
    int[] breastLabels = new int[test.size() * 2];
    String[] breastPatients = new String[test.size() * 2];
    for (int i = 0; i < test.size(); i++) {
      for (int b = 0; b < 2; b++) {
        breastScores[2 * i + b] = test.get(i).malignancy()[b];
        breastLabels[2 * i + b] = test.get(i).breastCancer()[b] ? 1 : 0;
        breastPatients[2 * i + b] = patients[i];
      }
    }
    BootstrapCi.Interval breastAuc =
        BootstrapCi.binary(
            breastScores, breastLabels, breastPatients, "patient", Auc::of, RESAMPLES, SEED);
    List<SurvivalOutcome> outcomes = test.stream().map(ExamPrediction::outcome).toList();
    ConcordanceIndex.Result cIndex = ConcordanceIndex.compute(riskAt(test, 5), outcomes);
    BootstrapCi.Interval cIndexCi =
        ConcordanceIndex.interval(riskAt(test, 5), outcomes, patients, RESAMPLES, SEED);
    List<KYearAuc.Result> kYear = new ArrayList<>();
    List<BootstrapCi.Interval> kYearCi = new ArrayList<>();
    for (int k : new int[] {1, 2, 3, 4, 5}) {
      kYear.add(KYearAuc.compute(riskAt(test, k), outcomes, k));
      kYearCi.add(KYearAuc.interval(riskAt(test, k), outcomes, k, patients, RESAMPLES, SEED));
    }
    List<Double> fiveYearPredicted = new ArrayList<>();
    List<Boolean> fiveYearTruth = new ArrayList<>();
    for (ExamPrediction p : test) {
      if (p.outcome().positiveAt(5) || p.outcome().negativeAt(5)) {
        fiveYearPredicted.add(p.riskAt(5));
        fiveYearTruth.add(p.outcome().positiveAt(5));
      }
    }
    boolean[] truth5 = new boolean[fiveYearTruth.size()];
    for (int i = 0; i < truth5.length; i++) {
      truth5[i] = fiveYearTruth.get(i);
    }
    return new EvaluationResult(
        testName,
        test.size(),
        count(cancer),
        validationName,
        validation.size(),
        count(examCancer(validation)),
        examAuc,
        breastAuc,
        thresholds,
        OperatingPoint.at(thresholds.suspicious(), scores, cancer),
        OperatingPoint.at(thresholds.low(), scores, cancer),
        cIndex,
        cIndexCi,
        kYear,
        kYearCi,
        CalibrationCurve.compute(scores, cancer, 10),
        CalibrationCurve.compute(
            fiveYearPredicted.stream().mapToDouble(Double::doubleValue).toArray(), truth5, 10),
        WorkloadCurve.compute(scores, cancer),
        CalibrationMetrics.measure(
            breastScores, toBooleans(breastLabels), breastPatients, RESAMPLES, SEED),
        CalibrationMetrics.measure(scores, cancer, patients, RESAMPLES, SEED));
  }

  static double[] examScores(List<ExamPrediction> l) {
    return l.stream().mapToDouble(ExamPrediction::examScore).toArray();
  }

  static boolean[] examCancer(List<ExamPrediction> l) {
    boolean[] b = new boolean[l.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = l.get(i).examCancer();
    }
    return b;
  }

  static double[] riskAt(List<ExamPrediction> l, int years) {
    return l.stream().mapToDouble(p -> p.riskAt(years)).toArray();
  }

  private static boolean[] toBooleans(int[] v) {
    boolean[] out = new boolean[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] == 1;
    }
    return out;
  }

  private static int[] toInts(boolean[] b) {
    int[] out = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = b[i] ? 1 : 0;
    }
    return out;
  }

  private static int count(boolean[] b) {
    int n = 0;
    for (boolean x : b) {
      n += x ? 1 : 0;
    }
    return n;
  }
}
