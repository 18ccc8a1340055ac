package org.mammotriage.training.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mammotriage.training.export.PretrainedTowers.H;
import static org.mammotriage.training.export.PretrainedTowers.W;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.evaluation.thresholds.OperatingPoint;
import org.mammotriage.evaluation.thresholds.Thresholds;
import org.mammotriage.scoring.LoadedModel;
import org.mammotriage.scoring.ModelDirectory;
import org.mammotriage.training.heads.BreastAggregation;
import org.mammotriage.training.heads.ExamScorerBlock;
import org.mammotriage.training.model.ModelConfig;
import org.mammotriage.training.model.Relu;

/**
 * The pretraining image tower (ResNet-10/18, global average pooling or the MV-MLM token
 * transformer) exported inside {@code exam_scorer.onnx} and as {@code image_encoder.onnx}, run in
 * ONNX Runtime against the DJL forward pass on random inputs and on real DICOM samples through
 * ingest's preprocessing.
 */
class ImageTowerExportParityTest {
  private static final double TOLERANCE = ModelExport.PARITY_TOLERANCE;

  /** Exams from the four real views: all present, and with views missing. */
  private static final int[][] ALL_PRESENT = {{0, 1, 2, 3}, {3, 2, 1, 0}};

  private static final int[][] MISSING = {{0, -1, 2, 3}, {-1, -1, 1, 0}, {2, 3, -1, -1}};

  private static float[][] realViews;

