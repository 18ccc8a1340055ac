package org.mammotriage.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model.json}: the contract version, the files each contract needs, the encoder section. */
class ModelManifestTest {
  static final String SHA_A = "a".repeat(64);
  static final String SHA_B = "b".repeat(64);
  @TempDir Path dir;

  static ModelManifest.Builder base() {
    return ModelManifest.builder()
        .setName("m")
        .setVersion("1")
        .setProducer("test", "none")
        .setIntendedUse("test only")
        .setInput(32, 16, 0.2, 0.25)
        .setThresholds(new ModelThresholds(0.6, 0.2, 0.3, "fixed"))
        .setOpset(17);
  }

  static Map<String, Integer> outputs(Object... nameWidth) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < nameWidth.length; i += 2) {
      m.put((String) nameWidth[i], (Integer) nameWidth[i + 1]);
    }
    return m;
  }

  @Test
  void shouldReadAManifestWithoutAContractVersionAsContractOne() throws Exception {
    ModelManifest v1 =
        base()
            .setFile(ModelManifest.EXAM_SCORER, SHA_A)
            .setFile(ModelManifest.IMAGE_ENCODER, SHA_B)
            .build();
    assertThat(v1.raw().has("contract_version")).as("v1 is written as before").isFalse();
    v1.write(dir);
    ModelManifest read = ModelManifest.read(dir.resolve(ModelManifest.FILE));
    assertThat(read.contractVersion()).isEqualTo(ModelManifest.CONTRACT_V1);
    assertThat(read.encodesViews()).isFalse();
    assertThat(read.files())
        .containsExactly(ModelManifest.EXAM_SCORER, ModelManifest.IMAGE_ENCODER);
  }

  @Test
  void shouldWriteAndReadAContractTwoManifestWithItsEncoderOutputs() throws Exception {
    base()
        .setContractVersion(ModelManifest.CONTRACT_V2)
        .setEncoder(64, outputs("view_logit", 1, "density", 4))
        .setFile(ModelManifest.IMAGE_ENCODER, SHA_A)
        .setFile(ModelManifest.EXAM_HEAD, SHA_B)
        .build()
        .write(dir);
    ModelManifest read = ModelManifest.read(dir.resolve(ModelManifest.FILE));
    assertThat(read.contractVersion()).isEqualTo(2);
    assertThat(read.encodesViews()).isTrue();
    assertThat(read.embeddingDim()).isEqualTo(64);
    assertThat(read.perViewOutputs())
        .containsExactly(Map.entry("view_logit", 1), Map.entry("density", 4));
    assertThat(read.files()).containsExactly(ModelManifest.IMAGE_ENCODER, ModelManifest.EXAM_HEAD);
    assertThat(read.fileSha256())
        .containsOnlyKeys(ModelManifest.IMAGE_ENCODER, ModelManifest.EXAM_HEAD);
  }

  @Test
  void shouldListEveryContractTwoProblemAtOnce() {
    assertThatThrownBy(
            () ->
                base()
                    .setContractVersion(ModelManifest.CONTRACT_V2)
                    .setEncoder(0, outputs("present", 1, "ok", 0))
                    .setFile(ModelManifest.IMAGE_ENCODER, SHA_A)
                    .setFile(ModelManifest.EXAM_SCORER, SHA_B)
                    .build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("encoder.embedding_dim must be")
        .hasMessageContaining("'present' is not a usable output name")
        .hasMessageContaining("encoder.per_view_outputs.ok must be a width")
        .hasMessageContaining("files.exam_head.onnx must be");
  }

  @Test
  void shouldRefuseAContractVersionItDoesNotKnow() throws Exception {
    base()
        .setFile(ModelManifest.EXAM_SCORER, SHA_A)
        .setFile(ModelManifest.IMAGE_ENCODER, SHA_B)
        .build()
        .write(dir);
    Path f = dir.resolve(ModelManifest.FILE);
    Files.writeString(f, Files.readString(f).replaceFirst("\\{", "{ \"contract_version\" : 3,"));
    assertThatThrownBy(() -> ModelManifest.read(f))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("contract_version must be 1 or 2");
  }

  @Test
  void shouldCarryEverythingButContractAndFilesIntoADerivedManifest() {
    ModelManifest v1 =
        base()
            .optOutput("risk", "[N,5] cumulative")
            .optExtra("breast_aggregation", "max")
            .optMetrics(Map.of("exam_auc", 0.8))
            .setFile(ModelManifest.EXAM_SCORER, SHA_A)
            .setFile(ModelManifest.IMAGE_ENCODER, SHA_B)
            .build();
    ModelManifest v2 =
        v1.toBuilder()
            .setContractVersion(ModelManifest.CONTRACT_V2)
            .setEncoder(8, Map.of())
            .setFile(ModelManifest.IMAGE_ENCODER, SHA_A)
            .setFile(ModelManifest.EXAM_HEAD, SHA_B)
            .build();
    assertThat(v2.name()).isEqualTo(v1.name());
    assertThat(v2.thresholds()).isEqualTo(v1.thresholds());
    assertThat(v2.normMean()).isEqualTo(v1.normMean());
    assertThat(v2.raw().path("breast_aggregation").asText()).isEqualTo("max");
    assertThat(v2.raw().path("outputs").path("risk").asText()).isEqualTo("[N,5] cumulative");
    assertThat(v2.metrics().path("exam_auc").asDouble()).isEqualTo(0.8);
    assertThat(v2.created()).isEqualTo(v1.created());
    assertThat(v2.files()).isEqualTo(List.of(ModelManifest.IMAGE_ENCODER, ModelManifest.EXAM_HEAD));
  }
}
