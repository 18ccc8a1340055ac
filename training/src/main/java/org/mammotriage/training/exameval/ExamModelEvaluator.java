package org.mammotriage.training.exameval;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.mammotriage.evaluation.exam.EvaluationResult;
import org.mammotriage.evaluation.exam.ExamEvaluation;
import org.mammotriage.evaluation.exam.ExamPrediction;
import org.mammotriage.evaluation.thresholds.ThresholdSelector;
import org.mammotriage.ingest.preprocess.Preprocessor;
import org.mammotriage.training.heads.EmbeddingTable;
import org.mammotriage.training.heads.ExamManifest;
import org.mammotriage.training.heads.ExamModel;
import org.mammotriage.training.heads.ExamRecord;
import org.mammotriage.training.heads.HeadsPredictor;

/**
 * Evaluates a trained exam model on a manifest: encodes the validation and test exams, predicts,
 * chooses thresholds on validation, measures on test.
 */
public final class ExamModelEvaluator {
  private ExamModelEvaluator() {}

  public static EvaluationResult evaluate(
      ExamModel model,
      NDManager manager,
      Path manifest,
      ThresholdSelector selector,
      int batch,
      Consumer<String> progress)
      throws IOException {
    List<ExamRecord> exams =
        ExamManifest.read(manifest).stream()
            .filter(e -> e.split().equals("val") || e.split().equals("test"))
            .toList();
    EmbeddingTable table =
        EmbeddingTable.encode(
            model.encoder(),
            manager,
            model.loader(Preprocessor.defaults()),
            exams,
            batch,
            progress);
    return evaluate(model, manager, table, manifest, selector);
  }

  /** On embeddings already computed (the demo pipeline reuses the ones it trained on). */
  public static EvaluationResult evaluate(
      ExamModel model,
      NDManager manager,
      EmbeddingTable table,
      Path manifest,
      ThresholdSelector selector) {
    EmbeddingTable val = table.split("val");
    EmbeddingTable test = table.split("test");
    List<ExamPrediction> v = HeadsPredictor.predict(model.heads(), manager, val);
    List<ExamPrediction> t = HeadsPredictor.predict(model.heads(), manager, test);
    String name = manifest.getFileName().toString();
    return ExamEvaluation.evaluate(
        v,
        "validation split of " + name + " (" + v.size() + " exams)",
        t,
        "test split of " + name + " (" + t.size() + " exams)",
        selector);
  }
}
