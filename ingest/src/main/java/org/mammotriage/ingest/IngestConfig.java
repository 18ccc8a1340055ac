package org.mammotriage.ingest;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Configuration keys of the ingest module (DESIGN §3). */
public final class IngestConfig {
  public static final String DICOM_PORT = "ingest.dicom.port";
  public static final String AE_TITLE = "ingest.dicom.ae.title";
  public static final String ALLOWED_CALLING_AE_TITLES = "ingest.dicom.allowed.calling.ae.titles";
  public static final String PSEUDONYM_SECRET_FILE = "ingest.pseudonym.secret.file";
  public static final String PSEUDONYM_SECRET = "ingest.pseudonym.secret";
  public static final String DEMO = "ingest.demo";
  public static final String ACCEPT_SECONDARY_CAPTURE = "ingest.accept.secondary.capture";
  public static final String MAX_ROWS = "ingest.limit.rows";
  public static final String MAX_COLUMNS = "ingest.limit.columns";
  public static final String MAX_FRAMES = "ingest.limit.frames";
  public static final String MAX_BYTES = "ingest.limit.bytes";
  public static final String WORKING_ROWS = "ingest.working.rows";
  public static final String WORKING_COLUMNS = "ingest.working.columns";
  public static final String PUBLISH_TIMEOUT_MS = "ingest.publish.timeout.ms";

  private IngestConfig() {}

  /** Adds the ingest keys to a definition. */
  public static ConfigDef define(ConfigDef def) {
    return def.define(
            DICOM_PORT,
            Type.INT,
            11112,
            Range.between(0, 65535),
            Importance.HIGH,
            "TCP port of the DICOM C-STORE SCP; 0 picks a free port.")
        .define(
            AE_TITLE,
            Type.STRING,
            "MAMMOTRIAGE",
            new ConfigDef.NonEmptyString(),
            Importance.HIGH,
            "Called AE title of the SCP.")
        .define(
            ALLOWED_CALLING_AE_TITLES,
            Type.LIST,
            "",
            Importance.HIGH,
            "Calling AE titles allowed to associate, comma-separated; empty allows any. Others are refused at association.")
        .define(
            PSEUDONYM_SECRET_FILE,
            Type.STRING,
            "",
            Importance.HIGH,
            "File holding the secret key for the HMAC that turns PatientID into the pseudonymous patient key.")
        .define(
            PSEUDONYM_SECRET,
            Type.PASSWORD,
            null,
            Importance.HIGH,
            "The HMAC secret itself (prefer the file). Outside demo mode, start refuses to run without a secret.")
        .define(
            DEMO,
            Type.BOOLEAN,
            false,
            Importance.LOW,
            "Demo mode: use a throw-away pseudonymisation secret.")
        .define(
            ACCEPT_SECONDARY_CAPTURE,
            Type.BOOLEAN,
            false,
            Importance.MEDIUM,
            "Also accept Secondary Capture images whose Modality is MG (e.g. digitised film such as CBIS-DDSM).")
        .define(
            MAX_ROWS,
            Type.INT,
            8192,
            Range.atLeast(1),
            Importance.MEDIUM,
            "Largest Rows accepted; larger images are rejected TOO_LARGE.")
        .define(
            MAX_COLUMNS,
            Type.INT,
            8192,
            Range.atLeast(1),
            Importance.MEDIUM,
            "Largest Columns accepted; larger images are rejected TOO_LARGE.")
        .define(
            MAX_FRAMES,
            Type.INT,
            1,
            Range.atLeast(1),
            Importance.MEDIUM,
            "Largest NumberOfFrames accepted (mammograms are single-frame).")
        .define(
            MAX_BYTES,
            Type.LONG,
            256L * 1024 * 1024,
            Range.atLeast(1024),
            Importance.MEDIUM,
            "Largest DICOM object accepted in bytes; larger ones are rejected TOO_LARGE before their pixels are read.")
        .define(
            WORKING_ROWS,
            Type.INT,
            1520,
            Range.between(64, 8192),
            Importance.LOW,
            "Height of the working image in pixels.")
        .define(
            WORKING_COLUMNS,
            Type.INT,
            912,
            Range.between(64, 8192),
            Importance.LOW,
            "Width of the working image in pixels.")
        .define(
            PUBLISH_TIMEOUT_MS,
            Type.LONG,
            15_000L,
            Range.atLeast(100),
            Importance.MEDIUM,
            "How long a C-STORE waits for Kafka to acknowledge its record before it answers a failure status.");
  }
}
