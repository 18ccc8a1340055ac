package org.mammotriage.config;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

/** Parsed configuration of one process, plus the pass-through Kafka client settings. */
public final class MammoConfig extends AbstractConfig {

  public MammoConfig(ConfigDef def, Map<?, ?> originals) {
    super(def, originals, false);
  }

  /**
   * Kafka client settings: the {@code kafka.*} keys without the prefix, with bootstrap servers from
   * {@link CommonConfig#KAFKA_BOOTSTRAP}. Used for producers, consumers, admin and Streams alike.
   */
  public Map<String, Object> kafkaClientProps() {
    Map<String, Object> out = new LinkedHashMap<>();
    originalsStrings()
        .forEach(
            (k, v) -> {
              if (k.startsWith("kafka.") && !k.equals(CommonConfig.KAFKA_BOOTSTRAP)) {
                out.put(k.substring("kafka.".length()), v);
              }
            });
    out.put("bootstrap.servers", getString(CommonConfig.KAFKA_BOOTSTRAP));
    return out;
  }

  /** The schema registry settings in the form {@code SerdeFactory.fromConfig} reads. */
  public Map<String, Object> registryProps() {
    Map<String, Object> out = new LinkedHashMap<>();
    values()
        .forEach(
            (k, v) -> {
              if (k.startsWith("schema.registry.") && v != null) {
                out.put(k, v);
              }
            });
    return out;
  }
}
