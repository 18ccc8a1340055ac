package org.mammotriage.training.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.evaluation.thresholds.OperatingPoint;
import org.mammotriage.evaluation.thresholds.Thresholds;
import org.mammotriage.scoring.LoadedModel;
import org.mammotriage.scoring.ModelDirectory;
import org.mammotriage.training.heads.BreastAggregation;
import org.mammotriage.training.heads.ExamScorerBlock;

class ModelExportTest {

  static ModelCard card() {
    OperatingPoint p = new OperatingPoint(0.5, 0.9, 0.8, 9, 1, 8, 2);
    return new ModelCard(
        "tiny-test",
        "0.0.1",
        "unit test model; trained on nothing; NOT for clinical use",
        0.2,
        0.25,
        new Thresholds(0.5, 0.1, 0.3, "made up for a test", p, p),
        Map.of("exam_auc", 0.5));
  }

  @Test
  void shouldWriteAContractOneDirectoryThatTheScoringModuleLoadsUnchanged(@TempDir Path out)
      throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(11);
      ExamScorerBlock scorer = TinyModels.scorer(m, BreastAggregation.MEAN);

      ModelExport.Result result =
          new ModelExport(OnnxExporter.standard())
              .write(scorer, card(), out, ModelManifest.CONTRACT_V1);

      assertThat(result.parity().values())
          .allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(ModelExport.PARITY_TOLERANCE));
      try (LoadedModel loaded = ModelDirectory.load(out, "cpu", false, 1)) {
        assertThat(loaded.encodesViews()).isFalse();
        assertThat(loaded.manifest().inputHeight()).isEqualTo(TinyModels.H);
        assertThat(loaded.manifest().inputWidth()).isEqualTo(TinyModels.W);
        assertThat(loaded.manifest().normStd()).isEqualTo(0.25);
        assertThat(loaded.manifest().thresholds().provenance()).isEqualTo("made up for a test");
        assertThat(loaded.manifest().opset()).isEqualTo(17);
        assertThat(loaded.info().intendedUse()).contains("NOT for clinical use");
      }
    }
  }

  @Test
  void shouldWriteAContractTwoDirectoryWithParityOfBothGraphsAndOfTheirComposition(
      @TempDir Path out) throws Exception {
    for (BreastAggregation aggregation : BreastAggregation.values()) {
      try (NDManager m = NDManager.newBaseManager()) {
        Engine.getInstance().setRandomSeed(12);
        ExamScorerBlock scorer = TinyModels.scorer(m, aggregation);
        Path dir = out.resolve(aggregation.name());

        ModelExport.Result result =
            new ModelExport(OnnxExporter.standard()).write(scorer, card(), dir);

        assertThat(result.parity())
            .containsKeys(
                "encoder.embedding",
                "encoder.view_logit",
                "head.malignancy",
                "head.risk",
                "composition_vs_djl.malignancy",
                "composition_vs_djl.risk",
                "composition_vs_contract_1.malignancy",
                "composition_vs_contract_1.risk");
        assertThat(result.parity().values())
            .allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(ModelExport.PARITY_TOLERANCE));
        try (LoadedModel loaded = ModelDirectory.load(dir, "cpu", false, 1)) {
          assertThat(loaded.encodesViews()).isTrue();
          assertThat(loaded.manifest().embeddingDim()).isEqualTo(TinyModels.D);
          assertThat(loaded.manifest().perViewOutputs())
              .containsExactly(Map.entry(ExamModelGraphs.VIEW_LOGIT, 1));
          assertThat(loaded.manifest().raw().path("parity_max_abs_diff").size()).isEqualTo(8);
        }
      }
    }
  }

  @Test
  void shouldConvertAContractOneDirectoryToContractTwoWithTheSameWeights(@TempDir Path out)
      throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(13);
      ExamScorerBlock scorer = TinyModels.scorer(m, BreastAggregation.MAX);
      Path one = out.resolve("one");
      new ModelExport(OnnxExporter.standard())
          .write(scorer, card(), one, ModelManifest.CONTRACT_V1);

      ContractTwoConversion.Result r = ContractTwoConversion.convert(one, out.resolve("two"));

      assertThat(r.maxAbsDiff())
          .containsKeys(
              "composition_vs_contract_1.malignancy",
              "composition_vs_contract_1.risk",
              "embedding_vs_contract_1_image_encoder");
      assertThat(r.maxAbsDiff().values()).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(1e-5));
      try (LoadedModel loaded = ModelDirectory.load(out.resolve("two"), "cpu", false, 1);
          LoadedModel original = ModelDirectory.load(one, "cpu", false, 1)) {
        assertThat(loaded.encodesViews()).isTrue();
        assertThat(loaded.manifest().thresholds()).isEqualTo(original.manifest().thresholds());
        assertThat(loaded.manifest().name()).isEqualTo(original.manifest().name());
        assertThat(loaded.manifest().raw().path("converted_from").path("files").size())
            .isEqualTo(2);
      }
    }
  }
}
