package org.mammotriage.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.domain.DriftReference;
import org.mammotriage.contract.domain.OodReference;
import org.mammotriage.contract.domain.Range;
import org.mammotriage.contract.domain.ValidatedDomain;

/** {@code model.json}'s {@code domain} section: round trip, old manifests, checks, the score. */
class ModelManifestDomainTest {
  @TempDir Path dir;

  static ModelManifest.Builder contractTwo() {
    return ModelManifestTest.base()
        .setContractVersion(ModelManifest.CONTRACT_V2)
        .setEncoder(3, Map.of("view_logit", 1))
        .setFile(ModelManifest.IMAGE_ENCODER, ModelManifestTest.SHA_A)
        .setFile(ModelManifest.EXAM_HEAD, ModelManifestTest.SHA_B);
  }

  static ValidatedDomain domain() {
    double[][] prec = {{1, 0, 0}, {0, 4, 0}, {0, 0, 0.25}};
    return new ValidatedDomain(
        List.of("Vendor A"),
        List.of("DR-1"),
        List.of("FOR PRESENTATION"),
        new Range(0.06, 0.1),
        new Range(500, 1100),
        new Range(400, 900),
        new Range(0.1, 0.4),
        new Range(0.05, 0.3),
        new OodReference(
            OodReference.MAHALANOBIS,
            OodReference.INPUT_EMBEDDING,
            3,
            List.of(new OodReference.Layer("embedding", 0, new double[] {1, 2, 3}, prec, 0.1, 1)),
            9.0,
            0.005,
            120,
            "val"),
        new DriftReference(
            Map.of(
                DriftReference.SUSPICION,
                DriftReference.Histogram.of(0, 1, 4, new double[] {0.1, 0.2, 0.9})),
            Map.of("low", 0.25, "routine", 0.75),
            "val"),
        "test");
  }

  @Test
  void shouldWriteAndReadTheDomainAndItsOodReference() throws Exception {
    contractTwo().optDomain(domain()).build().write(dir);

    ModelManifest read = ModelManifest.read(dir.resolve(ModelManifest.FILE));

    ValidatedDomain d = read.domain();
    assertThat(d.manufacturers()).containsExactly("Vendor A");
    assertThat(d.pixelSpacingMm()).isEqualTo(new Range(0.06, 0.1));
    assertThat(d.imageStd()).isEqualTo(new Range(0.05, 0.3));
    assertThat(d.ood().threshold()).isEqualTo(9.0);
    assertThat(d.reference().histograms().get(DriftReference.SUSPICION).counts())
        .containsExactly(2, 0, 0, 1);
    assertThat(d.reference().categoryShares()).containsEntry("routine", 0.75);
    assertThat(d.ood().layers().get(0).precision()[1][1]).isEqualTo(4.0);
    // x - mean = (1, 1, 2): 1 + 4 + 0.25 * 4 = 6
    assertThat(d.ood().score(new float[] {2, 3, 5})).isEqualTo(6.0);
    assertThat(d.ood().outOfDomain(new float[] {2, 3, 5})).isFalse();
    assertThat(d.ood().outOfDomain(new float[] {1, 4, 3})).as("16 > 9").isTrue();
    ModelManifest derived =
        read.toBuilder()
            .setContractVersion(ModelManifest.CONTRACT_V2)
            .setEncoder(3, Map.of("view_logit", 1))
            .setFile(ModelManifest.IMAGE_ENCODER, ModelManifestTest.SHA_A)
            .setFile(ModelManifest.EXAM_HEAD, ModelManifestTest.SHA_B)
            .build();
    assertThat(derived.domain().ood().layers().get(0).mean()).containsExactly(1, 2, 3);
  }

  @Test
  void shouldLoadAManifestWithoutADomainAsBefore() throws Exception {
    contractTwo().build().write(dir);
    assertThat(ModelManifest.read(dir.resolve(ModelManifest.FILE)).domain()).isNull();
    assertThat(ModelManifest.read(Path.of("../models/demo-synthetic/model.json")).files())
        .hasSize(2);
  }

  @Test
  void shouldRefuseAnOodReferenceOfAnotherWidthAndABadRange() throws Exception {
    ObjectNode j = (ObjectNode) contractTwo().optDomain(domain()).build().raw().deepCopy();
    ObjectNode d = (ObjectNode) j.path("domain");
    ((ObjectNode) d.path("ood")).putArray("mean").add(1).add(2);
    ((ObjectNode) d.path("pixel_spacing_mm")).put("min", 1.0);
    Files.write(dir.resolve(ModelManifest.FILE), new ObjectMapper().writeValueAsBytes(j));

    assertThatThrownBy(() -> ModelManifest.read(dir.resolve(ModelManifest.FILE)))
        .hasMessageContaining("domain.ood.precision must be a 2x2 array")
        .hasMessageContaining("domain.pixel_spacing_mm.min must not exceed its max");
  }

  @Test
  void shouldNameEachHeaderCheckThatFails() {
    ValidatedDomain d = domain();
    assertThat(d.headerReasons("vendor a", "DR-1", "FOR PRESENTATION", 0.08, 1000, 800)).isEmpty();
    assertThat(d.headerReasons("Other", "DR-9", "FOR PROCESSING", null, 3000, 800))
        .containsExactly(
            "VENDOR_NOT_VALIDATED",
            "MODEL_NOT_VALIDATED",
            "PRESENTATION_INTENT_NOT_VALIDATED",
            "PIXEL_SPACING_OUTSIDE_DOMAIN",
            "IMAGE_SIZE_OUTSIDE_DOMAIN");
    assertThat(d.imageReasons(0.2, 0.1)).isEmpty();
    assertThat(d.imageReasons(0.9, 0.1)).containsExactly("IMAGE_STATISTICS_OUTSIDE_DOMAIN");
  }
}
