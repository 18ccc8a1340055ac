package org.mammotriage.training.calibration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.mammotriage.contract.Calibration;
import org.mammotriage.contract.ModelThresholds;
import org.mammotriage.evaluation.calibration.CalibrationMetrics;
import org.mammotriage.evaluation.calibration.CalibratorChoice;
import org.mammotriage.evaluation.exam.EvaluationResult;
import org.mammotriage.evaluation.exam.ExamEvaluation;
import org.mammotriage.evaluation.exam.ExamPrediction;
import org.mammotriage.evaluation.metrics.BootstrapCi;
import org.mammotriage.evaluation.thresholds.ThresholdSelector;

/**
 * Fits the calibration of a model's per-breast malignancy on the validation split and measures it
 * on the test split.
 *
 * <ol>
 *   <li>Raw predictions (the graphs' outputs) of the validation and test exams.
 *   <li>Platt or isotonic, chosen by patient-grouped cross-validation on the validation breasts
 *       that have a view ({@link CalibratorChoice}), refitted on all of them.
 *   <li>Thresholds re-chosen on the validation split with the same rule ({@link ThresholdSelector})
 *       on the calibrated scores. The selector takes a cancer's own score as the threshold, so for
 *       a monotone calibrator this equals mapping the old threshold through it: the same validation
 *       exams are flagged for Platt (strictly increasing); for isotonic, exams in the threshold's
 *       flat block just below it now tie with it and are flagged too (never fewer).
 *   <li>ECE and Brier (breast and exam) before and after on the test split, with patient-level CIs.
 * </ol>
 */
public final class ModelCalibration {
  static final int RESAMPLES = 1000;
  static final long SEED = 20261202L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private ModelCalibration() {}

  /** Before and after, the fitted calibration (its evaluation attached) and the new thresholds. */
  public record Result(
      Calibration calibration,
      CalibratorChoice.Choice choice,
      EvaluationResult before,
      EvaluationResult after,
      ModelThresholds thresholds,
      int fitBreasts,
      int fitPositives) {}

  /**
   * @param raw raw predictions with their split ("val" fits the calibrator and the thresholds,
   *     "test" measures)
   * @param manifestName the training manifest's file name, for provenance
   */
  public static Result fit(
      List<ExamPrediction> raw,
      String manifestName,
      ThresholdSelector selector,
      int folds,
      Consumer<String> progress) {
    return fit(raw, manifestName, selector, folds, false, progress);
  }

  /**
   * @param separateHalves fit the calibration on one half of the validation patients and re-choose
   *     the thresholds on the other ({@code ValidationHalves}: the {@code val} half, which also
   *     picks models, and the {@code val-threshold} half, issue #22's split); false: both on the
   *     whole validation split
   */
  public static Result fit(
      List<ExamPrediction> raw,
      String manifestName,
      ThresholdSelector selector,
      int folds,
      boolean separateHalves,
      Consumer<String> progress) {
    List<ExamPrediction> val = raw.stream().filter(p -> p.split().equals("val")).toList();
    List<ExamPrediction> test = raw.stream().filter(p -> p.split().equals("test")).toList();
    if (val.isEmpty() || test.isEmpty()) {
      throw new IllegalArgumentException(
          manifestName
              + " needs exams in both the val split (to fit on) and the test split (to measure"
              + " on); found "
              + val.size()
              + " and "
              + test.size());
    }
    List<ExamPrediction> thresholdSet = val;
    String thresholdName = "validation split of " + manifestName + " (" + val.size() + " exams)";
    String valName = thresholdName;
    if (separateHalves) {
      thresholdSet = val.stream().filter(e -> !inFitHalf(e)).toList();
      val = val.stream().filter(ModelCalibration::inFitHalf).toList();
      valName =
          "the model-selection half of the validation split of "
              + manifestName
              + " ("
              + val.size()
              + " exams)";
      thresholdName =
          "the threshold half of the validation split of "
              + manifestName
              + " ("
              + thresholdSet.size()
              + " exams)";
    }
    String testName = "test split of " + manifestName + " (" + test.size() + " exams)";
    progress.accept("calibration: evaluating the raw scores");
    EvaluationResult before =
        ExamEvaluation.evaluate(thresholdSet, thresholdName, test, testName, selector);
    List<Double> p = new ArrayList<>();
    List<Boolean> y = new ArrayList<>();
    List<String> patients = new ArrayList<>();
    for (ExamPrediction e : val) {
      for (int b = 0; b < 2; b++) {
        if (hasView(e, b)) {
          p.add(e.malignancy()[b]);
          y.add(e.breastCancer()[b]);
          patients.add(e.patientId());
        }
      }
    }
    boolean[] yy = new boolean[y.size()];
    int pos = 0;
    for (int i = 0; i < yy.length; i++) {
      yy[i] = y.get(i);
      pos += yy[i] ? 1 : 0;
    }
    String fittedOn =
        String.format(
            Locale.ROOT,
            "%s: %d breasts with a view (%d with cancer) of %d patients; per-breast raw malignancy"
                + " against the breast's cancer label",
            valName,
            yy.length,
            pos,
            patients.stream().distinct().count());
    progress.accept("calibration: choosing Platt or isotonic on " + yy.length + " breasts");
    CalibratorChoice.Choice choice =
        CalibratorChoice.choose(
            p.stream().mapToDouble(Double::doubleValue).toArray(),
            yy,
            patients.toArray(String[]::new),
            folds,
            SEED,
            fittedOn);
    Calibration cal = choice.calibration();
    List<ExamPrediction> calibrated = raw.stream().map(e -> calibrate(e, cal)).toList();
    List<ExamPrediction> cv =
        calibrated.stream()
            .filter(e -> e.split().equals("val") && (!separateHalves || !inFitHalf(e)))
            .toList();
    List<ExamPrediction> ct = calibrated.stream().filter(e -> e.split().equals("test")).toList();
    progress.accept("calibration: evaluating the calibrated scores");
    EvaluationResult after =
        ExamEvaluation.evaluate(
            cv, thresholdName + " (calibrated scores)", ct, testName + " (calibrated)", selector);
    Calibration withEval = cal.withEvaluation(evaluation(before, after, testName));
    return new Result(
        withEval, choice, before, after, after.thresholds().toModelThresholds(), yy.length, pos);
  }

