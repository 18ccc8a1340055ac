package org.mammotriage.streams;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Configuration keys of the streams app (DESIGN §4). */
public final class TriageStreamsConfig {
  public static final String APPLICATION_ID = "streams.application.id";
  public static final String STATE_DIR = "streams.state.dir";
  public static final String NUM_THREADS = "streams.num.threads";
  public static final String ENCODE_AHEAD_THREADS = "streams.encode.ahead.threads";
  public static final String ENCODE_AHEAD_LOOKAHEAD = "streams.encode.ahead.lookahead";
  public static final String QUIET_PERIOD_MS = "exam.quiet.period.ms";
  public static final String RETENTION_MS = "exam.retention.ms";
  public static final String VIEW_SUBSTITUTIONS = "exam.view.substitutions";
  public static final String THRESHOLD_SUSPICIOUS = "triage.threshold.suspicious";
  public static final String THRESHOLD_LOW = "triage.threshold.low";
  public static final String THRESHOLD_RISK5Y = "triage.threshold.risk5y";
  public static final String JSON_MIRROR = "streams.json.mirror.enabled";
  public static final String DOMAIN_ENFORCE = "triage.domain.enforce";
  public static final String DRIFT_WINDOW = "drift.window.exams";
  public static final String DRIFT_MIN = "drift.min.exams";
  public static final String DRIFT_PSI = "drift.psi.threshold";

  private TriageStreamsConfig() {}

  /** The drift monitor's settings from the configuration. */
  public static DriftMonitor.Settings driftSettings(org.mammotriage.config.MammoConfig c) {
    return new DriftMonitor.Settings(
        c.getInt(DRIFT_WINDOW), c.getInt(DRIFT_MIN), c.getDouble(DRIFT_PSI), 200);
  }

  /** Adds the streams keys to a definition. */
  public static ConfigDef define(ConfigDef def) {
    return def.define(
            JSON_MIRROR,
            Type.BOOLEAN,
            false,
            Importance.LOW,
            "Also write every decision as plain JSON to mammo.triage.<category>.json.v1 and"
                + " mammo.risk.elevated.json.v1 (readable with kcat), for integrators without Avro.")
        .define(
            APPLICATION_ID,
            Type.STRING,
            "mammotriage-streams",
            new ConfigDef.NonEmptyString(),
            Importance.HIGH,
            "Kafka Streams application.id: instances with the same id share the work.")
        .define(
            STATE_DIR,
            Type.STRING,
            "/tmp/mammotriage-streams",
            Importance.HIGH,
            "Directory for the local state stores.")
        .define(
            NUM_THREADS,
            Type.INT,
            1,
            Range.between(1, 64),
            Importance.MEDIUM,
            "Stream threads in this instance.")
        .define(
            ENCODE_AHEAD_THREADS,
            Type.INT,
            -1,
            Range.between(-1, 64),
            Importance.MEDIUM,
            "Threads that decode and encode arriving images (contract-2 models) ahead of the"
                + " stream threads, as soon as a poll returns them, so the cores work in parallel"
                + " while each stream thread still applies its records one at a time in order"
                + " (exactly-once unchanged). -1: one per core; 0: off, each stream thread encodes"
                + " its images itself.")
        .define(
            ENCODE_AHEAD_LOOKAHEAD,
            Type.INT,
            -1,
            Range.between(-1, 4096),
            Importance.LOW,
            "Images whose encoding is not done yet that a stream thread may hold while it goes on"
                + " with later records and polls again (an exam is released once its encodings"
                + " are done, in the order the exams completed), so the encode-ahead workers are"
                + " not left idle at each poll. -1: 8 per encode-ahead thread; 0: the stream"
                + " thread waits for each image's encoding when it reaches the image.")
        .define(
            QUIET_PERIOD_MS,
            Type.LONG,
            120_000L,
            Range.atLeast(0),
            Importance.HIGH,
            "An exam with no new image for this long (wall clock) is released as a partial exam.")
        .define(
            RETENTION_MS,
            Type.LONG,
            7L * 24 * 3600 * 1000,
            Range.atLeast(0),
            Importance.MEDIUM,
            "How long a released exam stays in the store to catch late images (making version n+1) before it is removed.")
        .define(
            VIEW_SUBSTITUTIONS,
            Type.LIST,
            "",
            Importance.LOW,
            "Views that may fill a slot when the standard one is missing, as VIEW:SLOTVIEW pairs, e.g. ML:MLO.")
        .define(
            THRESHOLD_SUSPICIOUS,
            Type.DOUBLE,
            null,
            Importance.MEDIUM,
            "Override of the model manifest's suspicious threshold (exam score at or above it: suspicious).")
        .define(
            THRESHOLD_LOW,
            Type.DOUBLE,
            null,
            Importance.MEDIUM,
            "Override of the model manifest's low threshold (exam score below it: low).")
        .define(
            THRESHOLD_RISK5Y,
            Type.DOUBLE,
            null,
            Importance.MEDIUM,
            "Override of the model manifest's 5-year risk threshold (at or above it: mammo.risk.elevated.v1).")
        .define(
            DOMAIN_ENFORCE,
            Type.STRING,
            "true",
            ConfigDef.ValidString.in("true", "false", "header-only"),
            Importance.HIGH,
            "Domain gate (model.json domain): true = an exam outside the model's validated domain"
                + " (header checks, model-input statistics, OOD score per view) goes to"
                + " mammo.triage.out_of_domain.v1 instead of its score's category; false = the"
                + " verdict is computed and written (ExamScore/TriageDecision domainVerdict) but"
                + " routing is by score; header-only = only the header checks count. A model"
                + " without a domain section: verdict NOT_CHECKED, routing as before.")
        .define(
            DRIFT_WINDOW,
            Type.INT,
            200,
            Range.between(10, 100_000),
            Importance.LOW,
            "Drift monitoring: the last this many exams of a source (calling AE; manufacturer/model)"
                + " are compared with the model's validation reference (model.json"
                + " domain.reference).")
        .define(
            DRIFT_MIN,
            Type.INT,
            30,
            Range.atLeast(1),
            Importance.LOW,
            "Drift monitoring: no figures for a source before it has this many exams.")
        .define(
            DRIFT_PSI,
            Type.DOUBLE,
            0.2,
            Range.atLeast(0.0),
            Importance.LOW,
            "Drift monitoring: a source whose population stability index (PSI) of a statistic"
                + " (suspicion, OOD score, model-input mean/std, category shares) exceeds this has"
                + " drifted: gauge mammotriage_drift_alert=1 and one WARN log line per crossing.");
  }
}
