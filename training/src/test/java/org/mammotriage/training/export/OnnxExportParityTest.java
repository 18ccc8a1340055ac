package org.mammotriage.training.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.SequentialBlock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mammotriage.training.heads.BreastAggregation;
import org.mammotriage.training.heads.ExamScorerBlock;

class OnnxExportParityTest {
  private static final double TOLERANCE = 1e-4;

  @ParameterizedTest
  @EnumSource(BreastAggregation.class)
  void shouldMatchDjlForwardPassWhenAllViewsArePresent(BreastAggregation aggregation)
      throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(7);
      ExamScorerBlock scorer = TinyModels.scorer(m, aggregation);
      byte[] onnx = new ExamModelGraphs(OnnxExporter.standard()).examScorer(scorer).toByteArray();
      NDArray views = m.randomNormal(new Shape(3, 4, 1, TinyModels.H, TinyModels.W));
      NDArray present = m.ones(new Shape(3, 4));

      Map<String, Double> diff =
          ParityCheck.maxAbsDiff(
              onnx,
              scorer,
              List.of("views", "present"),
              List.of("malignancy", "risk"),
              new NDList(views, present));

      assertThat(diff).containsOnlyKeys("malignancy", "risk");
      assertThat(diff.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(TOLERANCE));
    }
  }

  @ParameterizedTest
  @EnumSource(BreastAggregation.class)
  void shouldMatchDjlForwardPassWhenViewsAreMissing(BreastAggregation aggregation)
      throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(8);
      ExamScorerBlock scorer = TinyModels.scorer(m, aggregation);
      byte[] onnx = new ExamModelGraphs(OnnxExporter.standard()).examScorer(scorer).toByteArray();
      NDArray present =
          m.create(new float[] {1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1}, new Shape(4, 4));
      // a scorer zero-fills missing slots
      NDArray views =
          m.randomNormal(new Shape(4, 4, 1, TinyModels.H, TinyModels.W))
              .mul(present.reshape(4, 4, 1, 1, 1));

      Map<String, Double> diff =
          ParityCheck.maxAbsDiff(
              onnx,
              scorer,
              List.of("views", "present"),
              List.of("malignancy", "risk"),
              new NDList(views, present));

      assertThat(diff.values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(TOLERANCE));
    }
  }

  @Test
  void shouldMatchDjlForwardPassForTheImageEncoder() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(9);
      ExamScorerBlock scorer = TinyModels.scorer(m, BreastAggregation.MAX);
      byte[] onnx =
          new ExamModelGraphs(OnnxExporter.standard())
              .imageEncoder(scorer.encoder(), TinyModels.H, TinyModels.W, TinyModels.D)
              .toByteArray();
      NDArray images =
          m.randomUniform(0f, 1f, new Shape(5, 1, TinyModels.H, TinyModels.W), DataType.FLOAT32);

      double diff = ParityCheck.maxAbsDiff(onnx, scorer.encoder(), "image", "embedding", images);

      assertThat(diff).isLessThanOrEqualTo(TOLERANCE);
    }
  }

  @Test
  void shouldNameTheBlockClassWhenNoMappingExists() {
    try (NDManager m = NDManager.newBaseManager()) {
      var block = new SequentialBlock().add(new LambdaBlock(x -> x, "myCustomOp"));
      block.initialize(m, DataType.FLOAT32, new Shape(1, 1, 4, 4));

      assertThatThrownBy(
              () -> new ExamModelGraphs(OnnxExporter.standard()).imageEncoder(block, 4, 4, 16))
          .isInstanceOf(UnsupportedBlockException.class)
          .hasMessageContaining("myCustomOp");
      var unknown = new SequentialBlock().add(new ai.djl.nn.core.Prelu());
      assertThatThrownBy(
              () -> new ExamModelGraphs(OnnxExporter.standard()).imageEncoder(unknown, 4, 4, 16))
          .isInstanceOf(UnsupportedBlockException.class)
          .hasMessageContaining("ai.djl.nn.core.Prelu");
    }
  }
}
