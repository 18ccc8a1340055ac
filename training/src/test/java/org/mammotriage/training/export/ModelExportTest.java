package org.mammotriage.training.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.evaluation.thresholds.OperatingPoint;
import org.mammotriage.evaluation.thresholds.Thresholds;
import org.mammotriage.scoring.LoadedModel;
import org.mammotriage.scoring.ModelDirectory;
import org.mammotriage.training.heads.BreastAggregation;
import org.mammotriage.training.heads.ExamScorerBlock;

class ModelExportTest {

  @Test
  void shouldWriteAModelDirectoryThatTheScoringModuleLoadsUnchanged(@TempDir Path out)
      throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(11);
      ExamScorerBlock scorer = TinyModels.scorer(m, BreastAggregation.MEAN);
      OperatingPoint p = new OperatingPoint(0.5, 0.9, 0.8, 9, 1, 8, 2);
      ModelCard card =
          new ModelCard(
              "tiny-test",
              "0.0.1",
              "unit test model; trained on nothing; NOT for clinical use",
              0.2,
              0.25,
              new Thresholds(0.5, 0.1, 0.3, "made up for a test", p, p),
              Map.of("exam_auc", 0.5));

      ModelExport.Result result = new ModelExport(OnnxExporter.standard()).write(scorer, card, out);

      assertThat(result.parity().values())
          .allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(ModelExport.PARITY_TOLERANCE));
      try (LoadedModel loaded = ModelDirectory.load(out, "cpu", false, 1)) {
        assertThat(loaded.manifest().inputHeight()).isEqualTo(TinyModels.H);
        assertThat(loaded.manifest().inputWidth()).isEqualTo(TinyModels.W);
        assertThat(loaded.manifest().normStd()).isEqualTo(0.25);
        assertThat(loaded.manifest().thresholds().provenance()).isEqualTo("made up for a test");
        assertThat(loaded.manifest().opset()).isEqualTo(17);
        assertThat(loaded.info().intendedUse()).contains("NOT for clinical use");
      }
    }
  }
}
