package org.mammotriage.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.DatumReader;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro single-object encoding: the 2-byte marker, the writer schema's 64-bit fingerprint, then
 * binary. Records written with an earlier version of the schema decode when that version ships as
 * {@code org/mammotriage/schemas/history/NAME.vN.avsc} (N = 1, 2, ...): the fingerprint names the
 * writer schema, and Avro resolves it to the current one. This is what lets an upgraded streams app
 * restore its state store from a changelog written by the version before.
 *
 * <p>Records are decoded straight from the record's array ({@link ArrayDecoder}): a large {@code
 * bytes} field (a working image PNG) is a read-only view of that array, not a copy.
 */
public final class SingleObjectAvroSerde<T extends SpecificRecord> implements Serde<T> {
  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final SpecificData data;
  private final Schema schema;
  // writer schema fingerprint (CRC-64-AVRO of its parsing canonical form) -> reader into T
  private final Map<Long, DatumReader<T>> readers = new ConcurrentHashMap<>();

  /** The single-object marker (Avro specification, "Single-object encoding"). */
  private static final byte MARKER_0 = (byte) 0xC3;

  private static final byte MARKER_1 = 0x01;
  private static final int HEADER = 10;

  public SingleObjectAvroSerde(Class<T> type) {
    this.type = type;
    this.data = SpecificData.getForClass(type);
    this.schema = data.getSchema(type);
    this.encoder = new BinaryMessageEncoder<>(data, schema);
    addSchema(schema);
    history(type).forEach(this::addSchema);
  }

  @SuppressWarnings("unchecked")
  private void addSchema(Schema writer) {
    readers.put(
        SchemaNormalization.parsingFingerprint64(writer),
        (DatumReader<T>) data.createDatumReader(writer, schema));
  }

  /** The earlier versions of {@code type}'s schema shipped with this module, oldest first. */
  public static List<Schema> history(Class<?> type) {
    List<Schema> out = new ArrayList<>();
    for (int v = 1; ; v++) {
      String name = "/org/mammotriage/schemas/history/" + type.getSimpleName() + ".v" + v + ".avsc";
      try (InputStream in = SingleObjectAvroSerde.class.getResourceAsStream(name)) {
        if (in == null) {
          return out;
        }
        out.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + name, e);
      }
    }
  }

  /** Lets the decoder read records written with an older version of the schema. */
  public SingleObjectAvroSerde<T> withHistoricalSchema(Schema writerSchema) {
    addSchema(writerSchema);
    return this;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> {
      if (value == null) {
        return null;
      }
      try {
        ByteBuffer buf = encoder.encode(value);
        byte[] out = new byte[buf.remaining()];
        buf.get(out);
        return out;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        return decode(bytes);
      } catch (IOException | RuntimeException e) {
        throw new SerializationException(
            "cannot decode "
                + type.getSimpleName()
                + " from topic "
                + topic
                + " as Avro single-object encoding ("
                + e.getMessage()
                + "); was it written with a schema registry?",
            e);
      }
    };
  }

  private T decode(byte[] b) throws IOException {
    if (b.length < HEADER || b[0] != MARKER_0 || b[1] != MARKER_1) {
      throw new BadHeaderException(
          "not Avro single-object encoding: the record does not start with C3 01");
    }
    long fingerprint = 0;
    for (int i = 0; i < 8; i++) {
      fingerprint |= (b[2 + i] & 0xffL) << (8 * i);
    }
    DatumReader<T> reader = readers.get(fingerprint);
    if (reader == null) {
      throw new MissingSchemaException(
          "no known schema of "
              + type.getSimpleName()
              + " has fingerprint "
              + Long.toHexString(fingerprint)
              + " (written by a newer version, or another record type)");
    }
    return reader.read(null, new ArrayDecoder(b, HEADER, b.length - HEADER));
  }
}
