package org.mammotriage.schemas;

import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.mammotriage.schemas.serde.SerdeFactory;

/**
 * One topic of the project: its name, key and value types, and the topic configs it is created
 * with. Keys are always the StudyInstanceUID as a UTF-8 string.
 */
public record TopicSpec<V extends SpecificRecord>(
    String name,
    Class<V> valueType,
    int defaultPartitions,
    Map<String, String> configs,
    String doc) {

  public TopicSpec {
    Objects.requireNonNull(name);
    Objects.requireNonNull(valueType);
    configs = Map.copyOf(configs);
  }

  /** The key serde: StudyInstanceUID strings. */
  public Serde<String> keySerde() {
    return Serdes.String();
  }

  /** The value serde for this topic, in the wire format the factory was configured with. */
  public Serde<V> valueSerde(SerdeFactory factory) {
    return factory.serde(valueType, false);
  }
}
