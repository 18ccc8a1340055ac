package org.mammotriage.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.IngestConfig;
import org.mammotriage.ingest.IngestRuntime;
import org.mammotriage.ingest.scp.DicomScp;
import org.mammotriage.kafka.EmbeddedBroker;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.TopicAdmin;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.scoring.ScoringConfig;
import org.mammotriage.streams.StreamsApp;
import org.mammotriage.streams.TriageStreamsConfig;

/**
 * The whole system in one JVM, for {@code demo} and {@code replay} without a cluster: an in-process
 * KRaft broker, the ingest runtime with its DICOM SCP on a free port (demo HMAC secret), and the
 * streams app scoring with {@code modelDir}; extra configuration (e.g. {@code schema.registry.url})
 * goes to both. Closed in reverse order.
 */
public final class DemoPipeline implements AutoCloseable {
  static final String AE_TITLE = "MAMMOTRIAGE";
  private final EmbeddedBroker broker;
  private final IngestRuntime ingest;
  private final DicomScp scp;
  private final StreamsApp streams;
  private final Map<String, String> extra;

  private DemoPipeline(
      EmbeddedBroker broker,
      IngestRuntime ingest,
      DicomScp scp,
      StreamsApp streams,
      Map<String, String> extra) {
    this.broker = broker;
    this.ingest = ingest;
    this.scp = scp;
    this.streams = streams;
    this.extra = Map.copyOf(extra);
  }

  public static DemoPipeline start(Path work, Path modelDir, long quietPeriodMs) throws Exception {
    return start(work, modelDir, quietPeriodMs, Map.of());
  }

  /** With {@code extra} configuration for ingest and streams (e.g. the schema registry keys). */
  public static DemoPipeline start(
      Path work, Path modelDir, long quietPeriodMs, Map<String, String> extra) throws Exception {
    EmbeddedBroker broker = EmbeddedBroker.create(work.resolve("kafka"), 0).start();
    IngestRuntime ingest = null;
    DicomScp scp = null;
    try {
      String bs = broker.bootstrapServers();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bs))) {
        TopicAdmin.ensureTopics(admin, (short) 1, 2);
      }
      MammoConfig ingestCfg = ingestConfig(bs, extra);
      RegistryStartup.check(ingestCfg, RegistryStartup.ingestWrites());
      ingest = new IngestRuntime(ingestCfg, OpsServer.newRegistry());
      scp =
          new DicomScp(
              0,
              AE_TITLE,
              Set.of(),
              ingest.pipeline(),
              Files.createDirectories(work.resolve("spool")),
              ingest.limits().maxBytes(),
              8);
      MammoConfig streamsCfg = streamsConfig(bs, work.resolve("state"), quietPeriodMs, extra);
      RegistryStartup.check(streamsCfg, RegistryStartup.streamsWrites(streamsCfg));
      StreamsApp streams = new StreamsApp(streamsCfg, modelDir, OpsServer.newRegistry());
      streams.start();
      return new DemoPipeline(broker, ingest, scp, streams, extra);
    } catch (Exception | Error e) {
      if (scp != null) {
        scp.close();
      }
      if (ingest != null) {
        ingest.close();
      }
      broker.close();
      throw e;
    }
  }

  /** The ingest configuration the pipeline uses (demo secret), with {@code extra} on top. */
  public static MammoConfig ingestConfig(String bootstrap, Map<String, String> extra) {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(CommonConfig.KAFKA_BOOTSTRAP, bootstrap);
    flags.put(IngestConfig.DEMO, "true");
    ConfigDef def = IngestConfig.define(CommonConfig.define());
    flags.putAll(mine(def, extra));
    return ConfigLoader.load(def, null, Map.of(), flags);
  }

  /** The streams configuration the pipeline uses (fast commits), with {@code extra} on top. */
  public static MammoConfig streamsConfig(
      String bootstrap, Path stateDir, long quietPeriodMs, Map<String, String> extra) {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put(CommonConfig.KAFKA_BOOTSTRAP, bootstrap);
    flags.put(TriageStreamsConfig.STATE_DIR, stateDir.toString());
    flags.put(TriageStreamsConfig.QUIET_PERIOD_MS, Long.toString(quietPeriodMs));
    flags.put("kafka.commit.interval.ms", "100");
    ConfigDef def = ScoringConfig.define(TriageStreamsConfig.define(CommonConfig.define()));
    flags.putAll(mine(def, extra));
    return ConfigLoader.load(def, null, Map.of(), flags);
  }

  /**
   * The keys of {@code extra} one process takes: its own and Kafka's; a key neither process defines
   * fails (a typo is not dropped).
   */
  private static Map<String, String> mine(ConfigDef def, Map<String, String> extra) {
    Set<String> any = new java.util.HashSet<>(IngestConfig.define(CommonConfig.define()).names());
    any.addAll(ScoringConfig.define(TriageStreamsConfig.define(CommonConfig.define())).names());
    Map<String, String> out = new LinkedHashMap<>();
    extra.forEach(
        (k, v) -> {
          if (!k.startsWith("kafka.") && !any.contains(k)) {
            throw new org.apache.kafka.common.config.ConfigException(
                k, v, "no MammoTriage process defines this key");
          }
          if (k.startsWith("kafka.") || def.names().contains(k)) {
            out.put(k, v);
          }
        });
    return out;
  }

  /** The wire format the pipeline writes, for readers of its topics. */
  public SerdeFactory serdes() {
    return SerdeFactory.fromConfig(ingestConfig(bootstrap(), extra).registryProps());
  }

  public String bootstrap() {
    return broker.bootstrapServers();
  }

  public int scpPort() {
    return scp.port();
  }

  public IngestRuntime ingest() {
    return ingest;
  }

  @Override
  public void close() throws Exception {
    scp.close();
    streams.close();
    ingest.close();
    broker.close();
  }
}
