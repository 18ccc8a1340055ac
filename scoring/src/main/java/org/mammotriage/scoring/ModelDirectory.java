package org.mammotriage.scoring;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.ValueInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.mammotriage.contract.Calibration;
import org.mammotriage.contract.ModelLoadException;
import org.mammotriage.contract.ModelManifest;
import org.mammotriage.contract.domain.OodReference;

/**
 * Opens a model directory and checks it against the contract of DESIGN §5 before anything is
 * scored: manifest fields, sha256 of each file, and the names, types and shapes of every input and
 * output. Contract 1: {@code exam_scorer.onnx} and {@code image_encoder.onnx}; contract 2 ({@code
 * contract_version: 2} in {@code model.json}): {@code image_encoder.onnx} (image → embedding and
 * the declared per-view outputs) and {@code exam_head.onnx} (each encoder output stacked over the
 * four slots, and present → malignancy, risk). Every failure says what is wrong and what to do.
 */
public final class ModelDirectory {
  private ModelDirectory() {}

  /** Loads and validates; the caller owns (closes) the result. */
  public static LoadedModel load(
      Path dir, String device, boolean deviceRequired, int intraOpThreads) {
    if (!Files.isDirectory(dir)) {
      throw new ModelLoadException(
          "model directory "
              + dir
              + " does not exist; set scoring.model.dir to a folder with "
              + ModelManifest.FILE
              + " and the ONNX files it names ("
              + ModelManifest.IMAGE_ENCODER
              + " and "
              + ModelManifest.EXAM_HEAD
              + ", or "
              + ModelManifest.EXAM_SCORER
              + " and "
              + ModelManifest.IMAGE_ENCODER
              + " for contract 1)");
    }
    if (!Files.isRegularFile(dir.resolve(ModelManifest.FILE))) {
      throw missing(dir, ModelManifest.FILE, ModelManifest.filesOf(ModelManifest.CONTRACT_V2));
    }
    ModelManifest m = ModelManifest.read(dir.resolve(ModelManifest.FILE));
    for (String f : m.files()) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        throw missing(dir, f, m.files());
      }
    }
    for (Map.Entry<String, String> e : m.fileSha256().entrySet()) {
      String actual = sha256(dir.resolve(e.getKey()));
      if (!actual.equals(e.getValue())) {
        throw new ModelLoadException(
            "sha256 of "
                + dir.resolve(e.getKey())
                + " is "
                + actual
                + " but model.json says "
                + e.getValue()
                + ": the file was changed or damaged after export; restore it or re-export the model");
      }
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession scorer = null;
    OrtSession encoder = null;
    OrtSession head = null;
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (intraOpThreads > 0) {
        opts.setIntraOpNumThreads(intraOpThreads);
      }
      // ORT's worker threads spin after each run by default; on a small node that spinning takes
      // the cores the next exams' images are being decoded on
      opts.addConfigEntry("session.intra_op.allow_spinning", "0");
      String used = ExecutionDevice.configure(opts, device, deviceRequired);
      encoder = open(env, dir.resolve(ModelManifest.IMAGE_ENCODER), opts);
      if (m.encodesViews()) {
        head = open(env, dir.resolve(ModelManifest.EXAM_HEAD), opts);
        checkEncoderV2(encoder, m);
        checkHead(head, m);
      } else {
        scorer = open(env, dir.resolve(ModelManifest.EXAM_SCORER), opts);
        checkScorer(scorer, m);
        checkEncoder(encoder, m);
      }
      return new LoadedModel(dir, m, scorer, encoder, head, used, modelSha(m));
    } catch (OrtException e) {
      closeQuietly(scorer, encoder, head);
      throw new ModelLoadException(
          "ONNX Runtime cannot set up sessions for " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(scorer, encoder, head);
      throw e;
    }
  }

  /**
   * The sha256 a model is known by: contract 1, that of {@code exam_scorer.onnx} (as before);
   * contract 2, the sha256 of the text {@code
   * "image_encoder.onnx=<sha256>\nexam_head.onnx=<sha256>\n"}, so that a change of either graph is
   * another model. A calibrated model's text also holds its calibration map ({@code
   * "calibration=<method and parameters>\n"}, after the files; for contract 1 the text is then
   * {@code "exam_scorer.onnx=<sha256>\ncalibration=..."}), so a recalibration, which changes every
   * score and the thresholds, is another model too; an uncalibrated model keeps its id.
   */
  static String modelSha(ModelManifest m) {
    Calibration cal = m.calibration();
    if (!m.encodesViews() && cal == null) {
      return m.fileSha256().get(ModelManifest.EXAM_SCORER);
    }
    StringBuilder sb = new StringBuilder();
    for (String f : m.files()) {
      sb.append(f).append('=').append(m.fileSha256().get(f)).append('\n');
    }
    if (cal != null) {
      sb.append("calibration=").append(identity(cal)).append('\n');
    }
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The calibration map's method and parameters as text (not its provenance or evaluation). */
  static String identity(Calibration c) {
    if (Calibration.PLATT.equals(c.method())) {
      return "platt a=" + Double.toString(c.a()) + " b=" + Double.toString(c.b());
    }
    return c.method()
        + " x="
        + java.util.Arrays.toString(c.knotsX())
        + " y="
        + java.util.Arrays.toString(c.knotsY());
  }

  private static ModelLoadException missing(Path dir, String file, List<String> files) {
    return new ModelLoadException(
        "model directory "
            + dir
            + " has no "
            + file
            + "; a model directory needs "
            + ModelManifest.FILE
            + " and the ONNX files it names (here "
            + String.join(", ", files)
            + "); export one with ./run train export");
  }

  private static OrtSession open(OrtEnvironment env, Path file, OrtSession.SessionOptions opts) {
    try {
      return env.createSession(file.toString(), opts);
    } catch (OrtException e) {
      throw new ModelLoadException(
          file
              + " is not a loadable ONNX model ("
              + e.getMessage()
              + "); the file is corrupt or was written for another ONNX Runtime; re-export it",
          e);
    }
  }

  private static void checkScorer(OrtSession s, ModelManifest m) throws OrtException {
    String f = ModelManifest.EXAM_SCORER;
    expectNames(f, "inputs", s.getInputInfo().keySet(), Set.of("views", "present"));
    expectNames(f, "outputs", s.getOutputInfo().keySet(), Set.of("malignancy", "risk"));
    expectShape(
        f, "input views", s.getInputInfo().get("views"), -1, 4, 1, m.inputHeight(), m.inputWidth());
    expectShape(f, "input present", s.getInputInfo().get("present"), -1, 4);
    expectShape(f, "output malignancy", s.getOutputInfo().get("malignancy"), -1, 2);
    expectShape(f, "output risk", s.getOutputInfo().get("risk"), -1, 5);
  }

  private static void checkEncoder(OrtSession s, ModelManifest m) throws OrtException {
    String f = ModelManifest.IMAGE_ENCODER;
    expectNames(f, "inputs", s.getInputInfo().keySet(), Set.of("image"));
    expectNames(f, "outputs", s.getOutputInfo().keySet(), Set.of("embedding"));
    expectShape(
        f, "input image", s.getInputInfo().get("image"), -1, 1, m.inputHeight(), m.inputWidth());
    ValueInfo out = s.getOutputInfo().get("embedding").getInfo();
    if (!(out instanceof TensorInfo t) || t.getShape().length != 2) {
      throw new ModelLoadException(
          f + ": output embedding must be a float tensor [N, D], found " + out);
    }
  }

  /** Contract 2: image [N,1,H,W] → embedding [N,D] and each declared per-view output [N,K]. */
  private static void checkEncoderV2(OrtSession s, ModelManifest m) throws OrtException {
    String f = ModelManifest.IMAGE_ENCODER;
    expectNames(f, "inputs", s.getInputInfo().keySet(), Set.of("image"));
    Set<String> outs = new TreeSet<>(m.perViewOutputs().keySet());
    outs.add(ModelManifest.EMBEDDING);
    boolean features =
        m.domain() != null && m.domain().ood() != null && m.domain().ood().readsFeatures();
    if (features) {
      outs.add(OodReference.FEATURES_OUTPUT);
    }
    expectNames(f, "outputs", s.getOutputInfo().keySet(), outs);
    expectShape(
        f, "input image", s.getInputInfo().get("image"), -1, 1, m.inputHeight(), m.inputWidth());
    expectShape(
        f,
        "output " + ModelManifest.EMBEDDING,
        s.getOutputInfo().get(ModelManifest.EMBEDDING),
        -1,
        m.embeddingDim());
    for (Map.Entry<String, Integer> e : m.perViewOutputs().entrySet()) {
      expectShape(f, "output " + e.getKey(), s.getOutputInfo().get(e.getKey()), -1, e.getValue());
    }
    if (features) {
      expectShape(
          f,
          "output " + OodReference.FEATURES_OUTPUT + " (domain.ood.feature_dim)",
          s.getOutputInfo().get(OodReference.FEATURES_OUTPUT),
          -1,
          m.domain().ood().featureDim());
    }
  }

  /**
   * Contract 2: embedding [N,4,D], each per-view output [N,4,K], present [N,4] → malignancy [N,2],
   * risk [N,5].
   */
  private static void checkHead(OrtSession s, ModelManifest m) throws OrtException {
    String f = ModelManifest.EXAM_HEAD;
    Set<String> ins = new TreeSet<>(m.perViewOutputs().keySet());
    ins.add(ModelManifest.EMBEDDING);
    ins.add("present");
    expectNames(f, "inputs", s.getInputInfo().keySet(), ins);
    expectNames(f, "outputs", s.getOutputInfo().keySet(), Set.of("malignancy", "risk"));
    expectShape(
        f,
        "input " + ModelManifest.EMBEDDING,
        s.getInputInfo().get(ModelManifest.EMBEDDING),
        -1,
        4,
        m.embeddingDim());
    for (Map.Entry<String, Integer> e : m.perViewOutputs().entrySet()) {
      expectShape(f, "input " + e.getKey(), s.getInputInfo().get(e.getKey()), -1, 4, e.getValue());
    }
    expectShape(f, "input present", s.getInputInfo().get("present"), -1, 4);
    expectShape(f, "output malignancy", s.getOutputInfo().get("malignancy"), -1, 2);
    expectShape(f, "output risk", s.getOutputInfo().get("risk"), -1, 5);
  }

  private static void expectNames(
      String file, String what, Set<String> actual, Set<String> expected) {
    if (!actual.equals(expected)) {
      Set<String> unknown = new TreeSet<>(actual);
      unknown.removeAll(expected);
      Set<String> missing = new TreeSet<>(expected);
      missing.removeAll(actual);
      throw new ModelLoadException(
          file
              + ": "
              + what
              + " must be exactly "
              + new TreeSet<>(expected)
              + (unknown.isEmpty() ? "" : "; unknown name(s) " + unknown)
              + (missing.isEmpty() ? "" : "; missing " + missing)
              + ". Re-export the model with the names of DESIGN §5 and model.json.");
    }
  }

  /** -1 in {@code expected} accepts any size (the batch dimension). */
  private static void expectShape(String file, String what, NodeInfo node, long... expected) {
    ValueInfo vi = node.getInfo();
    if (!(vi instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
      throw new ModelLoadException(file + ": " + what + " must be a float32 tensor, found " + vi);
    }
    long[] shape = t.getShape();
    boolean ok = shape.length == expected.length;
    for (int i = 0; ok && i < shape.length; i++) {
      ok = expected[i] == -1 || shape[i] == -1 || shape[i] == expected[i];
    }
    if (!ok) {
      throw new ModelLoadException(
          file
              + ": "
              + what
              + " has shape "
              + Arrays.toString(shape)
              + " but the contract"
              + " (and model.json's input size) needs "
              + Arrays.toString(expected).replace("-1", "N"));
    }
  }

  static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void closeQuietly(OrtSession... sessions) {
    for (OrtSession s : sessions) {
      if (s != null) {
        try {
          s.close();
        } catch (OrtException ignored) {
          // already failing; the first error is the one to report
        }
      }
    }
  }
}
