package org.mammotriage.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
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
 */
public final class SingleObjectAvroSerde<T extends SpecificRecord> implements Serde<T> {
  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  public SingleObjectAvroSerde(Class<T> type) {
    this.type = type;
    SpecificData data = SpecificData.getForClass(type);
    Schema schema = data.getSchema(type);
    this.encoder = new BinaryMessageEncoder<>(data, schema);
    this.decoder = new BinaryMessageDecoder<>(data, schema);
    history(type).forEach(decoder::addSchema);
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
    decoder.addSchema(writerSchema);
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
        return decoder.decode(bytes);
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
}
