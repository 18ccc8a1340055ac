package org.mammotriage.ingest;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.mammotriage.ingest.dicom.Limits;

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
  public static final String MAX_SEQUENCE_DEPTH = "ingest.limit.sequence.depth";
  public static final String MAX_ELEMENTS = "ingest.limit.elements";
  public static final String MAX_VALUE_LENGTH = "ingest.limit.header.value.length";
  public static final String BIND_ADDRESS = "ingest.dicom.bind.address";
  public static final String MAX_ASSOCIATIONS = "ingest.dicom.max.associations";
  public static final String MAX_ASSOCIATIONS_PER_PEER = "ingest.dicom.max.associations.per.peer";
  public static final String REQUEST_TIMEOUT_MS = "ingest.dicom.timeout.request.ms";
  public static final String IDLE_TIMEOUT_MS = "ingest.dicom.timeout.idle.ms";
  public static final String READ_TIMEOUT_MS = "ingest.dicom.timeout.read.ms";
  public static final String MAX_PDU_LENGTH = "ingest.dicom.max.pdu.length";
  public static final String SHUTDOWN_GRACE_MS = "ingest.shutdown.grace.ms";
  public static final String PROCESSING_CONCURRENCY = "ingest.processing.concurrency";
  public static final String TLS_ENABLED = "ingest.dicom.tls.enabled";
  public static final String TLS_KEYSTORE = "ingest.dicom.tls.keystore.location";
  public static final String TLS_KEYSTORE_PASSWORD = "ingest.dicom.tls.keystore.password";
  public static final String TLS_KEYSTORE_TYPE = "ingest.dicom.tls.keystore.type";
  public static final String TLS_TRUSTSTORE = "ingest.dicom.tls.truststore.location";
  public static final String TLS_TRUSTSTORE_PASSWORD = "ingest.dicom.tls.truststore.password";
  public static final String TLS_TRUSTSTORE_TYPE = "ingest.dicom.tls.truststore.type";
  public static final String TLS_CLIENT_AUTH = "ingest.dicom.tls.client.auth";
  public static final String TLS_PROTOCOLS = "ingest.dicom.tls.protocols";

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
            "How long a C-STORE waits for Kafka to acknowledge its record before it answers a failure status.")
        .define(
            MAX_SEQUENCE_DEPTH,
            Type.INT,
            Limits.DEFAULT_SEQUENCE_DEPTH,
            Range.between(1, 256),
            Importance.LOW,
            "Deepest nesting of sequences in a header; deeper objects are rejected LIMIT_EXCEEDED before they are parsed.")
        .define(
            MAX_ELEMENTS,
            Type.INT,
            Limits.DEFAULT_ELEMENTS,
            Range.atLeast(100),
            Importance.LOW,
            "Most data elements in one object, sequence items and pixel data fragments included; more are rejected LIMIT_EXCEEDED.")
        .define(
            MAX_VALUE_LENGTH,
            Type.INT,
            Limits.DEFAULT_VALUE_LENGTH,
            Range.atLeast(64),
            Importance.LOW,
            "Longest value in bytes of one text attribute (AE AS CS DA DS DT IS LO LT PN SH ST TM UC UI UR UT); longer ones are rejected LIMIT_EXCEEDED.")
        .define(
            BIND_ADDRESS,
            Type.STRING,
            "",
            Importance.MEDIUM,
            "Local address the DICOM SCP listens on; empty listens on every interface.")
        .define(
            MAX_ASSOCIATIONS,
            Type.INT,
            64,
            Range.between(1, 4096),
            Importance.MEDIUM,
            "Most connections the SCP holds at once (associated or awaiting their A-ASSOCIATE-RQ); more are refused with A-ASSOCIATE-RJ (transient, local limit exceeded).")
        .define(
            MAX_ASSOCIATIONS_PER_PEER,
            Type.INT,
            16,
            Range.between(1, 4096),
            Importance.MEDIUM,
            "Most connections from one peer address at once. A new one over the cap closes that peer's oldest connection still awaiting its A-ASSOCIATE-RQ, else it is refused with A-ASSOCIATE-RJ (transient).")
        .define(
            REQUEST_TIMEOUT_MS,
            Type.LONG,
            10_000L,
            Range.atLeast(100),
            Importance.LOW,
            "ARTIM: how long a new connection may take to send its whole A-ASSOCIATE-RQ before it is closed.")
        .define(
            IDLE_TIMEOUT_MS,
            Type.LONG,
            60_000L,
            Range.atLeast(100),
            Importance.LOW,
            "How long an association may stay silent between DIMSE messages before it is aborted.")
        .define(
            READ_TIMEOUT_MS,
            Type.LONG,
            30_000L,
            Range.atLeast(100),
            Importance.LOW,
            "How long the SCP waits for the next PDU of a DIMSE message it is receiving before it aborts the association.")
        .define(
            MAX_PDU_LENGTH,
            Type.INT,
            65_536,
            Range.between(4096, 16 * 1024 * 1024),
            Importance.LOW,
            "Maximum PDU length the SCP offers; a peer's P-DATA PDU longer than this aborts the association.")
        .define(
            SHUTDOWN_GRACE_MS,
            Type.LONG,
            30_000L,
            Range.atLeast(0),
            Importance.LOW,
            "On SIGTERM: how long C-STOREs in flight may take to finish. New associations are refused (transient) at once; C-STOREs that arrive meanwhile, and any still running when it ends, are answered 0xA700 (retry).")
        .define(
            PROCESSING_CONCURRENCY,
            Type.INT,
            2,
            Range.between(1, 256),
            Importance.MEDIUM,
            "How many received instances are decoded and preprocessed at once, across all associations; bounds the heap (each full-size image needs up to about 250 MB while it is processed).")
        .define(
            TLS_ENABLED,
            Type.BOOLEAN,
            false,
            Importance.MEDIUM,
            "DICOM over TLS (PS3.15 B.1): the SCP accepts TLS connections only. Needs a key store.")
        .define(
            TLS_KEYSTORE,
            Type.STRING,
            "",
            Importance.MEDIUM,
            "Key store with the SCP's private key and certificate (TLS).")
        .define(
            TLS_KEYSTORE_PASSWORD,
            Type.PASSWORD,
            null,
            Importance.MEDIUM,
            "Password of the key store (and of the key in it).")
        .define(
            TLS_KEYSTORE_TYPE,
            Type.STRING,
            "PKCS12",
            ConfigDef.ValidString.in("PKCS12", "JKS"),
            Importance.LOW,
            "Type of the key store.")
        .define(
            TLS_TRUSTSTORE,
            Type.STRING,
            "",
            Importance.MEDIUM,
            "Trust store with the certificates (or their CAs) of the modalities allowed to connect; empty uses the JVM's default trust store.")
        .define(
            TLS_TRUSTSTORE_PASSWORD,
            Type.PASSWORD,
            null,
            Importance.LOW,
            "Password of the trust store.")
        .define(
            TLS_TRUSTSTORE_TYPE,
            Type.STRING,
            "PKCS12",
            ConfigDef.ValidString.in("PKCS12", "JKS"),
            Importance.LOW,
            "Type of the trust store.")
        .define(
            TLS_CLIENT_AUTH,
            Type.STRING,
            "required",
            ConfigDef.ValidString.in("required", "requested", "none"),
            Importance.MEDIUM,
            "Whether a sender must present a certificate the trust store trusts (required: PS3.15 B.1 mutual authentication).")
        .define(
            TLS_PROTOCOLS,
            Type.LIST,
            "TLSv1.3,TLSv1.2",
            Importance.LOW,
            "TLS protocol versions the SCP accepts.");
  }
}
