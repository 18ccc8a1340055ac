package org.mammotriage.training.calibration;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.ModelThresholds;
import org.mammotriage.evaluation.exam.ExamPrediction;
import org.mammotriage.evaluation.thresholds.ThresholdSelector;
import org.mammotriage.training.heads.ExamManifest;
import org.mammotriage.training.heads.ExamRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run train calibrate}: fits the malignancy calibration of an exported model directory
 * from a training manifest (ONNX Runtime only, no DJL) and writes it into {@code model.json} with
 * thresholds in the calibrated space; the ONNX files and their sha256 are unchanged.
 */
@Command(
    name = "calibrate",
    mixinStandardHelpOptions = true,
    description =
        "Fit the per-breast malignancy calibration of MODEL (Platt or isotonic, chosen by"
            + " cross-validation) on the val split of MANIFEST, re-choose the thresholds on the"
            + " calibrated val scores, measure ECE/Brier before and after on the test split, and"
            + " write model.json (calibration section, thresholds, metrics), evaluation.* and"
            + " calibration.* into MODEL.")
public final class CalibrateCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "Model directory (contract 1 or 2).")
  Path model;

  @Option(
      names = "--manifest",
      required = true,
      description = "Training manifest with val and test splits (the model's own).")
  Path manifest;

  @Option(
      names = "--folds",
      defaultValue = "5",
      description = "Cross-validation folds (by patient) for Platt vs isotonic.")
  int folds;

  @Option(
      names = "--separate-threshold-half",
      description =
          "Fit the calibration on one half of the validation patients (the model-selection half)"
              + " and re-choose the thresholds on the other (the threshold half; issue #22's"
              + " ValidationHalves). Default: both on the whole validation split.")
  boolean separateHalves;

  @Option(
      names = "--suspicious-sensitivity",
      defaultValue = "0.90",
      description = "Target sensitivity for the suspicious threshold.")
  double suspiciousSensitivity;

  @Option(
      names = "--low-cancer-share",
      defaultValue = "0.99",
      description = "Share of validation cancers that must score at or above the low threshold.")
  double lowShare;

  @Option(
      names = "--risk-top-share",
      defaultValue = "0.10",
      description = "Share of exams flagged as elevated 5-year risk.")
  double riskTop;

  @Override
  public Integer call() throws Exception {
    List<ExamRecord> exams =
        ExamManifest.read(manifest).stream()
            .filter(e -> e.split().equals("val") || e.split().equals("test"))
            .toList();
    List<ExamPrediction> raw = new ArrayList<>();
    ModelManifest mm;
    try (OnnxExamRunner runner = new OnnxExamRunner(model)) {
      mm = runner.manifest();
      long t0 = System.nanoTime();
      for (ExamRecord e : exams) {
        raw.add(runner.predict(e));
        if (raw.size() % 50 == 0 || raw.size() == exams.size()) {
          System.out.printf(
              Locale.ROOT,
              "calibration: %d/%d exams scored (%.0f s)%n",
              raw.size(),
              exams.size(),
              (System.nanoTime() - t0) / 1e9);
        }
      }
    }
    ModelCalibration.Result r =
        ModelCalibration.fit(
            raw,
            manifest.getFileName().toString(),
            new ThresholdSelector(suspiciousSensitivity, lowShare, riskTop),
            folds,
            separateHalves,
            System.out::println);
    ModelThresholds old = mm.thresholds();
    if (mm.calibration() == null) {
      System.out.printf(
          Locale.ROOT,
          "thresholds: re-chosen on calibrated val scores suspicious %.6f, low %.6f; old ones"
              + " mapped through the calibrator %.6f, %.6f (raw %.6f, %.6f)%n",
          r.thresholds().suspicious(),
          r.thresholds().low(),
          r.calibration().apply(old.suspicious()),
          r.calibration().apply(old.low()),
          old.suspicious(),
          old.low());
    }
    ModelCalibration.writeInto(model, r);
    var e = r.after().examMalignancyCalibration();
    var eb = r.before().examMalignancyCalibration();
    var br = r.after().breastMalignancyCalibration();
    var bb = r.before().breastMalignancyCalibration();
    System.out.printf(
        Locale.ROOT,
        "%s fitted on %d val breasts (%d with cancer). Test split: exam ECE %s -> %s, Brier %s ->"
            + " %s; breast ECE %s -> %s, Brier %s -> %s%n",
        r.calibration(),
        r.fitBreasts(),
        r.fitPositives(),
        eb.ece().format(),
        e.ece().format(),
        eb.brier().format(),
        e.brier().format(),
        bb.ece().format(),
        br.ece().format(),
        bb.brier().format(),
        br.brier().format());
    System.out.println(
        "wrote " + model.resolve(ModelManifest.FILE) + ", evaluation.* and calibration.*");
    return 0;
  }
}
