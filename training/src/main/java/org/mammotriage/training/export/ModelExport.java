package org.mammotriage.training.export;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.training.heads.ExamScorerBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a model directory (DESIGN §5) from a trained {@link ExamScorerBlock}: both ONNX graphs, a
 * parity check of each against the DJL forward pass (random inputs, with and without missing views;
 * the export fails above the tolerance), and {@code model.json} with sha256s, thresholds, metrics
 * and the parity figures.
 */
public final class ModelExport {
  public static final String EXAM_SCORER = ModelManifest.EXAM_SCORER;
  public static final String IMAGE_ENCODER = ModelManifest.IMAGE_ENCODER;
  public static final String MODEL_JSON = ModelManifest.FILE;

  /** Largest |ONNX Runtime − DJL| accepted on any output. */
  public static final double PARITY_TOLERANCE = 1e-4;

  private static final Logger LOG = LoggerFactory.getLogger(ModelExport.class);

  private final OnnxExporter exporter;

  public ModelExport(OnnxExporter exporter) {
    this.exporter = exporter;
  }

  /** The export's outcome: where it went and the parity figures measured. */
  public record Result(Path dir, Map<String, Double> parity, Map<String, String> sha256) {}

  public Result write(ExamScorerBlock scorer, ModelCard card, Path out) throws IOException {
    Files.createDirectories(out);
    ExamModelGraphs graphs = new ExamModelGraphs(exporter);
    byte[] examScorer = graphs.examScorer(scorer).toByteArray();
    byte[] imageEncoder =
        graphs
            .imageEncoder(
                scorer.encoder(),
                scorer.height(),
                scorer.width(),
                scorer.heads().config().embeddingDim())
            .toByteArray();
    Map<String, Double> parity = checkParity(scorer, examScorer, imageEncoder);
    Map<String, String> sha = new LinkedHashMap<>();
    sha.put(EXAM_SCORER, writeAtomically(out.resolve(EXAM_SCORER), examScorer));
    sha.put(IMAGE_ENCODER, writeAtomically(out.resolve(IMAGE_ENCODER), imageEncoder));
    manifest(scorer, card, sha, parity).write(out);
    LOG.info("exported model {} to {} (parity max abs diff {})", card.name(), out, parity);
    return new Result(out, parity, sha);
  }

  private Map<String, Double> checkParity(
      ExamScorerBlock scorer, byte[] examScorer, byte[] imageEncoder) {
    Map<String, Double> worst = new LinkedHashMap<>();
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(17);
      int h = scorer.height();
      int w = scorer.width();
      NDArray views = m.randomNormal(new Shape(3, 4, 1, h, w));
      NDArray all = m.ones(new Shape(3, 4));
      NDArray some = m.create(new float[] {1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0}, new Shape(3, 4));
      for (NDArray present : List.of(all, some)) {
        NDArray masked = views.mul(present.reshape(3, 4, 1, 1, 1));
        ParityCheck.maxAbsDiff(
                examScorer,
                scorer,
                List.of(ExamModelGraphs.VIEWS, ExamModelGraphs.PRESENT),
                List.of(ExamModelGraphs.MALIGNANCY, ExamModelGraphs.RISK),
                new NDList(masked, present))
            .forEach((k, v) -> worst.merge(k, v, Math::max));
      }
      NDArray images = m.randomNormal(0, 1, new Shape(4, 1, h, w), DataType.FLOAT32);
      worst.put(
          ExamModelGraphs.EMBEDDING,
          ParityCheck.maxAbsDiff(
              imageEncoder,
              scorer.encoder(),
              ExamModelGraphs.IMAGE,
              ExamModelGraphs.EMBEDDING,
              images));
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime could not run the exported graph: " + e.getMessage(), e);
    }
    worst.forEach(
        (k, v) -> {
          if (!(v <= PARITY_TOLERANCE)) {
            throw new IllegalStateException(
                "exported output "
                    + k
                    + " differs from the DJL model by "
                    + v
                    + " (> "
                    + PARITY_TOLERANCE
                    + "): a layer mapping is wrong; nothing was written");
          }
        });
    return worst;
  }

  private static ModelManifest manifest(
      ExamScorerBlock scorer, ModelCard card, Map<String, String> sha, Map<String, Double> parity) {
    ModelManifest.Builder b =
        ModelManifest.builder()
            .setName(card.name())
            .setVersion(card.version())
            .setProducer("mammotriage-training", GitSha.current())
            .setIntendedUse(card.intendedUse())
            .setInput(scorer.height(), scorer.width(), card.normMean(), card.normStd())
            .optOutput(
                ExamModelGraphs.MALIGNANCY, "[N,2] probability of cancer, left and right breast")
            .optOutput(
                ExamModelGraphs.RISK,
                "[N,"
                    + scorer.heads().config().years()
                    + "] cumulative probability of cancer within 1..5 years (monotone)")
            .optOutput(
                ExamModelGraphs.EMBEDDING,
                "[N,"
                    + scorer.heads().config().embeddingDim()
                    + "] image embedding (image_encoder)")
            .setThresholds(card.thresholds().toModelThresholds())
            .setOpset(OnnxGraph.OPSET)
            .optExtra(
                "breast_aggregation", scorer.heads().config().aggregation().name().toLowerCase())
            .optMetrics(card.metrics())
            .optExtra("parity_max_abs_diff", parity);
    sha.forEach(b::setFile);
    return b.build();
  }

  private static String writeAtomically(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.write(tmp, bytes);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return sha256(bytes);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
