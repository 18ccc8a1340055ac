package org.mammotriage.scoring;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Configuration keys of the scoring module (DESIGN §5). */
public final class ScoringConfig {
  public static final String MODEL_DIR = "scoring.model.dir";
  public static final String DEVICE = "scoring.device";
  public static final String DEVICE_REQUIRED = "scoring.device.required";
  public static final String BATCH_MAX = "scoring.batch.max";
  public static final String BATCH_LINGER_MS = "scoring.batch.linger.ms";
  public static final String INTRA_OP_THREADS = "scoring.intra.op.threads";
  public static final String MODEL_WATCH_INTERVAL_MS = "scoring.model.watch.interval.ms";
  public static final String ADMIN_TOKEN_FILE = "scoring.admin.token.file";

  private ScoringConfig() {}

  /** Adds the scoring keys to a definition. */
  public static ConfigDef define(ConfigDef def) {
    return def.define(
            MODEL_DIR,
            Type.STRING,
            "",
            Importance.HIGH,
            "Model directory: model.json and the ONNX files it names (contract 2: image_encoder.onnx and exam_head.onnx; contract 1: exam_scorer.onnx and image_encoder.onnx). Empty: the bundled "
                + "synthetic demo model (models/demo-synthetic), which is not for clinical use.")
        .define(
            DEVICE,
            Type.STRING,
            "auto",
            ConfigDef.ValidString.in("auto", "cuda", "cpu"),
            Importance.MEDIUM,
            "Execution provider: auto tries CUDA and falls back to CPU with one log line; cuda asks for CUDA; cpu never tries CUDA.")
        .define(
            DEVICE_REQUIRED,
            Type.BOOLEAN,
            false,
            Importance.MEDIUM,
            "With scoring.device=cuda: refuse to start when CUDA cannot be used instead of falling back to CPU.")
        .define(
            BATCH_MAX,
            Type.INT,
            8,
            Range.between(1, 256),
            Importance.MEDIUM,
            "Largest number of exams scored in one ONNX Runtime run when several are waiting.")
        .define(
            BATCH_LINGER_MS,
            Type.LONG,
            5L,
            Range.atLeast(0),
            Importance.LOW,
            "How long a batch waits for more exams before it runs, in milliseconds.")
        .define(
            INTRA_OP_THREADS,
            Type.INT,
            0,
            Range.atLeast(0),
            Importance.LOW,
            "ONNX Runtime intra-op threads per session; 0 lets ONNX Runtime choose (one per core).")
        .define(
            MODEL_WATCH_INTERVAL_MS,
            Type.LONG,
            10_000L,
            Range.atLeast(0),
            Importance.MEDIUM,
            "How often the model directory is checked for a new model (copied over it, or a symlink swapped),"
                + " which is then validated and activated without restart; exams in flight finish on the old"
                + " model, and a directory that does not load leaves the old one scoring. 0: no watching.")
        .define(
            ADMIN_TOKEN_FILE,
            Type.STRING,
            "",
            Importance.MEDIUM,
            "File holding the bearer token for the ops port's /admin/model (GET: the active model; POST with a"
                + " model directory path as body: activate it without restart). Empty: /admin/model is disabled.");
  }
}
