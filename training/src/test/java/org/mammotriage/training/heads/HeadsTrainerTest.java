package org.mammotriage.training.heads;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.mammotriage.evaluation.survival.SurvivalOutcome;

class HeadsTrainerTest {
  private static final int D = 8;

  @Test
  void shouldTrainBothHeadsOnEmbeddingsAndLowerTheTrainingLoss() {
    EmbeddingTable table = table(48, 5);
    HeadsConfig cfg = new HeadsConfig(D, 16, 1, 2, 5, BreastAggregation.MAX);
    try (NDManager m = NDManager.newBaseManager()) {
      HeadsTrainer.Result r =
          HeadsTrainer.train(
              m,
              cfg,
              table.split("train"),
              table.split("val"),
              new HeadsTrainer.Options(6, 16, 1e-2f, 0f, 1L),
              line -> {});

      assertThat(r.trainLoss()).hasSize(6).allSatisfy(l -> assertThat(l).isFinite());
      assertThat(r.trainLoss().get(5)).isLessThan(r.trainLoss().get(0));
      assertThat(r.bestEpoch()).isBetween(0, 5);
      List<org.mammotriage.evaluation.exam.ExamPrediction> p =
          HeadsPredictor.predict(r.heads(), m, table.split("val"));
      assertThat(p).hasSize(table.split("val").exams().size());
      assertThat(p)
          .allSatisfy(
              x -> {
                for (int k = 1; k < 5; k++) {
                  assertThat(x.risk()[k]).isGreaterThanOrEqualTo(x.risk()[k - 1]);
                }
              });
    }
  }

  /** Exams whose embeddings carry the label in the first coordinate of each view. */
  static EmbeddingTable table(int n, long seed) {
    Random rnd = new Random(seed);
    List<ExamRecord> exams = new ArrayList<>();
    float[][][] emb = new float[n][4][D];
    for (int i = 0; i < n; i++) {
      boolean cancer = i % 4 == 0;
      boolean right = i % 8 == 0;
      Path[] images = {Path.of("a"), Path.of("b"), i % 5 == 0 ? null : Path.of("c"), Path.of("d")};
      SurvivalOutcome o =
          cancer ? SurvivalOutcome.cancerAt(0) : SurvivalOutcome.censoredAt(1 + rnd.nextInt(6));
      exams.add(
          new ExamRecord(
              "s" + i,
              "p" + i,
              i % 3 == 0 ? "val" : "train",
              images,
              new boolean[] {cancer && !right, cancer && right},
              o));
      for (int s = 0; s < 4; s++) {
        for (int d = 0; d < D; d++) {
          emb[i][s][d] = (float) rnd.nextGaussian() * 0.3f;
        }
        boolean viewCancer = cancer && ((s >= 2) == right);
        emb[i][s][0] += viewCancer ? 2f : 0f;
        if (images[s] == null) {
          emb[i][s] = new float[D];
        }
      }
    }
    return new EmbeddingTable(exams, emb, D);
  }
}
