package org.mammotriage.training.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.mammotriage.evaluation.exam.ExamPrediction;

/**
 * Runs trained heads on cached embeddings and turns the outputs into {@link ExamPrediction}s: the
 * same arithmetic as {@link ExamScorerBlock} after its encoder (sigmoid, breast aggregation).
 */
public final class HeadsPredictor {
  private static final int BATCH = 256;

  private HeadsPredictor() {}

  public static List<ExamPrediction> predict(ExamHeads heads, NDManager manager, EmbeddingTable t) {
    List<ExamPrediction> out = new ArrayList<>();
    int years = heads.config().years();
    ParameterStore ps = new ParameterStore(manager, false);
    for (int from = 0; from < t.exams().size(); from += BATCH) {
      int[] idx =
          java.util.stream.IntStream.range(from, Math.min(t.exams().size(), from + BATCH))
              .toArray();
      try (NDManager sub = manager.newSubManager()) {
        NDArray present = t.present(sub, idx);
        NDList o = heads.forward(ps, new NDList(t.batch(sub, idx), present), false);
        float[] breast =
            heads
                .config()
                .aggregation()
                .apply(Activation.sigmoid(o.get(0)), present)
                .toFloatArray();
        float[] risk = Activation.sigmoid(o.get(1)).toFloatArray();
        for (int i = 0; i < idx.length; i++) {
          ExamRecord e = t.exams().get(idx[i]);
          double[] r = new double[years];
          for (int k = 0; k < years; k++) {
            r[k] = risk[i * years + k];
          }
          out.add(
              new ExamPrediction(
                  e.studyUid(),
                  e.patientId(),
                  e.split(),
                  new double[] {breast[2 * i], breast[2 * i + 1]},
                  r,
                  e.breastMalignant().clone(),
                  e.outcome()));
        }
      }
    }
    return out;
  }
}
