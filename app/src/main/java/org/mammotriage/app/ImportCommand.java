package org.mammotriage.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.FolderImporter;
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
    description = {
      "Import a folder of DICOM files (an archive or a replay) through the same validation and publishing as the SCP.",
      "Every file is tried, whatever the others hold; a summary says what became of each kind.",
      "Exit status: 0 every file stored (or already stored), 1 some were rejected or not stored (the summary and the"
          + " DLQ say which and why), 2 bad usage or configuration."
    })
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
    var def = IngestCommand.definition();
    if (config.listRequested(def)) {
      return 0;
    }
    MammoConfig cfg = config.load(def, IngestCommand.flags(bootstrap, demo));
    try (OpsServer ops = OpsServer.start(-1, OpsServer.newRegistry());
        IngestRuntime rt = new IngestRuntime(cfg, ops.registry())) {
      FolderImporter.Summary s =
          new FolderImporter(rt.pipeline()).importFolder(dir, System.err::println);
      System.out.print(s.report());
      return s.exitCode();
    }
  }
}
