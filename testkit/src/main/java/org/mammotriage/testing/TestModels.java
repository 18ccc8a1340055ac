package org.mammotriage.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.ModelThresholds;

/**
 * Reference ONNX model directories built in code (for tests, benchmarks and trying the pipeline),
 * honouring the model directory contract (DESIGN §5). The default exam scorer computes KNOWN
 * functions of its input, so tests can predict its outputs:
 *
 * <ul>
 *   <li>per-view mean m_v of the normalised input; per-breast mean b = Σ present·m_v / max(1, Σ
 *       present) over its two views
 *   <li>malignancy = sigmoid(A·b + B)
 *   <li>risk_k = sigmoid(BASE + k · softplus(G·mean(b_L, b_R))) for k = 1..5 (monotone)
 * </ul>
 *
 * Variants break the contract on purpose: NaN outputs, non-monotone risk, a wrong input shape, an
 * unknown output name. {@link Kind#CONV} is a small convolutional net of realistic cost, for
 * benchmarks.
 *
 * <p>{@link #writeV2} writes the same functions in model-directory contract 2 (an image encoder and
 * an exam head): for {@link Kind#KNOWN} the encoder gives an embedding of 16 copies of the view
 * mean and a per-view output {@code view_mean}; the head reads the malignancy from {@code
 * view_mean} and the risk from the embedding, so a head fed the wrong input scores wrongly. For
 * {@link Kind#CONV} the encoder is the convolutions (embedding [N, 64], no per-view output) and the
 * head the rest; each computes exactly what the contract-1 graph of the same kind computes.
 */
public final class TestModels {
  public static final float A = 2.0f;
  public static final float B = -1.0f;
  public static final float G = 1.5f;
  public static final float BASE = -3.0f;
  public static final double NORM_MEAN = 0.5;
  public static final double NORM_STD = 0.25;

  /** What the model does. */
  public enum Kind {
    KNOWN,
    NAN,
    NON_MONOTONE,
    WRONG_SHAPE,
    UNKNOWN_OUTPUT,
    CONV
  }

  private TestModels() {}

