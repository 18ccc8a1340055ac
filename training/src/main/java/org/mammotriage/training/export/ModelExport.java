package org.mammotriage.training.export;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
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
 * Writes a model directory (DESIGN §5) from a trained {@link ExamScorerBlock}: the ONNX graphs, a
 * parity check of each against the DJL forward pass (random inputs, with and without missing views;
 * the export fails above the tolerance), and {@code model.json} with sha256s, thresholds, metrics
 * and the parity figures.
 *
 * <p>Contract 2 (the default): {@code image_encoder.onnx} (image → embedding and the view's
 * malignancy logit) and {@code exam_head.onnx} (the four views' encodings and present → malignancy,
 * risk). Besides each graph against DJL, the composition (encoder on each view, head on the four
 * encodings, missing views zeros) is checked against DJL's whole exam and against the contract-1
 * whole-exam graph of the same weights. Contract 1 ({@code exam_scorer.onnx} and {@code
 * image_encoder.onnx}) is still written on request.
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

  /** Writes a contract-2 directory. */
  public Result write(ExamScorerBlock scorer, ModelCard card, Path out) throws IOException {
    return write(scorer, card, out, ModelManifest.CONTRACT_V2);
  }

  /** Writes a directory of the given contract ({@link ModelManifest#CONTRACT_V1} or 2). */
  public Result write(ExamScorerBlock scorer, ModelCard card, Path out, int contract)
      throws IOException {
    if (contract == ModelManifest.CONTRACT_V2) {
      return writeV2(scorer, card, out);
    }
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
    manifest(scorer, card, sha, parity).build().write(out);
    LOG.info("exported model {} to {} (parity max abs diff {})", card.name(), out, parity);
    return new Result(out, parity, sha);
  }

  private Result writeV2(ExamScorerBlock scorer, ModelCard card, Path out) throws IOException {
    Files.createDirectories(out);
    ExamModelGraphs graphs = new ExamModelGraphs(exporter);
    byte[] encoder = graphs.viewEncoder(scorer).toByteArray();
    byte[] head = graphs.examHead(scorer).toByteArray();
    byte[] wholeExam = graphs.examScorer(scorer).toByteArray();
    Map<String, Double> parity = checkParityV2(scorer, encoder, head, wholeExam);
    Map<String, String> sha = new LinkedHashMap<>();
    sha.put(IMAGE_ENCODER, writeAtomically(out.resolve(IMAGE_ENCODER), encoder));
    sha.put(ModelManifest.EXAM_HEAD, writeAtomically(out.resolve(ModelManifest.EXAM_HEAD), head));
    manifest(scorer, card, sha, parity)
        .setContractVersion(ModelManifest.CONTRACT_V2)
        .setEncoder(scorer.heads().config().embeddingDim(), Map.of(ExamModelGraphs.VIEW_LOGIT, 1))
        .optOutput(
            ExamModelGraphs.VIEW_LOGIT,
            "[N,1] the view's malignancy logit (image_encoder; exam_head takes [N,4,1])")
        .build()
        .write(out);
    LOG.info(
        "exported model {} (contract 2) to {} (parity max abs diff {})", card.name(), out, parity);
    return new Result(out, parity, sha);
  }

  /** Three exams, all views present and some missing; missing views are zero images. */
  private static List<float[][]> parityCases(int h, int w) {
    java.util.Random rnd = new java.util.Random(17);
    float[][] presents = {
      {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0}
    };
    List<float[][]> cases = new java.util.ArrayList<>();
    for (float[] present : presents) {
      float[] views = new float[3 * 4 * h * w];
      for (int v = 0; v < 12; v++) {
        for (int i = 0; i < h * w; i++) {
          views[v * h * w + i] = present[v] == 0f ? 0f : (float) rnd.nextGaussian();
        }
      }
      cases.add(new float[][] {views, present});
    }
    return cases;
  }

  /**
   * Contract 2: the encoder's two outputs and the head's two outputs against DJL, and the
   * composition against DJL's whole exam and the contract-1 graph of the same weights.
   */
  private Map<String, Double> checkParityV2(
      ExamScorerBlock scorer, byte[] encoder, byte[] head, byte[] wholeExam) {
    int h = scorer.height();
    int w = scorer.width();
    int d = scorer.heads().config().embeddingDim();
    Map<String, Double> worst = new LinkedHashMap<>();
    List<float[][]> cases = parityCases(h, w);
    try (NDManager m = NDManager.newBaseManager();
        ContractTwoComposition two =
            new ContractTwoComposition(
                encoder, head, Map.of(ExamModelGraphs.VIEW_LOGIT, 1), h, w)) {
      ParameterStore ps = new ParameterStore(m, false);
      for (float[][] c : cases) {
        NDArray views = m.create(c[0], new Shape(3, 4, 1, h, w));
        NDArray present = m.create(c[1], new Shape(3, 4));
        // the encoder against DJL, on every view
        NDArray emb =
            scorer.encoder().forward(ps, new NDList(views.reshape(12, 1, h, w)), false).head();
        NDArray logit =
            scorer.heads().malignancy().probe().forward(ps, new NDList(emb), false).head();
        Map<String, float[]> enc = two.encode(c[0], 12);
        worst.merge(
            "encoder." + ExamModelGraphs.EMBEDDING,
            OrtGraphRun.maxAbsDiff(enc.get(ExamModelGraphs.EMBEDDING), emb.toFloatArray()),
            Math::max);
        worst.merge(
            "encoder." + ExamModelGraphs.VIEW_LOGIT,
            OrtGraphRun.maxAbsDiff(enc.get(ExamModelGraphs.VIEW_LOGIT), logit.toFloatArray()),
            Math::max);
        // the head against DJL's heads, on DJL's encodings (missing views zeros)
        NDArray col = present.reshape(12, 1);
        NDArray embeddings = emb.mul(col).reshape(3, 4, d);
        NDArray logits = logit.mul(col).reshape(3, 4, 1);
        NDList out = scorer.heads().forward(ps, new NDList(embeddings, present), false);
        NDArray mal =
            scorer.heads().config().aggregation().apply(Activation.sigmoid(out.get(0)), present);
        NDArray risk = Activation.sigmoid(out.get(1));
        try (OrtGraphRun hr = new OrtGraphRun(head)) {
          Map<String, float[]> got =
              hr.run(
                  Map.of(
                      ExamModelGraphs.EMBEDDING,
                      new OrtGraphRun.Tensor(embeddings.toFloatArray(), 3, 4, d),
                      ExamModelGraphs.VIEW_LOGIT,
                      new OrtGraphRun.Tensor(logits.toFloatArray(), 3, 4, 1),
                      ExamModelGraphs.PRESENT,
                      new OrtGraphRun.Tensor(c[1], 3, 4)));
          worst.merge(
              "head." + ExamModelGraphs.MALIGNANCY,
              OrtGraphRun.maxAbsDiff(got.get(ExamModelGraphs.MALIGNANCY), mal.toFloatArray()),
              Math::max);
          worst.merge(
              "head." + ExamModelGraphs.RISK,
              OrtGraphRun.maxAbsDiff(got.get(ExamModelGraphs.RISK), risk.toFloatArray()),
              Math::max);
        }
        // the composition against DJL's whole exam
        NDList whole = scorer.forward(ps, new NDList(views, present), false);
        Map<String, float[]> composed = two.score(c[0], c[1], 3);
        worst.merge(
            "composition_vs_djl." + ExamModelGraphs.MALIGNANCY,
            OrtGraphRun.maxAbsDiff(
                composed.get(ExamModelGraphs.MALIGNANCY), whole.get(0).toFloatArray()),
            Math::max);
        worst.merge(
            "composition_vs_djl." + ExamModelGraphs.RISK,
            OrtGraphRun.maxAbsDiff(composed.get(ExamModelGraphs.RISK), whole.get(1).toFloatArray()),
            Math::max);
      }
      two.against(wholeExam, cases, 3)
          .forEach((k, v) -> worst.put("composition_vs_contract_1." + k, v));
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime could not run the exported graph: " + e.getMessage(), e);
    }
    requireWithinTolerance(worst);
    return worst;
  }

  private static void requireWithinTolerance(Map<String, Double> worst) {
    worst.forEach(
        (k, v) -> {
          if (!(v <= PARITY_TOLERANCE)) {
            throw new IllegalStateException(
                "exported output "
                    + k
                    + " differs by "
                    + v
                    + " (> "
                    + PARITY_TOLERANCE
                    + "): a layer mapping is wrong; nothing was written");
          }
        });
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

  private static ModelManifest.Builder manifest(
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
    return b;
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
