package org.mammotriage.ingest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.scp.DicomScp;
import org.mammotriage.ingest.scp.ScpSettings;
import org.mammotriage.ops.OpsServer;

/** A real ingest runtime and SCP on a free port, against the given broker. */
final class IngestHarness implements AutoCloseable {
  static final String SECRET = "integration-test-secret-0123456789";
  final IngestRuntime runtime;
  final DicomScp scp;
  final io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry;

  IngestHarness(String bootstrap, Path spool, Map<String, String> extra) throws Exception {
    Map<String, String> flags =
        new java.util.HashMap<>(
            Map.of(
                CommonConfig.KAFKA_BOOTSTRAP,
                bootstrap,
                IngestConfig.PSEUDONYM_SECRET,
                SECRET,
                IngestConfig.PUBLISH_TIMEOUT_MS,
                "3000"));
    flags.putAll(extra);
    MammoConfig cfg =
        ConfigLoader.load(IngestConfig.define(CommonConfig.define()), null, Map.of(), flags);
    registry = OpsServer.newRegistry();
    runtime = new IngestRuntime(cfg, registry);
    scp =
        new DicomScp(
            ScpSettings.fromConfig(cfg, runtime.limits().maxBytes()).withPort(0),
            runtime.pipeline(),
            Files.createDirectories(spool),
            registry);
  }

  int port() {
    return scp.port();
  }

  @Override
  public void close() {
    scp.close();
    runtime.close();
  }
}
