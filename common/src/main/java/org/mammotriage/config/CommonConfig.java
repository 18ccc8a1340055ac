package org.mammotriage.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Keys every process shares: Kafka, the schema registry, the ops HTTP port. Modules add theirs to a
 * copy.
 */
public final class CommonConfig {
  public static final String KAFKA_BOOTSTRAP = "kafka.bootstrap.servers";
  public static final String REGISTRY_URL = "schema.registry.url";
  public static final String REGISTRY_AUTH = "schema.registry.basic.auth.user.info";
  public static final String REGISTRY_TRUSTSTORE = "schema.registry.ssl.truststore.location";
  public static final String REGISTRY_TRUSTSTORE_PASSWORD =
      "schema.registry.ssl.truststore.password";
  public static final String REGISTRY_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  public static final String REGISTRY_TIMEOUT = "schema.registry.request.timeout.ms";
  public static final String REGISTRY_AUTO_REGISTER = "schema.registry.auto.register";
  public static final String REGISTRY_COMPATIBILITY = "schema.registry.compatibility";
  public static final String REGISTRY_SUBJECT_NAME_STRATEGY =
      "schema.registry.subject.name.strategy";
  public static final String REGISTRY_CACHE_TTL = "schema.registry.cache.ttl.ms";
  public static final String REGISTRY_RETRY_BACKOFF = "schema.registry.retry.backoff.ms";
  public static final String REGISTRY_RETRY_BACKOFF_MAX = "schema.registry.retry.backoff.max.ms";
  public static final String REGISTRY_RETRY_TIMEOUT = "schema.registry.retry.timeout.ms";
  public static final String OPS_HTTP_PORT = "ops.http.port";
  public static final String OPS_HTTP_BIND_ADDRESS = "ops.http.bind.address";

  /** The default ops port of processes that do not choose their own (streams). */
  public static final int DEFAULT_OPS_HTTP_PORT = 8080;

  public static final String OPS_METRICS_LOG_INTERVAL = "ops.metrics.log.interval.ms";
  public static final String IMAGES_STORE_DIR = "images.store.dir";
  public static final String IMAGES_STORE_RETENTION_MS = "images.store.retention.ms";

  private CommonConfig() {}

  /** A fresh definition holding the common keys; modules define their own keys on it. */
  public static ConfigDef define() {
    return define(DEFAULT_OPS_HTTP_PORT);
  }

