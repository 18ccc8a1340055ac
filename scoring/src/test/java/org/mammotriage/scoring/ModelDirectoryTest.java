package org.mammotriage.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.ModelLoadException;
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
}
