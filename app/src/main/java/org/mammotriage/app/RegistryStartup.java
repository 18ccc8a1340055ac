package org.mammotriage.app;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.schemas.TopicSpec;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamAssemblyState;
import org.mammotriage.schemas.registry.SchemaRegistryClient;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.streams.Category;
import org.mammotriage.streams.ExamTriageTopology;
import org.mammotriage.streams.TriageStreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a process does with the schema registry when it starts: checks every subject it writes
 * ({@link SerdeFactory#preflight}: compatibility level, registration or look-up; an outage defers
 * the checks, anything else fails the start) and hands readiness a registry health check.
 */
final class RegistryStartup {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryStartup.class);

  private RegistryStartup() {}

  /** The subjects ingest writes: images and rejections. */
  static Map<String, Class<? extends SpecificRecord>> ingestWrites() {
    Map<String, Class<? extends SpecificRecord>> w = new LinkedHashMap<>();
    put(w, Topics.IMAGES);
    put(w, Topics.INGEST_DLQ);
    return w;
  }

  /** The subjects streams writes: scores, decisions, risk, DLQ, the assembly store's changelog. */
  static Map<String, Class<? extends SpecificRecord>> streamsWrites(MammoConfig cfg) {
    Map<String, Class<? extends SpecificRecord>> w = new LinkedHashMap<>();
    put(w, Topics.SCORES);
    for (Category c : Category.values()) {
      put(w, c.topic());
    }
    put(w, Topics.RISK_ELEVATED);
    put(w, Topics.INGEST_DLQ);
    w.put(
        cfg.getString(TriageStreamsConfig.APPLICATION_ID)
            + "-"
            + ExamTriageTopology.STORE
            + "-changelog",
        ExamAssemblyState.class);
    return w;
  }

  private static void put(Map<String, Class<? extends SpecificRecord>> w, TopicSpec<?> t) {
    w.put(t.name(), t.valueType());
  }

  /**
   * Runs the start-up check and returns the registry client for readiness (empty without a
   * registry). Throws when the registry answered and refused (the message says what to fix).
   */
  static Optional<SchemaRegistryClient> check(
      MammoConfig cfg, Map<String, Class<? extends SpecificRecord>> writes) {
    SerdeFactory serdes = SerdeFactory.fromConfig(cfg.registryProps());
    SerdeFactory.Preflight p = serdes.preflight(writes);
    if (p.deferred()) {
      LOG.warn(
          "schema registry: {} (the process starts; it is not ready until the registry answers)",
          String.join("; ", p.lines()));
    } else {
      p.lines().forEach(l -> LOG.info("schema registry: {}", l));
    }
    return serdes.registryClient();
  }

  /** {@code base} and, with a registry, the registry answering. */
  static BooleanSupplier readiness(BooleanSupplier base, Optional<SchemaRegistryClient> registry) {
    return registry
        .<BooleanSupplier>map(c -> () -> base.getAsBoolean() && c.health().up())
        .orElse(base);
  }
}