  /**
   * The common keys with a process's own default ops port, so that two processes started side by
   * side with defaults (ingest and streams) do not both want 8080.
   */
  public static ConfigDef define(int defaultOpsHttpPort) {
    return new ConfigDef()
        .define(
            KAFKA_BOOTSTRAP,
            Type.STRING,
            "localhost:9092",
            new ConfigDef.NonEmptyString(),
            Importance.HIGH,
            "Kafka bootstrap servers, host:port[,host:port]. Any other Kafka client setting can be given as "
                + "kafka.<client key>, e.g. kafka.security.protocol=SSL.")
        .define(
            REGISTRY_URL,
            Type.STRING,
            "",
            Importance.MEDIUM,
            "Base URL of a Confluent-compatible schema registry (Confluent, Apicurio ccompat"
                + " http://HOST:8080/apis/ccompat/v7, Karapace); several, comma-separated, are"
                + " tried in turn (fail-over). Empty: Avro single-object encoding without a"
                + " registry.")
        .define(
            REGISTRY_AUTH,
            Type.PASSWORD,
            null,
            Importance.LOW,
            "Basic auth for the schema registry as user:password.")
        .define(
            REGISTRY_TRUSTSTORE,
            Type.STRING,
            "",
            Importance.LOW,
            "Trust store file for a TLS schema registry.")
        .define(
            REGISTRY_TRUSTSTORE_PASSWORD,
            Type.PASSWORD,
            null,
            Importance.LOW,
            "Password of the schema registry trust store.")
        .define(
            REGISTRY_TRUSTSTORE_TYPE,
            Type.STRING,
            "PKCS12",
            ConfigDef.ValidString.in("PKCS12", "JKS"),
            Importance.LOW,
            "Type of the schema registry trust store.")
        .define(
            REGISTRY_TIMEOUT,
            Type.LONG,
            10_000L,
            Range.atLeast(100),
            Importance.LOW,
            "Timeout of one schema registry request, in milliseconds.")
        .define(
            REGISTRY_AUTO_REGISTER,
            Type.BOOLEAN,
            true,
            Importance.MEDIUM,
            "Writers register their schemas. false: they only look them up (a governed registry)"
                + " and refuse to write, naming subject and schema, while one is absent.")
        .define(
            REGISTRY_COMPATIBILITY,
            Type.STRING,
            "BACKWARD",
            ConfigDef.ValidString.in(
                "",
                "NONE",
                "BACKWARD",
                "BACKWARD_TRANSITIVE",
                "FORWARD",
                "FORWARD_TRANSITIVE",
                "FULL",
                "FULL_TRANSITIVE"),
            Importance.LOW,
            "Compatibility level every subject a process writes must have: set on first use when"
                + " weaker (with auto.register), otherwise checked at start. Empty: leave subjects"
                + " as they are.")
        .define(
            REGISTRY_SUBJECT_NAME_STRATEGY,
            Type.STRING,
            "topic",
            ConfigDef.ValidString.in("topic", "record", "topic-record"),
            Importance.LOW,
            "Subject names: topic (<topic>-value), record (the record's full name),"
                + " topic-record (<topic>-<full name>). Keys are plain UTF-8 strings, never"
                + " registered.")
        .define(
            REGISTRY_CACHE_TTL,
            Type.LONG,
            300_000L,
            Range.atLeast(0),
            Importance.LOW,
            "How long a writer trusts a subject's registration before it checks it again, in"
                + " milliseconds; a check that fails while the registry is away keeps the id.")
        .define(
            REGISTRY_RETRY_BACKOFF,
            Type.LONG,
            100L,
            Range.atLeast(1),
            Importance.LOW,
            "First wait before a transient schema registry failure is retried, in milliseconds"
                + " (doubling).")
        .define(
            REGISTRY_RETRY_BACKOFF_MAX,
            Type.LONG,
            2_000L,
            Range.atLeast(1),
            Importance.LOW,
            "Longest wait between two schema registry retries, in milliseconds.")
        .define(
            REGISTRY_RETRY_TIMEOUT,
            Type.LONG,
            5_000L,
            Range.atLeast(0),
            Importance.LOW,
            "How long one schema registry call retries transient failures before it reports"
                + " them (ingest then answers a transient DICOM status, streams retries the"
                + " record), in milliseconds.")
        .define(
            OPS_HTTP_PORT,
            Type.INT,
            defaultOpsHttpPort,
            Range.between(-1, 65535),
            Importance.MEDIUM,
            "HTTP port for /health/live, /health/ready and /metrics (Prometheus). 0 picks a free port, -1 disables."
                + " Defaults differ per process (streams 8080, ingest 8081) so both run on one host.")
        .define(
            OPS_HTTP_BIND_ADDRESS,
            Type.STRING,
            "",
            Importance.LOW,
            "Local address the ops HTTP server listens on; empty listens on every interface.")
        .define(
            OPS_METRICS_LOG_INTERVAL,
            Type.LONG,
            60_000L,
            Range.atLeast(0),
            Importance.LOW,
            "How often the process logs a one-line metrics summary, in milliseconds; 0 disables.")
        .define(
            IMAGES_STORE_DIR,
            Type.STRING,
            "",
            Importance.MEDIUM,
            "Image store (claim check): a directory ingest and streams share (a ReadWriteMany"
                + " volume). Set, ingest writes each working image there, synced, and publishes"
                + " only its reference to mammo.images.v1; streams reads it back. Empty (the"
                + " default): the working image travels in the Kafka record. Both processes must"
                + " see the same directory.")
        .define(
            IMAGES_STORE_RETENTION_MS,
            Type.LONG,
            8L * 24 * 3600 * 1000,
            Range.atLeast(3_600_000L),
            Importance.LOW,
            "How long ingest keeps a working image in the image store after it last stored it,"
                + " in milliseconds (swept hourly). Keep it longer than mammo.images.v1's"
                + " retention (7 days), so that no image record outlives its pixels.");
  }
}
