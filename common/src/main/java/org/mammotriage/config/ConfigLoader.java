package org.mammotriage.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Merges configuration from, lowest to highest precedence: defaults in the {@link ConfigDef}, a
 * properties file, environment variables ({@code MAMMOTRIAGE_INGEST_DICOM_PORT} for {@code
 * ingest.dicom.port}), then command-line flags. Unknown keys in the file or on the command line
 * fail with a message naming the key; keys under a pass-through prefix ({@code kafka.}, {@code
 * streams.kafka.}) go to the Kafka clients untouched.
 */
public final class ConfigLoader {
  public static final String ENV_PREFIX = "MAMMOTRIAGE_";
  public static final Set<String> PASSTHROUGH_PREFIXES = Set.of("kafka.");

  private ConfigLoader() {}

  /** Merges the sources, checks for unknown keys, and parses the values against the definition. */
  public static MammoConfig load(
      ConfigDef def, Path file, Map<String, String> env, Map<String, String> flags) {
    Map<String, Object> merged = new LinkedHashMap<>();
    if (file != null) {
      Map<String, String> fromFile = readFile(file);
      checkKnown(def, fromFile, "properties file " + file);
      merged.putAll(fromFile);
    }
    merged.putAll(fromEnv(def, env));
    if (flags != null) {
      checkKnown(def, flags, "command line");
      merged.putAll(flags);
    }
    return new MammoConfig(def, merged);
  }

  /** Reads a Java properties file; a missing or unreadable file is a clear error. */
  public static Map<String, String> readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(
          "configuration file "
              + file
              + " does not exist or is not a file; pass an existing --config FILE");
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
    }
    Map<String, String> out = new LinkedHashMap<>();
    p.stringPropertyNames().stream()
        .sorted()
        .forEach(k -> out.put(k.trim(), p.getProperty(k).trim()));
    return out;
  }

  /**
   * Environment variables with the {@code MAMMOTRIAGE_} prefix that name a defined key or a
   * pass-through key. Others are ignored: Kubernetes injects service variables under the same
   * prefix.
   */
  static Map<String, String> fromEnv(ConfigDef def, Map<String, String> env) {
    Map<String, String> out = new LinkedHashMap<>();
    if (env == null) {
      return out;
    }
    env.forEach(
        (name, value) -> {
          if (!name.startsWith(ENV_PREFIX)) {
            return;
          }
          String key =
              name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
          if (def.names().contains(key) || isPassthrough(key)) {
            out.put(key, value);
          }
        });
    return out;
  }

  static boolean isPassthrough(String key) {
    return PASSTHROUGH_PREFIXES.stream().anyMatch(key::startsWith);
  }

  private static void checkKnown(ConfigDef def, Map<String, String> given, String where) {
    List<String> unknown = new ArrayList<>();
    for (String k : given.keySet()) {
      if (!def.names().contains(k) && !isPassthrough(k)) {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      String k = unknown.get(0);
      String hint = closest(def, k);
      throw new ConfigException(
          "unknown configuration key '"
              + k
              + "' in "
              + where
              + (hint == null ? "" : " (did you mean '" + hint + "'?)")
              + "; --help lists every key. Kafka client settings go under 'kafka.' (e.g. kafka.security.protocol)");
    }
  }

  private static String closest(ConfigDef def, String key) {
    return def.names().stream()
        .min(Comparator.comparingInt(n -> distance(n, key)))
        .filter(n -> distance(n, key) <= Math.max(3, key.length() / 3))
        .orElse(null);
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** Keys of the definition without a doc string (a test keeps this empty for every module). */
  public static List<String> undocumentedKeys(ConfigDef def) {
    return def.configKeys().values().stream()
        .filter(k -> k.documentation == null || k.documentation.isBlank())
        .map(k -> k.name)
        .sorted()
        .toList();
  }

  /** Every key with its type, default and doc, for --help. */
  public static String describe(ConfigDef def) {
    StringBuilder sb = new StringBuilder();
    def.configKeys().values().stream()
        .sorted(Comparator.comparing(k -> k.name))
        .forEach(
            k -> {
              sb.append("  ")
                  .append(k.name)
                  .append(" (")
                  .append(k.type.name().toLowerCase(Locale.ROOT));
              if (k.hasDefault()) {
                Object d = k.defaultValue;
                sb.append(", default ")
                    .append(
                        d == null
                            ? "none"
                            : k.type == ConfigDef.Type.PASSWORD
                                ? "[hidden]"
                                : ConfigDef.convertToString(d, k.type));
              } else {
                sb.append(", required");
              }
              if (k.validator != null) {
                sb.append(", ").append(k.validator);
              }
              sb.append(")\n      ").append(k.documentation).append('\n');
            });
    return sb.toString();
  }
}
