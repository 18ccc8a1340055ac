package org.mammotriage.ingest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.scp.DicomScp;
import org.mammotriage.ops.OpsServer;

/** A real ingest runtime and SCP on a free port, against the given broker. */
final class IngestHarness implements AutoCloseable {
  static final String SECRET = "integration-test-secret-0123456789";
  final IngestRuntime runtime;
  final DicomScp scp;

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
    runtime = new IngestRuntime(cfg, OpsServer.newRegistry());
    scp =
        new DicomScp(
            0,
            "MAMMOTRIAGE",
            Set.copyOf(cfg.getList(IngestConfig.ALLOWED_CALLING_AE_TITLES)),
            runtime.pipeline(),
            Files.createDirectories(spool),
            runtime.limits().maxBytes(),
            4);
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
