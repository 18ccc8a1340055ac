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
  public static final String QUIET_PERIOD_MS = "exam.quiet.period.ms";
  public static final String RETENTION_MS = "exam.retention.ms";
  public static final String VIEW_SUBSTITUTIONS = "exam.view.substitutions";
  public static final String THRESHOLD_SUSPICIOUS = "triage.threshold.suspicious";
  public static final String THRESHOLD_LOW = "triage.threshold.low";
  public static final String THRESHOLD_RISK5Y = "triage.threshold.risk5y";
  public static final String JSON_MIRROR = "streams.json.mirror.enabled";

  private TriageStreamsConfig() {}

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
            "Override of the model manifest's 5-year risk threshold (at or above it: mammo.risk.elevated.v1).");
  }
}