  /**
   * Writes the calibration, the thresholds in calibrated space and the calibrated metrics into the
   * model directory's {@code model.json} (ONNX files and sha256 unchanged), plus {@code
   * evaluation.*} (calibrated) and {@code calibration.*} (raw vs calibrated).
   */
  public static void writeInto(java.nio.file.Path model, Result r) throws java.io.IOException {
    org.mammotriage.contract.ModelManifest mm =
        org.mammotriage.contract.ModelManifest.read(
            model.resolve(org.mammotriage.contract.ModelManifest.FILE));
    org.mammotriage.contract.ModelManifest.Builder b =
        mm.toBuilder()
            .setContractVersion(mm.contractVersion())
            .setEncoder(mm.embeddingDim(), mm.perViewOutputs())
            .setThresholds(r.thresholds())
            .optCalibration(r.calibration())
            .optMetrics(metrics(r));
    if (mm.domain() != null && mm.domain().reference() != null) {
      b.optDomain(withCalibratedSuspicion(mm.domain(), mm.calibration(), r.calibration()));
    }
    mm.fileSha256().forEach(b::setFile);
    b.build().write(model);
    org.mammotriage.evaluation.exam.EvaluationReport.write(
        r.after(), mm.name(), mm.intendedUse(), model);
    CalibrationReport.write(r, mm.thresholds(), mm.name(), mm.intendedUse(), model);
  }

  /**
   * The domain's drift reference with its suspicion histogram moved into the new calibration's
   * space: a histogram of raw suspicion with edges e is exactly the histogram of calibrated
   * suspicion with edges cal(e) (the map is monotone), so the counts stay and the edges move. Only
   * from raw scores: when the model was calibrated before (its reference already in that space), or
   * when the new map is flat across an edge (isotonic), the edges cannot be moved exactly and the
   * reference is left as it is, with a line saying to run {@code ./run train domain} again.
   */
  public static org.mammotriage.contract.domain.ValidatedDomain withCalibratedSuspicion(
      org.mammotriage.contract.domain.ValidatedDomain d, Calibration before, Calibration cal) {
    var ref = d.reference();
    var h = ref.histograms().get(org.mammotriage.contract.domain.DriftReference.SUSPICION);
    if (h == null) {
      return d;
    }
    double[] edges = new double[h.edges().length];
    boolean strictly = true;
    for (int i = 0; i < edges.length; i++) {
      edges[i] = cal.apply(h.edges()[i]);
      strictly &= i == 0 || edges[i] > edges[i - 1];
    }
    if (before != null || !strictly) {
      System.out.println(
          "note: the drift reference's suspicion histogram could not be moved into the new"
              + " calibration's space exactly; run ./run train domain again to refresh it");
      return d;
    }
    var hs = new java.util.LinkedHashMap<>(ref.histograms());
    hs.put(
        org.mammotriage.contract.domain.DriftReference.SUSPICION,
        new org.mammotriage.contract.domain.DriftReference.Histogram(edges, h.counts()));
    var newRef =
        new org.mammotriage.contract.domain.DriftReference(
            hs,
            ref.categoryShares(),
            ref.how() + "; suspicion edges mapped through the calibration (" + cal.method() + ")");
    return new org.mammotriage.contract.domain.ValidatedDomain(
        d.manufacturers(),
        d.manufacturerModels(),
        d.presentationIntents(),
        d.pixelSpacingMm(),
        d.originalRows(),
        d.originalColumns(),
        d.imageMean(),
        d.imageStd(),
        d.ood(),
        newRef,
        d.how());
  }