  @BeforeAll
  static void loadRealViews() throws Exception {
    realViews = PretrainedTowers.realViews();
    // a blank image would make the real-image checks no better than zeros
    for (float[] v : realViews) {
      float min = Float.MAX_VALUE;
      float max = -Float.MAX_VALUE;
      for (float x : v) {
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      assertThat(max - min).as("pixel range of a real working image").isGreaterThan(1f);
    }
  }

  static Stream<Arguments> towers() {
    return Stream.of(
        Arguments.of(10, 0, BreastAggregation.MAX),
        Arguments.of(10, 1, BreastAggregation.MEAN),
        Arguments.of(18, 0, BreastAggregation.MEAN),
        Arguments.of(18, 2, BreastAggregation.MAX));
  }

  @ParameterizedTest(name = "ResNet-{0}, {1} token layers, {2}")
  @MethodSource("towers")
  void shouldMatchDjlForwardPassOnRandomAndRealImagesWithAndWithoutMissingViews(
      int depth, int tokenLayers, BreastAggregation aggregation) throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      // given a seeded tower whose BatchNorm statistics moved in training-mode passes
      ExamScorerBlock scorer =
          PretrainedTowers.scorer(
              m,
              PretrainedTowers.config(depth, tokenLayers),
              aggregation,
              100 + depth + tokenLayers);
      assertThat(PretrainedTowers.batchNormDrift(scorer.encoder())).isGreaterThan(0.05);
      ExamModelGraphs graphs = new ExamModelGraphs(OnnxExporter.standard());
      byte[] examScorer = graphs.examScorer(scorer).toByteArray();
      byte[] imageEncoder =
          graphs.imageEncoder(scorer.encoder(), H, W, PretrainedTowers.D).toByteArray();
      NDArray random = m.randomNormal(0f, 1f, new Shape(3, 4, 1, H, W), DataType.FLOAT32);
      NDArray allPresent = m.ones(new Shape(3, 4));
      NDArray somePresent =
          m.create(new float[] {1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0}, new Shape(3, 4));

      // when
      Map<String, Double> diffs = new LinkedHashMap<>();
      diffs.putAll(scorerDiffs("random/all", examScorer, scorer, new NDList(random, allPresent)));
      diffs.putAll(
          scorerDiffs(
              "random/missing",
              examScorer,
              scorer,
              new NDList(random.mul(somePresent.reshape(3, 4, 1, 1, 1)), somePresent)));
      diffs.putAll(
          scorerDiffs(
              "real/all", examScorer, scorer, PretrainedTowers.exams(m, realViews, ALL_PRESENT)));
      diffs.putAll(
          scorerDiffs(
              "real/missing", examScorer, scorer, PretrainedTowers.exams(m, realViews, MISSING)));
      diffs.put(
          "image_encoder random", encoderDiff(imageEncoder, scorer, random.reshape(12, 1, H, W)));
      diffs.put(
          "image_encoder real",
          encoderDiff(
              imageEncoder,
              scorer,
              PretrainedTowers.exams(m, realViews, ALL_PRESENT).head().reshape(8, 1, H, W)));
      System.out.printf(
          "parity ResNet-%d tokens=%d %s: %s%n", depth, tokenLayers, aggregation, diffs);

      // then
      assertThat(diffs).hasSize(10);
      assertThat(diffs.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(TOLERANCE));
    }
  }

  @Test
  void shouldWriteAModelDirectoryThatScoringLoadsAndThatMatchesDjlFromDisk(@TempDir Path out)
      throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      // given
      ExamScorerBlock scorer =
          PretrainedTowers.scorer(m, PretrainedTowers.config(18, 1), BreastAggregation.MAX, 5);
      OperatingPoint p = new OperatingPoint(0.5, 0.9, 0.8, 9, 1, 8, 2);
      ModelCard card =
          new ModelCard(
              "tower-test",
              "0.0.1",
              "unit test model; random weights; NOT for clinical use",
              PretrainedTowers.NORM_MEAN,
              PretrainedTowers.NORM_STD,
              new Thresholds(0.5, 0.1, 0.3, "made up for a test", p, p),
              Map.of("exam_auc", 0.5));

      // when
      ModelExport.Result result = new ModelExport(OnnxExporter.standard()).write(scorer, card, out);

      // then
      assertThat(result.parity().values())
          .allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(TOLERANCE));
      try (LoadedModel loaded = ModelDirectory.load(out, "cpu", false, 1)) {
        assertThat(loaded.manifest().inputHeight()).isEqualTo(H);
        assertThat(loaded.manifest().inputWidth()).isEqualTo(W);
        assertThat(loaded.imageEncoder().getOutputNames())
            .containsExactlyInAnyOrder("embedding", ExamModelGraphs.VIEW_LOGIT);
      }
      NDList missing = PretrainedTowers.exams(m, realViews, MISSING);
      Map<String, Double> fromDisk = new LinkedHashMap<>();
      ParityCheck.compositionMaxAbsDiff(
              Files.readAllBytes(out.resolve(ModelExport.IMAGE_ENCODER)),
              Files.readAllBytes(out.resolve(ModelManifest.EXAM_HEAD)),
              scorer,
              missing.get(0),
              missing.get(1))
          .forEach((k, v) -> fromDisk.put("disk encoder x4 -> head " + k, v));
      fromDisk.put(
          "image_encoder",
          encoderDiff(
              Files.readAllBytes(out.resolve(ModelExport.IMAGE_ENCODER)),
              scorer,
              PretrainedTowers.exams(m, realViews, ALL_PRESENT).head().reshape(8, 1, H, W)));
      System.out.printf(
          "parity written model (export %s) from disk: %s%n", result.parity(), fromDisk);
      assertThat(fromDisk.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(TOLERANCE));
    }
  }

  @Test
  void shouldNameTheModelBlockThatHasNoMapping() {
    // given an encoder ending in GLAM's local head, which is never served
    ModelConfig cfg = PretrainedTowers.config(10, 0);
    var encoder = new SequentialBlock().add(new Relu()).add(cfg.glamHead());

    // then
    assertThatThrownBy(
            () -> new ExamModelGraphs(OnnxExporter.standard()).imageEncoder(encoder, H, W, 16))
        .isInstanceOf(UnsupportedBlockException.class)
        .hasMessageContaining("org.mammotriage.training.model.GlamLocalHead");
  }

  private static Map<String, Double> scorerDiffs(
      String label, byte[] onnx, ExamScorerBlock scorer, NDList inputs) throws Exception {
    Map<String, Double> d =
        ParityCheck.maxAbsDiff(
            onnx,
            scorer,
            List.of(ExamModelGraphs.VIEWS, ExamModelGraphs.PRESENT),
            List.of(ExamModelGraphs.MALIGNANCY, ExamModelGraphs.RISK),
            inputs);
    Map<String, Double> labelled = new LinkedHashMap<>();
    d.forEach((k, v) -> labelled.put(label + " " + k, v));
    return labelled;
  }

  private static double encoderDiff(byte[] onnx, ExamScorerBlock scorer, NDArray images)
      throws Exception {
    return ParityCheck.maxAbsDiff(
        onnx, scorer.encoder(), ExamModelGraphs.IMAGE, ExamModelGraphs.EMBEDDING, images);
  }
}
