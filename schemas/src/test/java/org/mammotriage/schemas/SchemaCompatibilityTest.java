package org.mammotriage.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.MammogramImage;
import org.mammotriage.schemas.avro.RejectedInstance;
import org.mammotriage.schemas.avro.TriageDecision;

/**
 * Every schema change must be BACKWARD compatible: the current schema (reader) reads data written
 * with each pinned earlier version (writer). Pinned versions live in
 * src/test/resources/pinned/NAME.vN.avsc; add a new pin when a version is released, never edit an
 * old one.
 */
class SchemaCompatibilityTest {

  private static Schema pinned(String name) throws IOException {
    try (InputStream in =
        SchemaCompatibilityTest.class.getResourceAsStream("/pinned/" + name + ".v1.avsc")) {
      assertThat(in).as("pinned schema for %s", name).isNotNull();
      return new Schema.Parser().parse(in);
    }
  }

  private static Schema current(String name) {
    Class<?> c =
        switch (name) {
          case "MammogramImage" -> MammogramImage.class;
          case "RejectedInstance" -> RejectedInstance.class;
          case "ExamScore" -> ExamScore.class;
          case "TriageDecision" -> TriageDecision.class;
          case "ExamAssemblyState" -> org.mammotriage.schemas.avro.ExamAssemblyState.class;
          default -> throw new IllegalArgumentException(name);
        };
    return SpecificData.get().getSchema(c);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "MammogramImage",
        "RejectedInstance",
        "ExamScore",
        "TriageDecision",
        "ExamAssemblyState"
      })
  void shouldReadEveryPinnedVersionWithTheCurrentSchema(String name) throws IOException {
    var result = SchemaCompatibility.checkReaderWriterCompatibility(current(name), pinned(name));
    assertThat(result.getType())
        .as(result.getDescription())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void shouldDetectABreakingChangeSoTheCheckCanFail() throws IOException {
    Schema old = pinned("TriageDecision");
    // a new required field without a default breaks BACKWARD compatibility
    List<Schema.Field> fields = new java.util.ArrayList<>();
    for (Schema.Field f : old.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(
        new Schema.Field("priority", Schema.create(Schema.Type.INT), "no default", (Object) null));
    Schema broken =
        Schema.createRecord(old.getName(), old.getDoc(), old.getNamespace(), false, fields);
    var result = SchemaCompatibility.checkReaderWriterCompatibility(broken, old);
    assertThat(result.getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }
}
