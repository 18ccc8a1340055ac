package org.mammotriage.app;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.config.MammoConfig;
import picocli.CommandLine.Option;

/**
 * The configuration options every long-running subcommand shares: --config FILE, --set KEY=VALUE,
 * --list-config.
 */
public final class ConfigOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Properties file (below environment and flags in precedence).")
  Path file;

  @Option(
      names = {"--set", "-D"},
      paramLabel = "KEY=VALUE",
      description = "Set a configuration key (highest precedence). Repeatable.")
  Map<String, String> set = new LinkedHashMap<>();

  @Option(
      names = "--list-config",
      description = "Print every configuration key with its type, default and doc, then exit.")
  boolean list;

  /** True when the caller should print the keys and exit. */
  public boolean listRequested(ConfigDef def) {
    if (list) {
      System.out.println(
          "Configuration keys (defaults < --config file < MAMMOTRIAGE_* environment < --set flags):");
      System.out.print(ConfigLoader.describe(def));
    }
    return list;
  }

  /**
   * Loads the config; {@code flagOverrides} come from the subcommand's own flags (e.g. --port) and
   * win.
   */
  public MammoConfig load(ConfigDef def, Map<String, String> flagOverrides) {
    Map<String, String> flags = new LinkedHashMap<>(set);
    flags.putAll(flagOverrides);
    return ConfigLoader.load(def, file, System.getenv(), flags);
  }
}