  private static boolean inFitHalf(ExamPrediction e) {
    return org.mammotriage.training.benchmark.ValidationHalves.half(e.patientId())
        .equals(org.mammotriage.training.benchmark.ValidationHalves.SELECTION_SPLIT);
  }

  /** A breast without a view keeps 0 (the stream gives it no probability at all). */
  static ExamPrediction calibrate(ExamPrediction e, Calibration cal) {
    double[] m = new double[2];
    for (int b = 0; b < 2; b++) {
      m[b] = hasView(e, b) ? cal.apply(e.malignancy()[b]) : 0;
    }
    return new ExamPrediction(
        e.studyUid(), e.patientId(), e.split(), m, e.risk(), e.breastCancer(), e.outcome());
  }

  /** {@link OnnxExamRunner} writes exactly 0 for a breast without a view. */
  private static boolean hasView(ExamPrediction e, int breast) {
    return e.malignancy()[breast] != 0;
  }

  /** The test-split figures the manifest's {@code calibration.evaluation} carries. */
  static ObjectNode evaluation(EvaluationResult before, EvaluationResult after, String testName) {
    ObjectNode n = JSON.createObjectNode();
    n.put("evaluation_set", testName);
    n.put("binning", CalibrationMetrics.BINNING);
    n.put("ci", "95% percentile bootstrap, " + RESAMPLES + " resamples of whole patients");
    n.set(
        "breast",
        beforeAfter(before.breastMalignancyCalibration(), after.breastMalignancyCalibration()));
    n.set(
        "exam", beforeAfter(before.examMalignancyCalibration(), after.examMalignancyCalibration()));
    // the same rule on the raw validation scores: the calibrated thresholds are these mapped
    // through the calibrator
    ObjectNode t = n.putObject("thresholds_uncalibrated");
    t.put("suspicious", before.thresholds().suspicious());
    t.put("low", before.thresholds().low());
    return n;
  }

  private static ObjectNode beforeAfter(
      CalibrationMetrics.Measured before, CalibrationMetrics.Measured after) {
    ObjectNode n = JSON.createObjectNode();
    n.put("samples", after.samples());
    n.put("positives", after.positives());
    // the ECE is the bias-corrected one with its basic bootstrap interval; the plug-in beside it
    n.set("ece_before", interval(before.ece()).put("plug_in", before.ecePlugIn()));
    n.set("ece_after", interval(after.ece()).put("plug_in", after.ecePlugIn()));
    n.set("brier_before", interval(before.brier()));
    n.set("brier_after", interval(after.brier()));
    return n;
  }

  private static ObjectNode interval(BootstrapCi.Interval i) {
    ObjectNode n = JSON.createObjectNode();
    n.put("estimate", i.estimate());
    n.putArray("ci95").add(i.lower()).add(i.upper());
    return n;
  }

  /** The metrics {@code model.json} carries after calibration: the calibrated evaluation's. */
  public static Map<String, Object> metrics(Result r) {
    Map<String, Object> m =
        new LinkedHashMap<>(org.mammotriage.evaluation.exam.EvaluationReport.summary(r.after()));
    m.put("malignancy_ece_uncalibrated", r.before().examMalignancyCalibration().ece().estimate());
    m.put(
        "malignancy_brier_uncalibrated", r.before().examMalignancyCalibration().brier().estimate());
    m.put(
        "breast_malignancy_ece_uncalibrated",
        r.before().breastMalignancyCalibration().ece().estimate());
    return m;
  }
}
