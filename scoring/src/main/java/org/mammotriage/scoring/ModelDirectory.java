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
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.mammotriage.contract.ModelLoadException;
import org.mammotriage.contract.ModelManifest;

/**
 * Opens a model directory ({@code exam_scorer.onnx}, {@code image_encoder.onnx}, {@code
 * model.json}) and checks it against the contract of DESIGN §5 before anything is scored: manifest
 * fields, sha256 of each file, and the names, types and shapes of every input and output. Every
 * failure says what is wrong and what to do.
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
              + ModelManifest.EXAM_SCORER
              + ", "
              + ModelManifest.IMAGE_ENCODER
              + " and "
              + ModelManifest.FILE);
    }
    for (String f :
        new String[] {ModelManifest.FILE, ModelManifest.EXAM_SCORER, ModelManifest.IMAGE_ENCODER}) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        throw new ModelLoadException(
            "model directory "
                + dir
                + " has no "
                + f
                + "; a model directory needs "
                + ModelManifest.EXAM_SCORER
                + ", "
                + ModelManifest.IMAGE_ENCODER
                + " and "
                + ModelManifest.FILE
                + " (export one with ./run train export)");
      }
    }
    ModelManifest m = ModelManifest.read(dir.resolve(ModelManifest.FILE));
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
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (intraOpThreads > 0) {
        opts.setIntraOpNumThreads(intraOpThreads);
      }
      // ORT's worker threads spin after each run by default; on a small node that spinning takes
      // the cores the next exams' images are being decoded on
      opts.addConfigEntry("session.intra_op.allow_spinning", "0");
      String used = ExecutionDevice.configure(opts, device, deviceRequired);
      scorer = open(env, dir.resolve(ModelManifest.EXAM_SCORER), opts);
      encoder = open(env, dir.resolve(ModelManifest.IMAGE_ENCODER), opts);
      checkScorer(scorer, m);
      checkEncoder(encoder, m);
      String id = m.fileSha256().get(ModelManifest.EXAM_SCORER);
      return new LoadedModel(dir, m, scorer, encoder, used, id);
    } catch (OrtException e) {
      closeQuietly(scorer, encoder);
      throw new ModelLoadException(
          "ONNX Runtime cannot set up sessions for " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(scorer, encoder);
      throw e;
    }
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
              + ". Re-export the model with the names of DESIGN §5.");
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
