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
    return pinned(name, 1);
  }

  private static Schema pinned(String name, int version) throws IOException {
    try (InputStream in =
        SchemaCompatibilityTest.class.getResourceAsStream(
            "/pinned/" + name + ".v" + version + ".avsc")) {
      assertThat(in).as("pinned schema for %s v%s", name, version).isNotNull();
      return new Schema.Parser().parse(in);
    }
  }

  /** Every pinned version of a record, oldest first (v1 always exists). */
  private static List<Schema> allPinned(String name) throws IOException {
    List<Schema> out = new java.util.ArrayList<>();
    for (int v = 1;
        SchemaCompatibilityTest.class.getResource("/pinned/" + name + ".v" + v + ".avsc") != null;
        v++) {
      out.add(pinned(name, v));
    }
    return out;
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
    for (Schema old : allPinned(name)) {
      var result = SchemaCompatibility.checkReaderWriterCompatibility(current(name), old);
      assertThat(result.getType())
          .as(result.getDescription())
          .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    }
  }

  /**
   * The internal state store is restored from its changelog by the next version of the app, which
   * decodes single-object records by their writer schema's fingerprint: every earlier pinned
   * version of ExamAssemblyState must ship in the runtime's schema history, exactly as pinned.
   */
  @Test
  void shouldShipEveryEarlierStateSchemaForTheStoreToRestore() throws IOException {
    List<Schema> pins = allPinned("ExamAssemblyState");
    Schema now = current("ExamAssemblyState");
    List<Schema> earlier =
        pins.stream()
            .filter(
                s ->
                    org.apache.avro.SchemaNormalization.parsingFingerprint64(s)
                        != org.apache.avro.SchemaNormalization.parsingFingerprint64(now))
            .toList();
    assertThat(earlier).isNotEmpty();
    assertThat(
            org.mammotriage.schemas.serde.SingleObjectAvroSerde.history(
                org.mammotriage.schemas.avro.ExamAssemblyState.class))
        .containsExactlyElementsOf(earlier);
    assertThat(org.apache.avro.SchemaNormalization.parsingFingerprint64(pins.get(pins.size() - 1)))
        .as("the newest pin is the current schema")
        .isEqualTo(org.apache.avro.SchemaNormalization.parsingFingerprint64(now));
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
