package org.mammotriage.schemas.serde;

import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.mammotriage.schemas.registry.RegistrySettings;
import org.mammotriage.schemas.registry.SchemaRegistryClient;

/**
 * Makes value serdes in one of two wire formats: Confluent framing against a schema registry's REST
 * API when {@code schema.registry.url} is set, Avro single-object encoding otherwise.
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

  public <T extends SpecificRecord> Serde<T> serde(Class<T> type, boolean isKey) {
    return client == null
        ? new SingleObjectAvroSerde<>(type)
        : new ConfluentAvroSerde<>(type, client, isKey);
  }
}