  /**
   * Writes a complete, valid model directory (both ONNX files + model.json with correct sha256s).
   */
  public static Path write(Path dir, Kind kind, String name, String version, int h, int w) {
    try {
      Files.createDirectories(dir);
      scorer(kind, h, w).write(dir.resolve("exam_scorer.onnx"));
      encoder(h, w, 16).write(dir.resolve("image_encoder.onnx"));
      manifest(name, version, h, w)
          .setFile(ModelManifest.EXAM_SCORER, sha256(dir.resolve(ModelManifest.EXAM_SCORER)))
          .setFile(ModelManifest.IMAGE_ENCODER, sha256(dir.resolve(ModelManifest.IMAGE_ENCODER)))
          .build()
          .write(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What every test model's manifest says besides its files and contract. */
  private static ModelManifest.Builder manifest(String name, String version, int h, int w) {
    return ModelManifest.builder()
        .setName(name)
        .setVersion(version)
        .optCreated("2026-11-22T00:00:00Z")
        .setProducer("mammotriage-testkit", "none")
        .setIntendedUse("TEST MODEL built in code - not for clinical use")
        .setInput(h, w, NORM_MEAN, NORM_STD)
        .setThresholds(new ModelThresholds(0.6, 0.2, 0.3, "fixed test values"))
        .setOpset(17);
  }

  public static Path write(Path dir, Kind kind, int h, int w) {
    return write(dir, kind, "test-" + kind.name().toLowerCase(), "1", h, w);
  }

  /**
   * Writes the bundled demo model as it was exported in contract 1 ({@code exam_scorer.onnx},
   * {@code image_encoder.onnx}, {@code model.json} of 2026-11-29): the same weights as {@code
   * models/demo-synthetic}, which holds them in contract 2. For tests and benchmarks that compare
   * the two contracts on a real exported model.
   */
  public static Path demoSyntheticV1(Path dir) {
    try {
      Files.createDirectories(dir);
      for (String f :
          new String[] {
            ModelManifest.EXAM_SCORER, ModelManifest.IMAGE_ENCODER, ModelManifest.FILE
          }) {
        try (var in = TestModels.class.getResourceAsStream("demo-synthetic-v1/" + f)) {
          if (in == null) {
            throw new IllegalStateException("testkit resource demo-synthetic-v1/" + f + " missing");
          }
          Files.copy(in, dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The per-view output of the contract-2 {@link Kind#KNOWN} encoder: the view's mean [N, 1]. */
  public static final String VIEW_MEAN = "view_mean";

  /** Embedding width of the contract-2 {@link Kind#KNOWN} encoder. */
  public static final int KNOWN_DIM = 16;

  /**
   * A complete, valid contract-2 directory ({@code image_encoder.onnx}, {@code exam_head.onnx},
   * model.json) computing what the contract-1 directory of the same kind computes.
   */
  public static Path writeV2(Path dir, Kind kind, String name, String version, int h, int w) {
    try {
      Files.createDirectories(dir);
      boolean conv = kind == Kind.CONV;
      (conv ? convEncoderV2(h, w) : encoderV2(kind, h, w))
          .write(dir.resolve(ModelManifest.IMAGE_ENCODER));
      (conv ? convHeadV2() : headV2(kind)).write(dir.resolve(ModelManifest.EXAM_HEAD));
      manifest(name, version, h, w)
          .setContractVersion(ModelManifest.CONTRACT_V2)
          .setEncoder(conv ? 64 : KNOWN_DIM, conv ? Map.of() : Map.of(VIEW_MEAN, 1))
          .setFile(ModelManifest.IMAGE_ENCODER, sha256(dir.resolve(ModelManifest.IMAGE_ENCODER)))
          .setFile(ModelManifest.EXAM_HEAD, sha256(dir.resolve(ModelManifest.EXAM_HEAD)))
          .build()
          .write(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path writeV2(Path dir, Kind kind, int h, int w) {
    return writeV2(dir, kind, "test-" + kind.name().toLowerCase(), "1", h, w);
  }

  /**
   * The expected malignancy of a breast whose present views have normalised means {@code means}.
   */
  public static double expectedMalignancy(double breastMean) {
    return sigmoid(A * breastMean + B);
  }

  public static double[] expectedRisk(double leftMean, double rightMean) {
    double t = Math.log1p(Math.exp(G * (leftMean + rightMean) / 2));
    double[] r = new double[5];
    for (int k = 0; k < 5; k++) {
      r[k] = sigmoid(BASE + (k + 1) * t);
    }
    return r;
  }

  /** The normalised value of a constant 8-bit gray level. */
  public static double normalised(int gray) {
    return (gray / 255.0 - NORM_MEAN) / NORM_STD;
  }

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  static OnnxGraphBuilder scorer(Kind kind, int h, int w) {
    if (kind == Kind.CONV) {
      return convScorer(h, w);
    }
    OnnxGraphBuilder g = new OnnxGraphBuilder("exam_scorer", 17);
    if (kind == Kind.WRONG_SHAPE) {
      g.input("views", -1, 4, h, w);
    } else {
      g.input("views", -1, 4, 1, h, w);
    }
    g.input("present", -1, 4);
    long[] axes = kind == Kind.WRONG_SHAPE ? new long[] {2, 3} : new long[] {2, 3, 4};
    String vm =
        g.node("ReduceMean", new String[] {"views"}, "view_mean", "axes", axes, "keepdims", 0);
    examFromViewMeans(g, kind, vm, vm);
    return g;
  }

  /**
   * The KNOWN exam arithmetic from per-view means [N, 4] (one for malignancy, one for risk) and
   * {@code present}; declares the outputs.
   */
  private static void examFromViewMeans(
      OnnxGraphBuilder g, Kind kind, String vmMalignancy, String vmRisk) {
    String p = g.constant("breast_of_slot", new float[] {1, 0, 1, 0, 0, 1, 0, 1}, 4, 2);
    String counts = g.node("MatMul", "present", p);
    String denom = g.node("Max", counts, g.scalar("one", 1f));
    String bm = g.node("Div", g.node("MatMul", g.node("Mul", vmMalignancy, "present"), p), denom);
    String bmRisk =
        vmRisk.equals(vmMalignancy)
            ? bm
            : g.node("Div", g.node("MatMul", g.node("Mul", vmRisk, "present"), p), denom);
    String logits = g.node("Add", g.node("Mul", bm, g.scalar("a", A)), g.scalar("b", B));
    String malName = kind == Kind.UNKNOWN_OUTPUT ? "malignancy_prob" : "malignancy";
    if (kind == Kind.NAN) {
      String sig = g.node("Sigmoid", logits);
      g.node("Mul", new String[] {sig, g.scalar("nan", Float.NaN)}, malName);
    } else {
      g.node("Sigmoid", new String[] {logits}, malName);
    }
    String s =
        g.node(
            "ReduceMean",
            new String[] {bmRisk},
            "exam_mean",
            "axes",
            new long[] {1},
            "keepdims",
            1);
    String t = g.node("Softplus", g.node("Mul", s, g.scalar("g", G)));
    float[] k =
        kind == Kind.NON_MONOTONE ? new float[] {5, 4, 3, 2, 1} : new float[] {1, 2, 3, 4, 5};
    String cum = g.node("MatMul", t, g.constant("years", k, 1, 5));
    g.node("Sigmoid", new String[] {g.node("Add", cum, g.scalar("base", BASE))}, "risk");
    g.output(malName, -1, 2).output("risk", -1, 5);
  }

  /** Contract-2 KNOWN encoder: embedding = 16 copies of the view mean, view_mean [N, 1]. */
  static OnnxGraphBuilder encoderV2(Kind kind, int h, int w) {
    OnnxGraphBuilder g = new OnnxGraphBuilder("image_encoder", 17);
    if (kind == Kind.WRONG_SHAPE) {
      g.input("image", -1, h, w);
    } else {
      g.input("image", -1, 1, h, w);
    }
    long[] axes = kind == Kind.WRONG_SHAPE ? new long[] {1, 2} : new long[] {1, 2, 3};
    String m = g.node("ReduceMean", new String[] {"image"}, null, "axes", axes, "keepdims", 0);
    String col = g.node("Unsqueeze", m, g.constantLong("ax1", new long[] {1}, 1));
    g.node("Identity", new String[] {col}, VIEW_MEAN);
    float[] ones = new float[KNOWN_DIM];
    java.util.Arrays.fill(ones, 1f);
    g.node("MatMul", new String[] {col, g.constant("spread", ones, 1, KNOWN_DIM)}, "embedding");
    g.output("embedding", -1, KNOWN_DIM).output(VIEW_MEAN, -1, 1);
    return g;
  }

  /** Contract-2 KNOWN head: malignancy from view_mean [N,4,1], risk from embedding [N,4,16]. */
  static OnnxGraphBuilder headV2(Kind kind) {
    OnnxGraphBuilder g = new OnnxGraphBuilder("exam_head", 17);
    g.input("embedding", -1, 4, KNOWN_DIM).input(VIEW_MEAN, -1, 4, 1).input("present", -1, 4);
    String vm = g.node("Reshape", VIEW_MEAN, g.constantLong("shape_vm", new long[] {-1, 4}, 2));
    String em =
        g.node(
            "ReduceMean", new String[] {"embedding"}, null, "axes", new long[] {2}, "keepdims", 0);
    examFromViewMeans(g, kind, vm, em);
    return g;
  }

  /** Three strided 3×3 convolutions and two small heads: costs like a real (tiny) model. */
  static OnnxGraphBuilder convScorer(int h, int w) {
    Random rnd = new Random(7);
    OnnxGraphBuilder g = new OnnxGraphBuilder("exam_scorer_conv", 17);
    g.input("views", -1, 4, 1, h, w).input("present", -1, 4);
    String x = g.node("Reshape", "views", g.constantLong("shape_img", new long[] {-1, 1, h, w}, 4));
    String pooled = convTrunk(g, rnd, x);
    String feats =
        g.node("Reshape", pooled, g.constantLong("shape_feat", new long[] {-1, 4, 64}, 3));
    convHead(g, rnd, feats);
    return g;
  }

  /** The CONV kind's convolutions as a contract-2 encoder: image → embedding [N, 64]. */
  static OnnxGraphBuilder convEncoderV2(int h, int w) {
    OnnxGraphBuilder g = new OnnxGraphBuilder("image_encoder_conv", 17);
    g.input("image", -1, 1, h, w);
    String pooled = convTrunk(g, new Random(7), "image");
    g.node(
        "Reshape",
        new String[] {pooled, g.constantLong("shape_emb", new long[] {-1, 64}, 2)},
        "embedding");
    g.output("embedding", -1, 64);
    return g;
  }

  /** The CONV kind's heads as a contract-2 exam head: embedding [N, 4, 64], present. */
  static OnnxGraphBuilder convHeadV2() {
    Random rnd = new Random(7);
    convWeights(rnd); // the head's weights come after the convolutions' in the seeded sequence
    OnnxGraphBuilder g = new OnnxGraphBuilder("exam_head_conv", 17);
    g.input("embedding", -1, 4, 64).input("present", -1, 4);
    convHead(g, rnd, "embedding");
    return g;
  }

  private static final int[] CONV_CHANNELS = {1, 16, 32, 64};

  private static float[][] convWeights(Random rnd) {
    float[][] wts = new float[3][];
    for (int i = 0; i < 3; i++) {
      int[] ch = CONV_CHANNELS;
      wts[i] = randn(rnd, ch[i + 1] * ch[i] * 9, Math.sqrt(2.0 / (ch[i] * 9)));
    }
    return wts;
  }

  /** [M, 1, h, w] → globally pooled features [M, 64, 1, 1]. */
  private static String convTrunk(OnnxGraphBuilder g, Random rnd, String x) {
    float[][] wts = convWeights(rnd);
    int[] ch = CONV_CHANNELS;
    for (int i = 0; i < 3; i++) {
      String wt = g.constant("conv" + i + "_w", wts[i], ch[i + 1], ch[i], 3, 3);
      String bias = g.constant("conv" + i + "_b", new float[ch[i + 1]], ch[i + 1]);
      x =
          g.node(
              "Relu",
              g.node(
                  "Conv",
                  new String[] {x, wt, bias},
                  null,
                  "kernel_shape",
                  new long[] {3, 3},
                  "strides",
                  new long[] {2, 2},
                  "pads",
                  new long[] {1, 1, 1, 1}));
    }
    return g.node("GlobalAveragePool", x);
  }

  /** features [N, 4, 64] and present → malignancy, risk (declared as outputs). */
  private static void convHead(OnnxGraphBuilder g, Random rnd, String feats) {
    String mask = g.node("Unsqueeze", "present", g.constantLong("ax2", new long[] {2}, 1));
    String masked = g.node("Mul", feats, mask);
    String perBreast =
        g.node("Reshape", masked, g.constantLong("shape_breast", new long[] {-1, 2, 2, 64}, 4));
    String breast =
        g.node("ReduceMax", new String[] {perBreast}, null, "axes", new long[] {2}, "keepdims", 0);
    String mal = g.node("MatMul", breast, g.constant("mal_w", randn(rnd, 64, 0.1), 64, 1));
    g.node(
        "Sigmoid",
        new String[] {g.node("Reshape", mal, g.constantLong("shape_mal", new long[] {-1, 2}, 2))},
        "malignancy");
    String exam =
        g.node("ReduceMean", new String[] {breast}, null, "axes", new long[] {1}, "keepdims", 0);
    String t =
        g.node(
            "Softplus", g.node("MatMul", exam, g.constant("risk_w", randn(rnd, 64, 0.1), 64, 1)));
    String cum = g.node("MatMul", t, g.constant("years", new float[] {1, 2, 3, 4, 5}, 1, 5));
    g.node("Sigmoid", new String[] {g.node("Add", cum, g.scalar("base", BASE))}, "risk");
    g.output("malignancy", -1, 2).output("risk", -1, 5);
  }

  static OnnxGraphBuilder encoder(int h, int w, int d) {
    OnnxGraphBuilder g = new OnnxGraphBuilder("image_encoder", 17);
    g.input("image", -1, 1, h, w);
    String m =
        g.node(
            "ReduceMean", new String[] {"image"}, null, "axes", new long[] {2, 3}, "keepdims", 0);
    float[] wts = new float[d];
    float[] bias = new float[d];
    for (int i = 0; i < d; i++) {
      wts[i] = (float) Math.cos(i);
      bias[i] = (float) Math.sin(i);
    }
    String e =
        g.node(
            "Add",
            g.node("MatMul", m, g.constant("enc_w", wts, 1, d)),
            g.constant("enc_b", bias, d));
    g.node("LpNormalization", new String[] {e}, "embedding", "axis", 1, "p", 2);
    g.output("embedding", -1, d);
    return g;
  }

  private static float[] randn(Random r, int n, double std) {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) (r.nextGaussian() * std);
    }
    return f;
  }

  public static String sha256(Path f) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
