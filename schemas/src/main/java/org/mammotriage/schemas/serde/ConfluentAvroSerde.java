package org.mammotriage.schemas.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.mammotriage.schemas.registry.SchemaRegistryClient;

/**
 * Confluent wire format: magic byte 0, the 4-byte big-endian schema id, then Avro binary. Subjects
 * are named by the client's {@link org.mammotriage.schemas.registry.SubjectNameStrategy} (default
 * {@code <topic>-value}); the writer's id comes from {@link SchemaRegistryClient#idForWriting}
 * (compatibility checked, registered or only looked up, cached), the reader's schema by id.
 */
public final class ConfluentAvroSerde<T extends SpecificRecord> implements Serde<T> {
  static final byte MAGIC = 0;
  private final Class<T> type;
  private final SchemaRegistryClient client;
  private final boolean isKey;
  private final SpecificData data;
  private final Schema readerSchema;
  // schema id -> reader from that writer schema into T
  private final java.util.Map<Integer, SpecificDatumReader<T>> readers =
      new java.util.concurrent.ConcurrentHashMap<>();

  public ConfluentAvroSerde(Class<T> type, SchemaRegistryClient client, boolean isKey) {
    this.type = type;
    this.client = client;
    this.isKey = isKey;
    this.data = SpecificData.getForClass(type);
    this.readerSchema = data.getSchema(type);
  }

  private String subject(String topic) {
    return client.subject(topic, isKey, readerSchema);
  }

  @Override
  public Serializer<T> serializer() {
    SpecificDatumWriter<T> writer = new SpecificDatumWriter<>(readerSchema, data);
    return (topic, value) -> {
      if (value == null) {
        return null;
      }
      int id = client.idForWriting(subject(topic), readerSchema);
      try {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(MAGIC);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        writer.write(value, enc);
        enc.flush();
        return out.toByteArray();
      } catch (IOException e) {
        throw new SerializationException("cannot encode " + type.getSimpleName(), e);
      }
    };
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length < 5 || bytes[0] != MAGIC) {
        throw new SerializationException(
            "record on "
                + topic
                + " is not in Confluent framing (magic byte "
                + (bytes.length == 0 ? "missing" : bytes[0])
                + "); is the producer using the same schema.registry.url?");
      }
      int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
      SpecificDatumReader<T> reader = readers.get(id);
      if (reader == null) { // the registry is asked outside the map's lock
        reader = new SpecificDatumReader<>(client.schemaById(id), readerSchema, data);
        readers.putIfAbsent(id, reader);
      }
      try {
        // straight from the record's array: a large bytes field (a PNG) is a view, not a copy
        return reader.read(null, new ArrayDecoder(bytes, 5, bytes.length - 5));
      } catch (IOException | RuntimeException e) {
        throw new SerializationException(
            "cannot decode " + type.getSimpleName() + " with schema id " + id, e);
      }
    };
  }
}
