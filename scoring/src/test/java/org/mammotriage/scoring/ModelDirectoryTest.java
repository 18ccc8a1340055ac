package org.mammotriage.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.Calibration;
import org.mammotriage.contract.ModelLoadException;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.testing.TestModels;
import org.mammotriage.testing.TestModels.Kind;

class ModelDirectoryTest {
  @TempDir Path dir;

  private Path model(Kind kind) {
    return TestModels.write(dir.resolve(kind.name()), kind, 30, 18);
  }

  @Test
  void shouldLoadAValidDirectoryAndReportItsIdentity() {
    try (LoadedModel m = ModelDirectory.load(model(Kind.KNOWN), "cpu", false, 1)) {
      assertThat(m.info().name()).isEqualTo("test-known");
      assertThat(m.info().thresholds().suspicious()).isEqualTo(0.6);
      assertThat(m.info().intendedUse()).contains("not for clinical use");
      assertThat(m.info().id()).startsWith("test-known:1:");
    }
  }

  @Test
  void shouldNameAShaMismatch() throws Exception {
    Path m = model(Kind.KNOWN);
    Files.write(
        m.resolve("image_encoder.onnx"), new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> ModelDirectory.load(m, "cpu", false, 1))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("sha256 of")
        .hasMessageContaining("image_encoder.onnx")
        .hasMessageContaining("re-export");
  }

  @Test
  void shouldNameACorruptedOnnxFileWhoseShaWasUpdated() throws Exception {
    Path m = model(Kind.KNOWN);
    Files.write(m.resolve("exam_scorer.onnx"), "not a protobuf".getBytes());
    String json = Files.readString(m.resolve("model.json"));
    String oldSha =
        TestModels.sha256(
            dir.resolve("x").resolveSibling(Kind.KNOWN.name()).resolve("image_encoder.onnx"));
    json =
        json.replaceAll(
            "(\"exam_scorer.onnx\" : \")[0-9a-f]{64}",
            "$1" + TestModels.sha256(m.resolve("exam_scorer.onnx")));
    Files.writeString(m.resolve("model.json"), json);
    assertThat(oldSha).hasSize(64);
    assertThatThrownBy(() -> ModelDirectory.load(m, "cpu", false, 1))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("exam_scorer.onnx is not a loadable ONNX model");
  }

  @Test
  void shouldNameAWrongInputShape() {
    assertThatThrownBy(() -> ModelDirectory.load(model(Kind.WRONG_SHAPE), "cpu", false, 1))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("input views has shape")
        .hasMessageContaining("[N, 4, 1, 30, 18]");
  }

  @Test
  void shouldNameAnUnknownOutput() {
    assertThatThrownBy(() -> ModelDirectory.load(model(Kind.UNKNOWN_OUTPUT), "cpu", false, 1))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("unknown name(s) [malignancy_prob]")
        .hasMessageContaining("missing [malignancy]");
  }

  @Test
  void shouldListEveryManifestProblemAtOnce() throws Exception {
    Path m = model(Kind.KNOWN);
    String json =
        Files.readString(m.resolve("model.json"))
            .replace("\"intended_use\"", "\"intended\"")
            .replace("\"low\" : 0.2", "\"low\" : 0.9");
    Files.writeString(m.resolve("model.json"), json);
    assertThatThrownBy(() -> ModelDirectory.load(m, "cpu", false, 1))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("intended_use is missing")
        .hasMessageContaining("must not exceed thresholds.suspicious");
  }

  @Test
  void shouldNameAMissingFileOrDirectory() throws Exception {
    assertThatThrownBy(() -> ModelDirectory.load(dir.resolve("nope"), "cpu", false, 1))
        .hasMessageContaining("does not exist")
        .hasMessageContaining("scoring.model.dir");
    Path m = model(Kind.KNOWN);
    Files.delete(m.resolve("model.json"));
    assertThatThrownBy(() -> ModelDirectory.load(m, "cpu", false, 1))
        .hasMessageContaining("has no model.json");
  }

  @Test
  void shouldRefuseToStartWhenCudaIsRequiredButAbsent() {
    assertThatThrownBy(() -> ModelDirectory.load(model(Kind.KNOWN), "cuda", true, 1))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("scoring.device.required=true")
        .hasMessageContaining("-Pgpu");
  }

  private Path modelV2(Kind kind) {
    return TestModels.writeV2(dir.resolve("v2-" + kind.name()), kind, 30, 18);
  }

