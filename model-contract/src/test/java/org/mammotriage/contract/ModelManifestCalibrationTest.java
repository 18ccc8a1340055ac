package org.mammotriage.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model.json}'s {@code calibration} section: round trip, old manifests, checks, apply. */
class ModelManifestCalibrationTest {
  @TempDir Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldWriteAndReadPlattCalibrationWithItsEvaluation() throws Exception {
    ObjectNode eval = JSON.createObjectNode().put("ece_after", 0.03);
    Calibration cal = Calibration.platt(0.8, -1.5, "val split", "rule").withEvaluation(eval);
    ModelManifestDomainTest.contractTwo().optCalibration(cal).build().write(dir);

    ModelManifest read = ModelManifest.read(dir.resolve(ModelManifest.FILE));

    assertThat(read.calibration()).isEqualTo(cal);
    assertThat(read.calibration().evaluation().path("ece_after").asDouble()).isEqualTo(0.03);
    // logit(0.5) = 0: σ(-1.5)
    assertThat(read.calibration().apply(0.5)).isCloseTo(1 / (1 + Math.exp(1.5)), within(1e-12));
    ModelManifest derived =
        read.toBuilder()
            .setContractVersion(ModelManifest.CONTRACT_V2)
            .setEncoder(3, java.util.Map.of("view_logit", 1))
            .setFile(ModelManifest.IMAGE_ENCODER, ModelManifestTest.SHA_A)
            .setFile(ModelManifest.EXAM_HEAD, ModelManifestTest.SHA_B)
            .build();
    assertThat(derived.calibration()).as("toBuilder keeps it").isEqualTo(cal);
  }

  @Test
  void shouldWriteAndReadIsotonicKnotsAndInterpolateBetweenThem() throws Exception {
    Calibration cal =
        Calibration.isotonic(
            new double[] {0.1, 0.3, 0.5, 0.9}, new double[] {0.0, 0.0, 0.4, 0.8}, "val", "rule");
    ModelManifestDomainTest.contractTwo().optCalibration(cal).build().write(dir);

    Calibration read = ModelManifest.read(dir.resolve(ModelManifest.FILE)).calibration();

    assertThat(read).isEqualTo(cal);
    assertThat(read.apply(0.05)).as("constant below the first knot").isEqualTo(0.0);
    assertThat(read.apply(0.2)).as("flat block").isEqualTo(0.0);
    assertThat(read.apply(0.4)).isCloseTo(0.2, within(1e-12));
    assertThat(read.apply(0.7)).isCloseTo(0.6, within(1e-12));
    assertThat(read.apply(0.95)).as("constant above the last knot").isEqualTo(0.8);
  }

  @Test
  void shouldLoadAManifestWithoutCalibrationAsBefore() throws Exception {
    ModelManifestDomainTest.contractTwo().build().write(dir);
    assertThat(ModelManifest.read(dir.resolve(ModelManifest.FILE)).calibration()).isNull();
  }

  @Test
  void shouldNameTheKeyOfABrokenSection() throws Exception {
    assertBroken(
        c -> ((ObjectNode) c.get("platt")).put("a", "steep"),
        "calibration.platt.a must be a number");
    assertBroken(
        c -> ((ObjectNode) c.get("platt")).put("a", -1.0), "calibration.platt.a must be a finite");
    assertBroken(
        c -> c.put("method", "beta"), "calibration.method must be one of [platt, isotonic]");
    assertBroken(c -> c.remove("fitted_on"), "calibration.fitted_on is missing");
    assertBroken(c -> c.put("applies_to", "risk"), "calibration.applies_to must be 'malignancy'");
    assertBroken(
        c -> {
          c.put("method", "isotonic");
          ObjectNode iso = c.putObject("isotonic");
          iso.putArray("x").add(0.5).add(0.2);
          iso.putArray("y").add(0.1).add(0.3);
        },
        "calibration.isotonic.x must be strictly increasing");
    assertBroken(
        c -> {
          c.put("method", "isotonic");
          ObjectNode iso = c.putObject("isotonic");
          iso.putArray("x").add(0.2).add(0.5);
          iso.putArray("y").add(0.3);
        },
        "calibration.isotonic.x and .y must be non-empty arrays of equal length");
  }

  private void assertBroken(java.util.function.Consumer<ObjectNode> breakIt, String message)
      throws Exception {
    ModelManifestDomainTest.contractTwo()
        .optCalibration(Calibration.platt(1.0, 0.0, "val", "rule"))
        .build()
        .write(dir);
    Path file = dir.resolve(ModelManifest.FILE);
    ObjectNode root = (ObjectNode) JSON.readTree(file.toFile());
    breakIt.accept((ObjectNode) root.get("calibration"));
    Files.write(file, JSON.writeValueAsBytes(root));
    assertThatThrownBy(() -> ModelManifest.read(file))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining(message);
  }
}
