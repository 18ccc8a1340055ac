package org.mammotriage.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.testing.SampleRecords;

class SchemaExportTest {

  @Test
  void shouldWriteEveryTopicSchemaAndTheHeaderItsRecordsStartWith(@TempDir Path dir)
      throws Exception {
    var entries = SchemaExport.writeTo(dir);

    assertThat(entries)
        .extracting(SchemaExport.Entry::file)
        .containsExactly(
            "MammogramImage.avsc",
            "RejectedInstance.avsc",
            "ExamScore.avsc",
            "TriageDecision.avsc");
    for (var e : entries) {
      Schema parsed = new Schema.Parser().parse(dir.resolve(e.file()).toFile());
      assertThat(parsed.getFullName()).isEqualTo(e.fullName());
    }
    JsonNode index = new ObjectMapper().readTree(dir.resolve("index.json").toFile());
    assertThat(index).hasSize(4);
    JsonNode decision = index.get(3);
    assertThat(decision.path("topics")).hasSize(6);

    byte[] wire =
        SerdeFactory.singleObject()
            .serde(TriageDecision.class, false)
            .serializer()
            .serialize(Topics.SUSPICIOUS.name(), SampleRecords.decision());
    assertThat(HexFormat.of().formatHex(Arrays.copyOf(wire, 10)))
        .as("the header a consumer matches records with")
        .isEqualTo(decision.path("single_object_header").asText());
    assertThat(Files.readString(dir.resolve("TriageDecision.avsc"))).contains("timestamp-millis");
  }
}
