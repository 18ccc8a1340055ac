package org.mammotriage.training.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mammotriage.contract.Calibration;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.evaluation.exam.ExamPrediction;
import org.mammotriage.evaluation.survival.SurvivalOutcome;
import org.mammotriage.evaluation.thresholds.ThresholdSelector;

/**
 * {@link ModelCalibration} on synthetic raw predictions of an overconfident model, and the
 * calibration committed in the demo model's {@code model.json}.
 */
class ModelCalibrationTest {

  /** Raw breast probabilities σ(x) for a true rate σ(x − 3): far too high, well ranked. */
  static List<ExamPrediction> overconfident(int exams, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<ExamPrediction> out = new ArrayList<>();
    for (int i = 0; i < exams; i++) {
      String split = i % 2 == 0 ? "val" : "test";
      double[] mal = new double[2];
      boolean[] cancer = new boolean[2];
      for (int b = 0; b < 2; b++) {
        double x = rnd.nextDouble(-1, 5);
        mal[b] = 1 / (1 + Math.exp(-x));
        cancer[b] = rnd.nextDouble() < 1 / (1 + Math.exp(-(x - 3)));
      }
      double[] risk = {0.1, 0.2, 0.3, 0.4, rnd.nextDouble(0.5, 1)};
      out.add(
          new ExamPrediction(
              "s" + i,
              "p" + (i / 4),
              split,
              mal,
              risk,
              cancer,
              new SurvivalOutcome(Double.NaN, 5)));
    }
    return out;
  }

  @Test
  void shouldCalibrateOnValidationAndMapTheThresholdsThroughTheCalibrator() {
    // given
    List<ExamPrediction> raw = overconfident(800, 9);
    // when
    ModelCalibration.Result r =
        ModelCalibration.fit(raw, "manifest.csv", ThresholdSelector.defaults(), 5, s -> {});
    // then: the ECE falls on test, its CI is there, and the thresholds are in calibrated space
    Calibration cal = r.calibration();
    assertThat(cal.method()).isEqualTo(Calibration.PLATT);
    assertThat(cal.fittedOn()).startsWith("validation split of manifest.csv (400 exams)");
    assertThat(r.before().examMalignancyCalibration().ece().estimate()).isGreaterThan(0.2);
    // per breast, what was fitted; the exam score (the larger breast) stays a little below the
    // exam's chance of a cancer in either breast
    assertThat(r.after().breastMalignancyCalibration().ece().estimate()).isLessThan(0.05);
    assertThat(r.after().examMalignancyCalibration().ece().estimate()).isLessThan(0.1);
    assertThat(r.after().breastMalignancyCalibration().brier().estimate())
        .isLessThan(r.before().breastMalignancyCalibration().brier().estimate());
    JsonNode e = cal.evaluation();
    assertThat(e.path("exam").path("ece_after").path("ci95")).hasSize(2);
    assertThat(r.thresholds().suspicious())
        .isCloseTo(cal.apply(r.before().thresholds().suspicious()), within(1e-12));
    assertThat(r.thresholds().low())
        .isCloseTo(cal.apply(r.before().thresholds().low()), within(1e-12));
    assertThat(r.thresholds().risk5y())
        .as("risk is not calibrated")
        .isEqualTo(r.before().thresholds().risk5y());
    // a strictly increasing map keeps every operating point on test
    assertThat(r.after().atSuspicious().truePositives())
        .isEqualTo(r.before().atSuspicious().truePositives());
    assertThat(r.after().atSuspicious().falsePositives())
        .isEqualTo(r.before().atSuspicious().falsePositives());
    assertThat(ModelCalibration.metrics(r).get("malignancy_ece"))
        .isEqualTo(r.after().examMalignancyCalibration().ece().estimate());
  }

