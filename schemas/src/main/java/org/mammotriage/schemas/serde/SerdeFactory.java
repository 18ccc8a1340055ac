package org.mammotriage.schemas.serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.mammotriage.schemas.registry.RegistrySettings;
import org.mammotriage.schemas.registry.SchemaRegistryClient;
import org.mammotriage.schemas.registry.SchemaRegistryException;

/**
 * Makes value serdes in one of two wire formats: Confluent framing against a schema registry's REST
 * API when {@code schema.registry.url} is set, Avro single-object encoding otherwise. Keys are not
 * made here: they are the StudyInstanceUID as a plain UTF-8 string in both formats.
 */
public final class SerdeFactory {
  private final SchemaRegistryClient client;

  private SerdeFactory(SchemaRegistryClient client) {
    this.client = client;
  }

  /** Single-object encoding, no registry (the embedded default). */
  public static SerdeFactory singleObject() {
    return new SerdeFactory(null);
  }

  /** Confluent framing against the given registry client. */
  public static SerdeFactory registry(SchemaRegistryClient client) {
    return new SerdeFactory(client);
  }

  /** From {@code schema.registry.*} settings; without a URL, single-object encoding. */
  public static SerdeFactory fromConfig(Map<String, ?> config) {
    Optional<RegistrySettings> settings = RegistrySettings.fromConfig(config);
    return settings
        .map(s -> registry(new SchemaRegistryClient(s)))
        .orElseGet(SerdeFactory::singleObject);
  }

  public boolean usesRegistry() {
    return client != null;
  }

  /** The registry client, when there is one (readiness checks its health). */
  public Optional<SchemaRegistryClient> registryClient() {
    return Optional.ofNullable(client);
  }

  public <T extends SpecificRecord> Serde<T> serde(Class<T> type, boolean isKey) {
    return client == null
        ? new SingleObjectAvroSerde<>(type)
        : new ConfluentAvroSerde<>(type, client, isKey);
  }

  /** What {@link #preflight} did: one line per subject, and whether the registry was away. */
  public record Preflight(List<String> lines, boolean deferred) {}

  /**
   * The start-up check of every subject a process writes (topic → record type): compatibility
   * level, registration or look-up, as the first record would do it. A registry that does not
   * answer (no answer, 5xx, 408, 429) defers the check to the first record, so a process starts
   * during an outage; anything else (credentials, a schema absent from a governed registry, a level
   * too weak, an incompatible or invalid schema) fails the start with the registry's reason.
   */
  public Preflight preflight(Map<String, Class<? extends SpecificRecord>> writes) {
    List<String> lines = new ArrayList<>();
    if (client == null) {
      lines.add("no schema registry: Avro single-object encoding");
      return new Preflight(lines, false);
    }
    for (Map.Entry<String, Class<? extends SpecificRecord>> w : writes.entrySet()) {
      Schema schema = SpecificData.getForClass(w.getValue()).getSchema(w.getValue());
      String subject = client.subject(w.getKey(), false, schema);
      try {
        int id = client.idForWriting(subject, schema);
        lines.add(subject + ": schema id " + id);
      } catch (SchemaRegistryException e) {
        if (outage(e)) {
          lines.add("schema registry unavailable, checks deferred to first use: " + e.getMessage());
          return new Preflight(lines, true);
        }
        throw new IllegalStateException(
            "schema registry check of subject " + subject + " failed: " + e.getMessage(), e);
      }
    }
    return new Preflight(lines, false);
  }

  private static boolean outage(SchemaRegistryException e) {
    int s = e.httpStatus();
    return s < 0 || s >= 500 || s == 408 || s == 429;
  }
}