  @Test
  void shouldLoadAContractTwoDirectoryWithItsEncoderAndHead() {
    try (LoadedModel m = ModelDirectory.load(modelV2(Kind.KNOWN), "cpu", false, 1)) {
      assertThat(m.encodesViews()).isTrue();
      assertThat(m.info().encodesViews()).isTrue();
      assertThat(m.examScorer()).isNull();
      assertThat(m.examHead()).isNotNull();
      assertThat(m.manifest().perViewOutputs()).containsOnlyKeys(TestModels.VIEW_MEAN);
      assertThat(m.manifest().embeddingDim()).isEqualTo(TestModels.KNOWN_DIM);
    }
  }

  @Test
  void shouldKnowAContractTwoModelByBothOfItsGraphs() throws Exception {
    Path a = modelV2(Kind.KNOWN);
    Path b = TestModels.writeV2(dir.resolve("other-head"), Kind.NON_MONOTONE, 30, 18);
    ModelManifest ma = ModelManifest.read(a.resolve(ModelManifest.FILE));
    ModelManifest mb = ModelManifest.read(b.resolve(ModelManifest.FILE));
    // same encoder file, another head: another model
    assertThat(mb.fileSha256().get(ModelManifest.IMAGE_ENCODER))
        .isEqualTo(ma.fileSha256().get(ModelManifest.IMAGE_ENCODER));
    assertThat(ModelDirectory.modelSha(mb)).isNotEqualTo(ModelDirectory.modelSha(ma));
    assertThat(ModelDirectory.modelSha(ma)).hasSize(64);
  }

  @Test
  void shouldKnowARecalibratedModelAsAnotherModel() throws Exception {
    ModelManifest m = ModelManifest.read(modelV2(Kind.KNOWN).resolve(ModelManifest.FILE));
    ModelManifest platt = withCalibration(m, Calibration.platt(2.5, -2.2, "val", "cv"));
    ModelManifest platt2 = withCalibration(m, Calibration.platt(2.5, -2.1, "val", "cv"));
    ModelManifest samePlattOtherProvenance =
        withCalibration(m, Calibration.platt(2.5, -2.2, "another split", "by hand"));
    assertThat(ModelDirectory.modelSha(platt))
        .isNotEqualTo(ModelDirectory.modelSha(m))
        .isNotEqualTo(ModelDirectory.modelSha(platt2))
        .isEqualTo(ModelDirectory.modelSha(samePlattOtherProvenance));
  }

  private static ModelManifest withCalibration(ModelManifest m, Calibration c) {
    ModelManifest.Builder b =
        m.toBuilder()
            .setContractVersion(m.contractVersion())
            .setEncoder(m.embeddingDim(), m.perViewOutputs())
            .optCalibration(c);
    m.fileSha256().forEach(b::setFile);
    return b.build();
  }

  @Test
  void shouldNameAWrongEncoderInputShapeOfAContractTwoModel() {
    assertThatThrownBy(() -> ModelDirectory.load(modelV2(Kind.WRONG_SHAPE), "cpu", false, 1))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("image_encoder.onnx: input image has shape")
        .hasMessageContaining("[N, 1, 30, 18]");
  }

  @Test
  void shouldNameAnUnknownHeadOutputOfAContractTwoModel() {
    assertThatThrownBy(() -> ModelDirectory.load(modelV2(Kind.UNKNOWN_OUTPUT), "cpu", false, 1))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("exam_head.onnx: outputs must be exactly")
        .hasMessageContaining("unknown name(s) [malignancy_prob]");
  }

  @Test
  void shouldNameAPerViewOutputTheManifestDeclaresButTheEncoderLacks() throws Exception {
    Path m = modelV2(Kind.KNOWN);
    Files.writeString(
        m.resolve("model.json"),
        Files.readString(m.resolve("model.json")).replace("\"view_mean\" : 1", "\"view_max\" : 1"));
    assertThatThrownBy(() -> ModelDirectory.load(m, "cpu", false, 1))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("image_encoder.onnx: outputs must be exactly")
        .hasMessageContaining("missing [view_max]");
  }

  @Test
  void shouldNameTheMissingHeadOfAContractTwoModel() throws Exception {
    Path m = modelV2(Kind.KNOWN);
    Files.delete(m.resolve(ModelManifest.EXAM_HEAD));
    assertThatThrownBy(() -> ModelDirectory.load(m, "cpu", false, 1))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("has no exam_head.onnx")
        .hasMessageContaining("image_encoder.onnx, exam_head.onnx");
  }
}
