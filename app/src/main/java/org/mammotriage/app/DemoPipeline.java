package org.mammotriage.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.IngestConfig;
import org.mammotriage.ingest.IngestRuntime;
import org.mammotriage.ingest.scp.DicomScp;
import org.mammotriage.kafka.EmbeddedBroker;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.TopicAdmin;
import org.mammotriage.scoring.ScoringConfig;
import org.mammotriage.streams.StreamsApp;
import org.mammotriage.streams.TriageStreamsConfig;

/**
 * The whole system in one JVM, for {@code demo} and {@code replay} without a cluster: an in-process
 * KRaft broker, the ingest runtime with its DICOM SCP on a free port (demo HMAC secret), and the
 * streams app scoring with {@code modelDir}. Closed in reverse order.
 */
public final class DemoPipeline implements AutoCloseable {
  static final String AE_TITLE = "MAMMOTRIAGE";
  private final EmbeddedBroker broker;
  private final IngestRuntime ingest;
  private final DicomScp scp;
  private final StreamsApp streams;

  private DemoPipeline(
      EmbeddedBroker broker, IngestRuntime ingest, DicomScp scp, StreamsApp streams) {
    this.broker = broker;
    this.ingest = ingest;
    this.scp = scp;
    this.streams = streams;
  }

  public static DemoPipeline start(Path work, Path modelDir, long quietPeriodMs) throws Exception {
    EmbeddedBroker broker = EmbeddedBroker.create(work.resolve("kafka"), 0).start();
    IngestRuntime ingest = null;
    DicomScp scp = null;
    try {
      String bs = broker.bootstrapServers();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bs))) {
        TopicAdmin.ensureTopics(admin, (short) 1, 2);
      }
      MammoConfig ingestCfg =
          ConfigLoader.load(
              IngestConfig.define(CommonConfig.define()),
              null,
              Map.of(),
              Map.of(CommonConfig.KAFKA_BOOTSTRAP, bs, IngestConfig.DEMO, "true"));
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
      MammoConfig streamsCfg =
          ConfigLoader.load(
              ScoringConfig.define(TriageStreamsConfig.define(CommonConfig.define())),
              null,
              Map.of(),
              Map.of(
                  CommonConfig.KAFKA_BOOTSTRAP,
                  bs,
                  TriageStreamsConfig.STATE_DIR,
                  work.resolve("state").toString(),
                  TriageStreamsConfig.QUIET_PERIOD_MS,
                  Long.toString(quietPeriodMs),
                  "kafka.commit.interval.ms",
                  "100"));
      StreamsApp streams = new StreamsApp(streamsCfg, modelDir, OpsServer.newRegistry());
      streams.start();
      return new DemoPipeline(broker, ingest, scp, streams);
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
