package org.mammotriage.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.IndexedRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A record as plain JSON for readers without Avro: one object with the schema's field names, a
 * union written as its value (null or the branch, never Avro-JSON's {@code {"double": 0.5}}),
 * {@code timestamp-millis} as an ISO-8601 UTC string, bytes as base64, enums as their symbol.
 */
public final class PlainJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private PlainJson() {}

  public static ObjectNode toNode(IndexedRecord r) {
    ObjectNode n = F.objectNode();
    for (Schema.Field f : r.getSchema().getFields()) {
      n.set(f.name(), value(r.get(f.pos())));
    }
    return n;
  }

  /** UTF-8 JSON bytes of the record. */
  public static byte[] toBytes(IndexedRecord r) {
    try {
      return JSON.writeValueAsBytes(toNode(r));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SerializationException(
          "cannot write " + r.getSchema().getFullName() + " as JSON", e);
    }
  }

  /** A serializer writing plain JSON, for the mirror topics. */
  public static <T extends IndexedRecord> Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : toBytes(value);
  }

  private static JsonNode value(Object v) {
    if (v == null) {
      return F.nullNode();
    }
    if (v instanceof IndexedRecord r) {
      return toNode(r);
    }
    if (v instanceof CharSequence s) {
      return F.textNode(s.toString());
    }
    if (v instanceof Integer i) {
      return F.numberNode(i);
    }
    if (v instanceof Long l) {
      return F.numberNode(l);
    }
    if (v instanceof Double d) {
      return d.isNaN() || d.isInfinite() ? F.textNode(d.toString()) : F.numberNode(d);
    }
    if (v instanceof Float fl) {
      return F.numberNode(fl);
    }
    if (v instanceof Boolean b) {
      return F.booleanNode(b);
    }
    if (v instanceof Instant t) {
      return F.textNode(t.toString());
    }
    if (v instanceof ByteBuffer b) {
      ByteBuffer d = b.duplicate();
      byte[] bytes = new byte[d.remaining()];
      d.get(bytes);
      return F.textNode(Base64.getEncoder().encodeToString(bytes));
    }
    if (v instanceof Enum<?> e) {
      return F.textNode(e.name());
    }
    if (v instanceof GenericContainer g) {
      return F.textNode(g.toString());
    }
    if (v instanceof List<?> list) {
      ArrayNode a = F.arrayNode();
      list.forEach(x -> a.add(value(x)));
      return a;
    }
    if (v instanceof Map<?, ?> map) {
      ObjectNode o = F.objectNode();
      map.forEach((k, x) -> o.set(k.toString(), value(x)));
      return o;
    }
    return F.textNode(v.toString());
  }
}
