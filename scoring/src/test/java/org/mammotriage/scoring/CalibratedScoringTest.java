package org.mammotriage.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.Calibration;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.ModelThresholds;
import org.mammotriage.contract.Slot;
import org.mammotriage.testing.TestModels;
import org.mammotriage.testing.TestModels.Kind;

/**
 * A manifest's {@code calibration} is applied to every per-breast malignancy the scorer returns, in
 * both contracts and when scoring stored encodings; the risk is untouched.
 */
class CalibratedScoringTest {
  static final int H = 30;
  static final int W = 18;
  @TempDir Path dir;

  private static final Calibration PLATT = Calibration.platt(0.5, -2.0, "test split", "fixed");

  /** Adds {@code cal} to the manifest of {@code model} (the ONNX files are unchanged). */
  static Path calibrate(Path model, Calibration cal) throws Exception {
    ModelManifest mm = ModelManifest.read(model.resolve(ModelManifest.FILE));
    ModelManifest.Builder b =
        mm.toBuilder()
            .setContractVersion(mm.contractVersion())
            .setEncoder(mm.embeddingDim(), mm.perViewOutputs())
            .setThresholds(new ModelThresholds(0.2, 0.1, 0.3, "calibrated test values"))
            .optCalibration(cal);
    mm.fileSha256().forEach(b::setFile);
    b.build().write(model);
    return model;
  }

  @Test
  void shouldCalibrateEachBreastInContractOne() throws Exception {
    // given: the KNOWN model with a Platt calibration in its manifest
    Path model = calibrate(TestModels.write(dir.resolve("v1"), Kind.KNOWN, H, W), PLATT);
    try (OnnxExamScorer s = new OnnxExamScorer(model, "cpu", false, 1, 4, 1)) {
      // when
      ScoreResult r = s.score(OnnxExamScorerTest.exam("e1", 200, 50, Slot.values()));
      // then: each breast is the calibrated raw value, the exam score the larger calibrated one
      assertCalibrated(r, 200, 50);
      assertThat(r.risk())
          .containsExactly(
              TestModels.expectedRisk(TestModels.normalised(200), TestModels.normalised(50)),
              within(1e-5));
    }
  }

  @Test
  void shouldCalibrateEachBreastInContractTwoWholeExamAndFromStoredEncodings() throws Exception {
    Path model = calibrate(TestModels.writeV2(dir.resolve("v2"), Kind.KNOWN, H, W), PLATT);
    try (OnnxExamScorer s = new OnnxExamScorer(model, "cpu", false, 1, 4, 1)) {
      ExamInput exam = OnnxExamScorerTest.exam("e2", 180, 90, Slot.values());
      assertCalibrated(s.score(exam), 180, 90);
      List<EncodedView> views = new ArrayList<>();
      for (ExamImage img : exam.images()) {
        views.add(new EncodedView(img.slot(), img.sopInstanceUid(), s.encode(img).encoding()));
      }
      assertCalibrated(s.scoreEncoded("e2", views), 180, 90);
    }
  }

  @Test
  void shouldLeaveAModelWithoutCalibrationRaw() {
    Path model = TestModels.write(dir.resolve("raw"), Kind.KNOWN, H, W);
    try (OnnxExamScorer s = new OnnxExamScorer(model, "cpu", false, 1, 4, 1)) {
      ScoreResult r = s.score(OnnxExamScorerTest.exam("e3", 200, 50, Slot.values()));
      assertThat(r.malignancyLeft())
          .isCloseTo(TestModels.expectedMalignancy(TestModels.normalised(200)), within(1e-5));
    }
  }

  private static void assertCalibrated(ScoreResult r, int leftGray, int rightGray) {
    double rawL = TestModels.expectedMalignancy(TestModels.normalised(leftGray));
    double rawR = TestModels.expectedMalignancy(TestModels.normalised(rightGray));
    assertThat(r.scorable()).isTrue();
    assertThat(PLATT.apply(rawL)).as("the calibration changes the value").isLessThan(rawL - 0.05);
    assertThat(r.malignancyLeft()).isCloseTo(PLATT.apply(rawL), within(1e-5));
    assertThat(r.malignancyRight()).isCloseTo(PLATT.apply(rawR), within(1e-5));
    assertThat(r.suspicion())
        .isCloseTo(Math.max(PLATT.apply(rawL), PLATT.apply(rawR)), within(1e-5));
  }
}
