package org.mammotriage.app;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.FolderImporter;
import org.mammotriage.ingest.IngestConfig;
import org.mammotriage.ingest.IngestRuntime;
import org.mammotriage.ops.OpsServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mammotriage import DIR}: sends an archive folder through the ingest path. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description =
        "Import a folder of DICOM files (an archive or a replay) through the same validation and publishing as the SCP.")
public final class ImportCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;

  @Parameters(index = "0", paramLabel = "DIR", description = "Folder to walk (recursively).")
  Path dir;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
  String bootstrap;

  @Option(names = "--demo", description = "Demo mode: a throw-away pseudonymisation secret.")
  boolean demo;

  @Override
  public Integer call() throws Exception {
    var def = IngestConfig.define(CommonConfig.define());
    if (config.listRequested(def)) {
      return 0;
    }
    MammoConfig cfg = config.load(def, IngestCommand.flags(bootstrap, demo));
    try (OpsServer ops = OpsServer.start(-1, OpsServer.newRegistry());
        IngestRuntime rt = new IngestRuntime(cfg, ops.registry())) {
      FolderImporter.Summary s =
          new FolderImporter(rt.pipeline()).importFolder(dir, System.err::println);
      System.out.printf(
          Locale.ROOT,
          "imported %d files in %.1f s: %d stored, %d duplicates, %d rejected %s, %d transient failures%n",
          s.files(),
          s.seconds(),
          s.stored(),
          s.duplicates(),
          s.rejectedTotal(),
          s.rejected(),
          s.transientFailures());
      return s.transientFailures() > 0 ? 1 : 0;
    }
  }
}
