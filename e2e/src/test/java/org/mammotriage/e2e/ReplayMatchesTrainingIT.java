package org.mammotriage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.app.ArchiveRun;
import org.mammotriage.app.DemoPipeline;
import org.mammotriage.app.ReplayEvaluation;
import org.mammotriage.evaluation.exam.EvaluationResult;
import org.mammotriage.evaluation.exam.ExamPrediction;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.training.demo.DemoModelPipeline;
import org.mammotriage.training.demo.PretrainEncoderStep;
import org.mammotriage.training.heads.ExamModelStores;
import org.mammotriage.training.heads.HeadsTrainer;
import org.mammotriage.training.model.ModelConfig;
import org.mammotriage.training.model.PretrainMethod;
import org.mammotriage.training.pretrain.Pretrainer;

/**
 * Replay gives the numbers of Training II's evaluation: a tiny model is trained and evaluated in
 * DJL on a synthetic archive, exported, and the same archive is replayed over DICOM through the
 * embedded pipeline scoring with the exported ONNX model.
 */
class ReplayMatchesTrainingIT {

  @Test
  void shouldGiveTheSameMetricsAsTheTrainingEvaluationOfTheSameModelOnTheSameExams(
      @TempDir Path tmp) throws Exception {
    Path work = tmp.resolve("work");
    Path archive = work.resolve("archive");
    // cancer-enriched, a seed whose small validation and test splits both hold cancers
    SyntheticArchive.of(SynthOptions.defaults(16, 3).withScale(0.05).withMalignantShare(0.5))
        .generate(archive);
    ModelConfig tiny = ModelConfig.tiny(0);
    ModelConfig c =
        new ModelConfig(
            64, 40, 10, 8, 0, 16, 16, 16, 1, 2, 0, 0, tiny.glamGrid(), tiny.glamDim(), 0.2f, 0.25f);
    Path model = tmp.resolve("model");
    DemoModelPipeline.Result trained =
        new DemoModelPipeline(
                PretrainEncoderStep.of(
                    new Pretrainer.Options(
                        PretrainMethod.MVCLIP, c, 4, 2, 1e-3f, 0f, 1, 0.8, 0, 1L, false, null)),
                ExamModelStores.standard())
            .run(
                new DemoModelPipeline.Options(
                    16,
                    3,
                    0.05,
                    new HeadsTrainer.Options(3, 16, 1e-3f, 0f, 1L),
                    16,
                    1,
                    16,
                    "replay-it",
                    "0"),
                work,
                model,
                l -> {});
    EvaluationResult djl = trained.evaluation();

    ArchiveRun.Result r;
    try (DemoPipeline p = DemoPipeline.start(tmp.resolve("pipeline"), model, 2000)) {
      r =
          ArchiveRun.run(
              archive,
              p.bootstrap(),
              "127.0.0.1",
              p.scpPort(),
              p.ingest().pipeline(),
              0,
              Duration.ofMinutes(5),
              l -> {});
    }
    assertThat(r.complete()).isTrue();
    List<ExamPrediction> preds =
        ReplayEvaluation.predictions(
            r.decisions(), ReplayEvaluation.readTruth(archive.resolve("truth.csv")));
    EvaluationResult replay = ReplayEvaluation.evaluate(preds, "truth.csv");

    assertThat(replay.exams()).isEqualTo(djl.exams());
    assertThat(replay.cancerExams()).isEqualTo(djl.cancerExams());
    assertThat(replay.validationExams()).isEqualTo(djl.validationExams());
    assertThat(replay.examAuc().estimate()).isCloseTo(djl.examAuc().estimate(), within(1e-3));
    assertThat(replay.breastAuc().estimate()).isCloseTo(djl.breastAuc().estimate(), within(1e-3));
    assertThat(replay.thresholds().suspicious())
        .isCloseTo(djl.thresholds().suspicious(), within(1e-4));
    assertThat(replay.atSuspicious().sensitivity())
        .isCloseTo(djl.atSuspicious().sensitivity(), within(1e-3));
    assertThat(replay.atSuspicious().specificity())
        .isCloseTo(djl.atSuspicious().specificity(), within(1e-3));
    assertThat(replay.cIndex().cIndex()).isCloseTo(djl.cIndex().cIndex(), within(1e-3));
    for (int k : new int[] {2, 5}) {
      if (Double.isNaN(djl.aucAt(k).auc())) {
        assertThat(replay.aucAt(k).auc()).isNaN();
      } else {
        assertThat(replay.aucAt(k).auc()).isCloseTo(djl.aucAt(k).auc(), within(1e-3));
      }
    }
    assertThat(Files.isRegularFile(model.resolve("model.json"))).isTrue();
  }
}