  @Test
  void shouldWriteTheCalibrationIntoAModelDirectoryThatTheScorerStillLoads(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    // given: a contract-2 test model and a calibration fitted for it
    Path model =
        org.mammotriage.testing.TestModels.writeV2(
            dir.resolve("m"), org.mammotriage.testing.TestModels.Kind.KNOWN, 30, 18);
    java.util.Map<String, String> sha =
        ModelManifest.read(model.resolve(ModelManifest.FILE)).fileSha256();
    ModelCalibration.Result r =
        ModelCalibration.fit(
            overconfident(400, 4), "manifest.csv", ThresholdSelector.defaults(), 5, s -> {});
    // when
    ModelCalibration.writeInto(model, r);
    // then
    ModelManifest m = ModelManifest.read(model.resolve(ModelManifest.FILE));
    assertThat(m.calibration()).isEqualTo(r.calibration());
    assertThat(m.thresholds()).isEqualTo(r.thresholds());
    assertThat(m.fileSha256()).isEqualTo(sha);
    assertThat(m.metrics().path("malignancy_ece_uncalibrated").asDouble())
        .isGreaterThan(m.metrics().path("malignancy_ece").asDouble());
    assertThat(java.nio.file.Files.readString(model.resolve(CalibrationReport.HTML_FILE)))
        .contains("<svg", "Reliability", "calibrated");
    try (var loaded = org.mammotriage.scoring.ModelDirectory.load(model, "cpu", false, 1)) {
      assertThat(loaded.manifest().calibration()).isNotNull();
    }
  }

  @Test
  void shouldFitOnOneValidationHalfAndChooseThresholdsOnTheOther() {
    List<ExamPrediction> raw = overconfident(800, 9);
    ModelCalibration.Result whole =
        ModelCalibration.fit(raw, "manifest.csv", ThresholdSelector.defaults(), 5, s -> {});
    ModelCalibration.Result halves =
        ModelCalibration.fit(raw, "manifest.csv", ThresholdSelector.defaults(), 5, true, s -> {});
    assertThat(halves.calibration().fittedOn()).startsWith("the model-selection half");
    assertThat(halves.fitBreasts()).isBetween(200, whole.fitBreasts() - 200);
    assertThat(halves.after().validationSet()).startsWith("the threshold half");
    assertThat(halves.after().validationExams() + halves.fitBreasts() / 2)
        .isEqualTo(whole.after().validationExams());
    assertThat(halves.thresholds().suspicious())
        .isCloseTo(
            halves.calibration().apply(halves.before().thresholds().suspicious()), within(1e-12));
  }

  @Test
  void shouldLeaveABreastWithoutAViewAtZero() {
    ExamPrediction e =
        new ExamPrediction(
            "s",
            "p",
            "val",
            new double[] {0, 0.7},
            new double[] {0.1, 0.2, 0.3, 0.4, 0.5},
            new boolean[] {false, false},
            new SurvivalOutcome(Double.NaN, 5));
    Calibration cal = Calibration.platt(1, -1, "val", "rule");
    ExamPrediction c = ModelCalibration.calibrate(e, cal);
    assertThat(c.malignancy()[0]).isZero();
    assertThat(c.malignancy()[1]).isCloseTo(cal.apply(0.7), within(1e-12));
  }

  /**
   * The committed demo model: calibrated ECE on its own synthetic test split ≤ 0.05 (measured by
   * {@code ./run train calibrate}, which takes ~6 min with the archive, so not re-measured here)
   * and its thresholds the raw ones mapped through the calibrator.
   */
  @Test
  void shouldCarryTheDemoModelsCalibrationWithThresholdsInCalibratedSpace() throws Exception {
    Path file = Path.of("../models/demo-synthetic/model.json");
    ModelManifest m = ModelManifest.read(file);
    Calibration cal = m.calibration();
    assertThat(cal).as("models/demo-synthetic has a calibration").isNotNull();
    JsonNode exam = cal.evaluation().path("exam");
    double after = exam.path("ece_after").path("estimate").asDouble(Double.NaN);
    assertThat(after).isLessThanOrEqualTo(0.05);
    assertThat(exam.path("ece_before").path("estimate").asDouble()).isGreaterThan(after);
    assertThat(m.metrics().path("malignancy_ece").asDouble()).isEqualTo(after);
    JsonNode raw = cal.evaluation().path("thresholds_uncalibrated");
    assertThat(m.thresholds().suspicious())
        .isCloseTo(cal.apply(raw.path("suspicious").asDouble()), within(1e-9));
    assertThat(m.thresholds().low()).isCloseTo(cal.apply(raw.path("low").asDouble()), within(1e-9));
    assertThat(
            new ObjectMapper().readTree(file.toFile()).path("calibration").path("method").asText())
        .isIn(Calibration.METHODS);
  }
}
