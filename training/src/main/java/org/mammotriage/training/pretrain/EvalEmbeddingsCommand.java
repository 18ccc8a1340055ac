package org.mammotriage.training.pretrain;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./run train eval-embeddings}: zero-shot and linear-probe evaluation of pretrained models.
 */
@Command(
    name = "eval-embeddings",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate pretrained encoders on the test split: zero-shot with report prompts and linear"
            + " probes at 1/10/100% of the training labels for mass, calcification, malignancy and"
            + " density (AUC with bootstrap 95% CI, balanced accuracy). Give --model several times"
            + " to compare. Writes embeddings.json and embeddings.html.")
public final class EvalEmbeddingsCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(EvalEmbeddingsCommand.class);

  @Option(names = "--model", required = true, description = "Pretrained model folder (repeatable).")
  List<Path> models;

  @Option(
      names = "--manifest",
      required = true,
      description = "Manifest with train and test splits.")
  Path manifest;

  @Option(
      names = "--out",
      description = "Report folder (default: the first model's folder/evaluation).")
  Path out;

  @Option(names = "--image-cache", description = "Folder of cached working images.")
  Path cache;

  @Option(names = "--batch", defaultValue = "32", description = "Images per encoder batch.")
  int batch;

  @Option(
      names = "--seed",
      defaultValue = "7",
      description = "Seed of probe sampling and bootstrap.")
  long seed;

  @Override
  public Integer call() throws Exception {
    PretrainData data = PretrainData.read(manifest);
    List<EmbeddingEvaluator.Result> results = new ArrayList<>();
    for (Path m : models) {
      try (NDManager manager = NDManager.newBaseManager()) {
        PretrainedModel pm = PretrainedModel.load(m, manager);
        results.add(
            EmbeddingEvaluator.evaluate(
                pm, data, m.getFileName().toString(), cache, batch, seed, LOG::info));
      }
    }
    Path dir = out != null ? out : models.get(0).resolve("evaluation");
    EmbeddingReport.write(results, notice(manifest), dir);
    System.out.print(EmbeddingReport.table(results));
    System.out.println("report: " + dir.resolve(EmbeddingReport.HTML_FILE).toAbsolutePath());
    return 0;
  }

  static String notice(Path manifest) {
    return "Evaluated on "
        + manifest.toAbsolutePath()
        + ". When that is a MammoTriage synthetic archive, the numbers describe synthetic phantoms only"
        + " and say nothing about real mammograms.";
  }
}
