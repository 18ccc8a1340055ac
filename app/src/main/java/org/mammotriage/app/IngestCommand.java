package org.mammotriage.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.IngestConfig;
import org.mammotriage.ingest.IngestRuntime;
import org.mammotriage.ingest.scp.DicomScp;
import org.mammotriage.ingest.scp.ScpSettings;
import org.mammotriage.ops.OpsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mammotriage ingest}: the DICOM C-STORE SCP that publishes validated, preprocessed images
 * to Kafka.
 */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description =
        "Run the DICOM C-STORE/C-ECHO receiver; valid mammograms go to mammo.images.v1, rejects to mammo.ingest.dlq.v1.")
public final class IngestCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(IngestCommand.class);

  @Mixin ConfigOptions config;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
  String bootstrap;

  @Option(names = "--port", description = "DICOM port (ingest.dicom.port).")
  Integer port;

  @Option(names = "--ae-title", description = "Called AE title (ingest.dicom.ae.title).")
  String aeTitle;

  @Option(names = "--demo", description = "Demo mode: a throw-away pseudonymisation secret.")
  boolean demo;

  static Map<String, String> flags(String bootstrap, boolean demo) {
    Map<String, String> f = new LinkedHashMap<>();
    if (bootstrap != null) {
      f.put(CommonConfig.KAFKA_BOOTSTRAP, bootstrap);
    }
    if (demo) {
      f.put(IngestConfig.DEMO, "true");
    }
    return f;
  }

  /** The default ops port of ingest: streams keeps 8080, so both start side by side. */
  public static final int DEFAULT_OPS_HTTP_PORT = 8081;

  /** Ingest's configuration keys: the common ones with ingest's ops port, and ingest's own. */
  static org.apache.kafka.common.config.ConfigDef definition() {
    return IngestConfig.define(CommonConfig.define(DEFAULT_OPS_HTTP_PORT));
  }

  /** A started ingest process: ops HTTP, the pipeline and the SCP. */
  record Running(OpsServer ops, IngestRuntime runtime, DicomScp scp, Path spool)
      implements AutoCloseable {
    /**
     * SIGTERM: the SCP drains (in-flight C-STOREs finish), then Kafka, then HTTP; the spool folder
     * this process made goes too when the SCP left nothing in it.
     */
    @Override
    public void close() {
      scp.close();
      runtime.close();
      ops.close();
      try {
        Files.deleteIfExists(spool);
      } catch (java.nio.file.DirectoryNotEmptyException e) {
        LOG.warn("spool folder {} kept: it still holds files", spool);
      } catch (java.io.IOException e) {
        LOG.warn("spool folder {} not removed: {}", spool, e.toString());
      }
    }
  }

  /**
   * Checks the schema registry subjects (an outage defers the check, a refusal fails the start),
   * then starts ops HTTP, the runtime and the SCP; readiness follows the SCP, Kafka and the
   * registry.
   */
  static Running start(MammoConfig cfg) throws java.io.IOException {
    var registry = RegistryStartup.check(cfg, RegistryStartup.ingestWrites());
    OpsServer ops =
        OpsServer.start(
            cfg.getString(CommonConfig.OPS_HTTP_BIND_ADDRESS),
            cfg.getInt(CommonConfig.OPS_HTTP_PORT),
            OpsServer.newRegistry());
    IngestRuntime rt = null;
    try {
      rt = new IngestRuntime(cfg, ops.registry());
      Path spool = Files.createTempDirectory("mammotriage-spool");
      DicomScp scp =
          new DicomScp(
              ScpSettings.fromConfig(cfg, rt.limits().maxBytes()),
              rt.pipeline(),
              spool,
              ops.registry());
      IngestRuntime runtime = rt;
      ops.setReadiness(
          RegistryStartup.readiness(
              () -> scp.isRunning() && runtime.readiness().ready(), registry));
      return new Running(ops, rt, scp, spool);
    } catch (java.io.IOException | RuntimeException e) {
      if (rt != null) {
        rt.close();
      }
      ops.close();
      throw e;
    }
  }

  @Override
  public Integer call() throws Exception {
    var def = definition();
    if (config.listRequested(def)) {
      return 0;
    }
    Map<String, String> f = flags(bootstrap, demo);
    if (port != null) {
      f.put(IngestConfig.DICOM_PORT, port.toString());
    }
    if (aeTitle != null) {
      f.put(IngestConfig.AE_TITLE, aeTitle);
    }
    MammoConfig cfg = config.load(def, f);
    Running running = start(cfg);
    IngestRuntime rt = running.runtime();
    if (rt.throwAwaySecret()) {
      LOG.warn(
          "DEMO MODE: patient keys use a throw-away secret; keys will not match across restarts");
    }
    ScheduledExecutorService logger =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ingest-metrics-log");
              t.setDaemon(true);
              return t;
            });
    long every = cfg.getLong(CommonConfig.OPS_METRICS_LOG_INTERVAL);
    if (every > 0) {
      logger.scheduleAtFixedRate(
          () -> LOG.info("ingest: {}", rt.metrics().summary()),
          every,
          every,
          TimeUnit.MILLISECONDS);
    }
    System.out.printf(
        "DICOM SCP %s listening on port %d; Kafka %s; metrics on http port %d%n",
        cfg.getString(IngestConfig.AE_TITLE),
        running.scp().port(),
        cfg.getString(CommonConfig.KAFKA_BOOTSTRAP),
        running.ops().port());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("SIGTERM: finishing in-flight C-STOREs");
                  running.close();
                  LOG.info("ingest stopped: {}", rt.metrics().summary());
                  stopped.countDown();
                },
                "ingest-shutdown"));
    stopped.await();
    return 0;
  }
}
