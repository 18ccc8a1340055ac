package org.mammotriage.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.testing.FakeSchemaRegistry;

class SchemasCommandTest {

  @Test
  void shouldExportTheAvscFilesThroughTheCommandLine(@TempDir Path dir) throws Exception {
    int rc = Main.commandLine().execute("schemas", "export", dir.toString());

    assertThat(rc).isZero();
    assertThat(dir.resolve("index.json")).isRegularFile();
    Schema exported = new Schema.Parser().parse(dir.resolve("TriageDecision.avsc").toFile());
    assertThat(exported).isEqualTo(TriageDecision.getClassSchema());
  }

  @Test
  void shouldRegisterEverySubjectIngestAndStreamsWriteWithBackwardCompatibility() throws Exception {
    try (FakeSchemaRegistry reg = new FakeSchemaRegistry().globalCompatibility("NONE")) {
      SchemasCommand.Register cmd = new SchemasCommand.Register();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      cmd.out = new PrintStream(buf, true, StandardCharsets.UTF_8);

      int rc =
          new picocli.CommandLine(cmd)
              .execute("--registry", reg.url(), "--set", "schema.registry.auto.register=false");

      assertThat(rc).isZero();
      assertThat(reg.subjects())
          .contains(
              "mammo.images.v1-value",
              "mammo.ingest.dlq.v1-value",
              "mammo.scores.v1-value",
              "mammo.triage.suspicious.v1-value",
              "mammo.risk.elevated.v1-value",
              "mammotriage-streams-exam-assembly-store-changelog-value");
      assertThat(reg.subjectCompatibility("mammo.triage.low.v1-value")).isEqualTo("BACKWARD");
      assertThat(buf.toString(StandardCharsets.UTF_8))
          .contains("mammo.triage.low.v1-value: schema id");
    }
  }
}
