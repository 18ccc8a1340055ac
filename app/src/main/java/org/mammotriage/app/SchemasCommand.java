package org.mammotriage.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.avro.specific.SpecificRecord;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.schemas.SchemaExport;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.streams.TriageStreamsConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mammotriage schemas}: the record schemas, for subscribers and registry owners. */
@Command(
    name = "schemas",
    mixinStandardHelpOptions = true,
    description = "The Avro schemas of the topics: export them, or register them in a registry.",
    subcommands = {SchemasCommand.Export.class, SchemasCommand.Register.class})
public final class SchemasCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
  }

  /** {@code schemas export DIR}. */
  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description =
          "Write the .avsc file of every record on the topics, and index.json (name, file, topics,"
              + " the 10-byte Avro single-object header of its records), into DIR.")
  static final class Export implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "Folder to write into (created).")
    Path dir;

    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
      for (SchemaExport.Entry e : SchemaExport.writeTo(dir)) {
        out.printf(
            "%s  %s  header %s  topics %s%n",
            dir.resolve(e.file()), e.fullName(), e.headerHex(), String.join(",", e.topics()));
      }
      out.println(dir.resolve("index.json"));
      return 0;
    }
  }

  /** {@code schemas register --registry URL}. */
  @Command(
      name = "register",
      mixinStandardHelpOptions = true,
      description =
          "Register every subject ingest and streams write (subject names and compatibility as"
              + " configured) in a schema registry, e.g. before running them with"
              + " schema.registry.auto.register=false against a governed registry.")
  static final class Register implements Callable<Integer> {
    @Option(
        names = "--registry",
        paramLabel = "URL",
        description = "Schema registry (schema.registry.url).")
    String registry;

    @Mixin ConfigOptions config;

    PrintStream out = System.out;

    @Override
    public Integer call() {
      var def = TriageStreamsConfig.define(CommonConfig.define());
      if (config.listRequested(def)) {
        return 0;
      }
      Map<String, String> flags = new LinkedHashMap<>();
      if (registry != null) {
        flags.put(CommonConfig.REGISTRY_URL, registry);
      }
      flags.put(CommonConfig.REGISTRY_AUTO_REGISTER, "true");
      MammoConfig cfg = config.load(def, flags);
      SerdeFactory serdes = SerdeFactory.fromConfig(cfg.registryProps());
      if (!serdes.usesRegistry()) {
        System.err.println("no schema registry: pass --registry URL or set schema.registry.url");
        return 2;
      }
      Map<String, Class<? extends SpecificRecord>> writes =
          new LinkedHashMap<>(RegistryStartup.ingestWrites());
      writes.putAll(RegistryStartup.streamsWrites(cfg));
      SerdeFactory.Preflight p = serdes.preflight(writes);
      p.lines().forEach(out::println);
      return p.deferred() ? 1 : 0;
    }
  }
}
