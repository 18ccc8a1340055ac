package org.mammotriage.schemas;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;

/**
 * Writes the schemas of the records on the project's topics as {@code .avsc} files, for
 * subscribers, plus {@code index.json}: for each schema its full name, file, the topics that carry
 * it and the 10-byte Avro single-object header its records start with when no schema registry is
 * used (marker {@code c3 01}, then the CRC-64-AVRO fingerprint of the parsing canonical form,
 * little-endian), so a consumer can match a record to its schema without computing fingerprints.
 */
public final class SchemaExport {
  /** One exported schema. */
  public record Entry(String fullName, String file, String headerHex, List<String> topics) {}

  private SchemaExport() {}

  /** The value schemas of {@link Topics#ALL}, in topic order, each once. */
  public static Map<Schema, List<String>> topicSchemas() {
    Map<Schema, List<String>> out = new LinkedHashMap<>();
    for (TopicSpec<?> t : Topics.ALL) {
      Schema s = SpecificData.getForClass(t.valueType()).getSchema(t.valueType());
      out.computeIfAbsent(s, k -> new ArrayList<>()).add(t.name());
    }
    return out;
  }

  /** The 10 bytes a single-object encoded record of {@code schema} starts with. */
  public static byte[] singleObjectHeader(Schema schema) {
    return ByteBuffer.allocate(10)
        .order(ByteOrder.LITTLE_ENDIAN)
        .put((byte) 0xC3)
        .put((byte) 0x01)
        .putLong(SchemaNormalization.parsingFingerprint64(schema))
        .array();
  }

  /** Writes {@code <Name>.avsc} for each topic schema and {@code index.json} into {@code dir}. */
  public static List<Entry> writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Entry> entries = new ArrayList<>();
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ArrayNode index = json.createArrayNode();
    for (Map.Entry<Schema, List<String>> e : topicSchemas().entrySet()) {
      Schema s = e.getKey();
      String file = s.getName() + ".avsc";
      Files.writeString(dir.resolve(file), s.toString(true) + "\n", StandardCharsets.UTF_8);
      String header = HexFormat.of().formatHex(singleObjectHeader(s));
      entries.add(new Entry(s.getFullName(), file, header, List.copyOf(e.getValue())));
      ObjectNode n =
          index
              .addObject()
              .put("name", s.getFullName())
              .put("file", file)
              .put("single_object_header", header);
      e.getValue().forEach(n.putArray("topics")::add);
    }
    json.writeValue(dir.resolve("index.json").toFile(), index);
    return entries;
  }
}
