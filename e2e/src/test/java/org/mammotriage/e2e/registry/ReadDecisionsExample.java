package org.mammotriage.e2e.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.SerdeFactory;

/**
 * The Java subscriber of {@code docs/consuming-decisions.md} (the region between the markers is in
 * the guide, {@code ConsumingDecisionsDocTest} keeps them the same); {@link SubscribersIT} runs it
 * in both wire formats.
 */
final class ReadDecisionsExample {
  private ReadDecisionsExample() {}

  // --8<-- [start:java]
  /** Reads up to {@code max} decisions; {@code registryUrl} null: no registry (single-object). */
  static int read(
      String bootstrap,
      String registryUrl,
      int max,
      Duration timeout,
      BiConsumer<String, TriageDecision> onDecision) {
    Map<String, Object> registry =
        registryUrl == null ? Map.of() : Map.of("schema.registry.url", registryUrl);
    Deserializer<TriageDecision> values =
        SerdeFactory.fromConfig(registry).serde(TriageDecision.class, false).deserializer();
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", "worklist-java");
    p.put("auto.offset.reset", "earliest");
    p.put("isolation.level", "read_committed"); // only decisions of committed transactions
    int seen = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
      consumer.subscribe(
          List.of(
              "mammo.triage.suspicious.v1",
              "mammo.triage.routine.v1",
              "mammo.triage.low.v1",
              "mammo.triage.incomplete.v1",
              "mammo.triage.out_of_domain.v1",
              "mammo.risk.elevated.v1"));
      while (seen < max && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, TriageDecision> r : consumer.poll(Duration.ofMillis(500))) {
          // the key is the StudyInstanceUID; dedupe on (examKey, examVersion)
          onDecision.accept(r.topic(), r.value());
          seen++;
        }
      }
    }
    return seen;
  }
  // --8<-- [end:java]
}
