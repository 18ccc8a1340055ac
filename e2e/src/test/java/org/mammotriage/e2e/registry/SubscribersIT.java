package org.mammotriage.e2e.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.app.ArchiveRun;
import org.mammotriage.app.DemoPipeline;
import org.mammotriage.app.Main;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.streams.TriageStreamsConfig;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.testing.Await;

/**
 * Subscribers reading the decisions of a real pipeline (ingest over DICOM, streams with the demo
 * model) in both wire formats: with a real Apicurio Registry (Confluent framing; subjects, ids and
 * compatibility checked through its REST API; read by Java, {@code watch}, {@code replay}, Debian's
 * python3-confluent-kafka with the registry's MessageSerializer and Node's kafkajs with
 * {@code @kafkajs/confluent-schema-registry}), and without a registry (Avro single-object encoding;
 * read by the Python and Node examples with the schemas {@code schemas export} wrote). The
 * consumers are the files of {@code docs/examples}, which the guide shows.
 */
class SubscribersIT {
  static final Path MODEL = Decisions.ROOT.resolve("models/demo-synthetic");
  @TempDir static Path work;
  static Path archive;

  @BeforeAll
  static void archive() throws Exception {
    archive = work.resolve("archive");
    // replay evaluates too: a seed whose small validation and test splits both hold cancers
    SyntheticArchive.of(SynthOptions.defaults(16, 3).withScale(0.05).withMalignantShare(0.5))
        .generate(archive);
  }

  @Test
  void shouldLetEveryReaderDecodeEveryDecisionThroughARealApicurioRegistry() throws Exception {
    try (ApicurioRegistry reg = ApicurioRegistry.start(work.resolve("registry"));
        DemoPipeline p =
            DemoPipeline.start(
                work.resolve("pipeline-registry"),
                MODEL,
                2000,
                // the first URL answers nothing: ingest and streams fail over to the real one
                Map.of(
                    CommonConfig.REGISTRY_URL,
                    deadUrl() + "," + reg.url(),
                    // the archive is tiny (scale 0.05), outside the demo model's validated image
                    // sizes: routed by score (and marked), as this test is about the readers
                    TriageStreamsConfig.DOMAIN_ENFORCE,
                    "false"))) {
      // replay against the running, registry-backed pipeline: it sends the archive over DICOM
      // and reads the decisions through the registry
      Path out = work.resolve("replay");
      int rc =
          Main.commandLine()
              .execute(
                  "replay",
                  "--archive",
                  archive.toString(),
                  "--out",
                  out.toString(),
                  "--bootstrap",
                  p.bootstrap(),
                  "--dicom",
                  "127.0.0.1:" + p.scpPort(),
                  "--registry",
                  reg.url(),
                  "--timeout-s",
                  "300",
                  "--verbose");
      assertThat(rc).as("replay decided every exam").isZero();
      JsonNode exams =
          new ObjectMapper().readTree(out.resolve("replay.json").toFile()).at("/pipeline/exams");
      assertThat(exams.path("expected").asInt()).isPositive();
      assertThat(exams.path("every_exam_decided_once").asBoolean()).as(exams.toString()).isTrue();

      List<Decisions.Raw> java = Decisions.readAll(p.bootstrap(), p.serdes());
      Set<Decisions.Seen> expected = seen(java);
      assertThat(expected)
          .hasSameSizeAs(java)
          .hasSizeGreaterThanOrEqualTo(exams.path("expected").asInt());

      assertSubjectsIdsAndCompatibility(reg, java);
      assertThat(javaExample(p.bootstrap(), reg.url(), java.size()))
          .as("Java example, registry")
          .containsExactlyInAnyOrderElementsOf(expected);

      List<Decisions.Seen> python =
          Decisions.runConsumer(
              Decisions.EXAMPLES.resolve("python"),
              Duration.ofSeconds(120),
              Decisions.python(),
              "read_decisions_registry.py",
              "--bootstrap",
              p.bootstrap(),
              "--registry",
              reg.url(),
              "--max",
              String.valueOf(java.size()),
              "--idle-exit",
              "30");
      assertThat(python).as("Python, registry").containsExactlyInAnyOrderElementsOf(expected);

      List<Decisions.Seen> node =
          Decisions.runConsumer(
              Decisions.nodeExample(),
              Duration.ofSeconds(120),
              "node",
              "read-decisions.js",
              "--bootstrap",
              p.bootstrap(),
              "--registry",
              reg.url(),
              "--max",
              String.valueOf(java.size()),
              "--idle-exit",
              "30");
      assertThat(node).as("Node, registry").containsExactlyInAnyOrderElementsOf(expected);

      assertThat(watch(p.bootstrap(), reg.url(), java.size()))
          .as("mammotriage watch --registry")
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void shouldLetPythonNodeAndKcatReadEveryDecisionWithoutARegistry() throws Exception {
    Path schemas = work.resolve("schemas");
    assertThat(Main.commandLine().execute("schemas", "export", schemas.toString())).isZero();
    try (DemoPipeline p =
        DemoPipeline.start(
            work.resolve("pipeline-plain"),
            MODEL,
            2000,
            Map.of(
                TriageStreamsConfig.JSON_MIRROR,
                "true",
                TriageStreamsConfig.DOMAIN_ENFORCE,
                "false"))) {
      ArchiveRun.Result r =
          ArchiveRun.run(
              archive,
              p.bootstrap(),
              "127.0.0.1",
              p.scpPort(),
              p.ingest().pipeline(),
              0,
              Duration.ofMinutes(5),
              l -> {});
      assertThat(r.complete()).isTrue();
      List<Decisions.Raw> java = Decisions.readAll(p.bootstrap(), p.serdes());
      Set<Decisions.Seen> expected = seen(java);
      assertThat(java).allSatisfy(d -> assertThat(d.value()[0]).isEqualTo((byte) 0xC3));
      assertThat(javaExample(p.bootstrap(), null, java.size()))
          .as("Java example, no registry")
          .containsExactlyInAnyOrderElementsOf(expected);

      List<Decisions.Seen> python =
          Decisions.runConsumer(
              Decisions.EXAMPLES.resolve("python"),
              Duration.ofSeconds(120),
              Decisions.python(),
              "read_decisions_plain.py",
              "--bootstrap",
              p.bootstrap(),
              "--schemas",
              schemas.toString(),
              "--max",
              String.valueOf(java.size()),
              "--idle-exit",
              "30");
      assertThat(python).as("Python, no registry").containsExactlyInAnyOrderElementsOf(expected);

      List<Decisions.Seen> node =
          Decisions.runConsumer(
              Decisions.nodeExample(),
              Duration.ofSeconds(120),
              "node",
              "read-decisions.js",
              "--bootstrap",
              p.bootstrap(),
              "--schemas",
              schemas.toString(),
              "--max",
              String.valueOf(java.size()),
              "--idle-exit",
              "30");
      assertThat(node).as("Node, no registry").containsExactlyInAnyOrderElementsOf(expected);

      // the plain-JSON mirror, as kcat prints it (it lags the decisions by one commit)
      List<List<Decisions.Seen>> kcat = new ArrayList<>(List.of(List.of()));
      Await.until(
          Duration.ofSeconds(60),
          () -> {
            kcat.set(0, kcatJsonMirrors(p.bootstrap()));
            return kcat.get(0).size() >= java.size();
          },
          () -> "kcat to read " + java.size() + " JSON decisions; read " + kcat.get(0).size());
      assertThat(kcat.get(0)).as("kcat, JSON mirror").containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  private static String deadUrl() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return "http://127.0.0.1:" + s.getLocalPort() + "/apis/ccompat/v7";
    }
  }

  private static List<Decisions.Seen> javaExample(String bootstrap, String registry, int max) {
    List<Decisions.Seen> out = new ArrayList<>();
    ReadDecisionsExample.read(
        bootstrap,
        registry,
        max,
        Duration.ofSeconds(60),
        (topic, d) ->
            out.add(
                new Decisions.Seen(topic, d.getExamKey(), d.getExamVersion(), d.getCategory())));
    return out;
  }

  /** {@code kcat -C -t <mirror> -e} on every JSON mirror topic; each line one JSON decision. */
  private static List<Decisions.Seen> kcatJsonMirrors(String bootstrap) {
    List<Decisions.Seen> out = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    try {
      for (var m : Topics.JSON_MIRRORS) {
        Process k =
            new ProcessBuilder(
                    "kcat",
                    "-b",
                    bootstrap,
                    "-C",
                    "-t",
                    m.name(),
                    "-o",
                    "beginning",
                    "-e",
                    "-q",
                    "-f",
                    "%s\n")
                .redirectErrorStream(true)
                .start();
        String text = new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(k.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(k.exitValue()).as("kcat: %s", text).isZero();
        for (String line : text.split("\n")) {
          if (line.startsWith("{")) {
            JsonNode n = json.readTree(line);
            out.add(
                new Decisions.Seen(
                    m.source().name(),
                    n.path("examKey").asText(),
                    n.path("examVersion").asInt(),
                    n.path("category").asText()));
          }
        }
      }
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError("cannot run kcat (Debian package kcat; ./run test installs it)", e);
    }
    return out;
  }

  /** Subjects, ids and compatibility as the registry's own REST API reports them. */
  private static void assertSubjectsIdsAndCompatibility(
      ApicurioRegistry reg, List<Decisions.Raw> decisions) throws Exception {
    ApicurioRegistry.Reply subjects = reg.get("/subjects");
    List<String> names = new ArrayList<>();
    subjects.body().forEach(n -> names.add(n.asText()));
    assertThat(names)
        .contains(
            "mammo.images.v1-value",
            "mammo.ingest.dlq.v1-value",
            "mammo.scores.v1-value",
            "mammo.triage.suspicious.v1-value",
            "mammo.triage.routine.v1-value",
            "mammo.triage.low.v1-value",
            "mammo.triage.incomplete.v1-value",
            "mammo.risk.elevated.v1-value",
            "mammotriage-streams-exam-assembly-store-changelog-value")
        .noneMatch(s -> s.endsWith("-key"));
    for (String s : names) {
      assertThat(reg.get("/config/" + s).body().path("compatibilityLevel").asText())
          .as("compatibility of %s", s)
          .isEqualTo("BACKWARD");
    }
    for (Decisions.Raw d : decisions) {
      assertThat(d.value()[0]).as("Confluent magic byte").isZero();
      int id = ByteBuffer.wrap(d.value(), 1, 4).getInt();
      JsonNode latest = reg.get("/subjects/" + d.seen().topic() + "-value/versions/latest").body();
      assertThat(latest.path("id").asInt()).as("schema id of %s", d.seen()).isEqualTo(id);
      Schema registered =
          new Schema.Parser().parse(reg.get("/schemas/ids/" + id).body().path("schema").asText());
      assertThat(registered).isEqualTo(TriageDecision.getClassSchema());
      assertThat(d.key()).as("keys are plain UTF-8 study UIDs").isEqualTo(d.seen().examKey());
    }
    // the subject's BACKWARD level is enforced: a new required field without a default is refused
    String breaking =
        TriageDecision.getClassSchema()
            .toString()
            .replace(
                "\"fields\":[",
                "\"fields\":[{\"name\":\"mandatoryNewField\",\"type\":\"string\"},");
    ApicurioRegistry.Reply refused =
        reg.post(
            "/subjects/mammo.triage.routine.v1-value/versions",
            new ObjectMapper().createObjectNode().put("schema", breaking).toString());
    assertThat(refused.status()).as(String.valueOf(refused.body())).isEqualTo(409);
  }

  /** {@code mammotriage watch --json --registry}, in this JVM, its lines parsed. */
  private static List<Decisions.Seen> watch(String bootstrap, String registry, int max)
      throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream old = System.out;
    int rc;
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      rc =
          Main.commandLine()
              .execute(
                  "watch",
                  "--bootstrap",
                  bootstrap,
                  "--registry",
                  registry,
                  "--json",
                  "--from-beginning",
                  "--max",
                  String.valueOf(max),
                  "--idle-exit",
                  "30");
    } finally {
      System.setOut(old);
    }
    assertThat(rc).isZero();
    ObjectMapper json = new ObjectMapper();
    List<Decisions.Seen> out = new ArrayList<>();
    for (String line : buf.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.startsWith("{")) {
        out.add(Decisions.Seen.of(json.readTree(line)));
      }
    }
    return out;
  }

  private static Set<Decisions.Seen> seen(List<Decisions.Raw> raw) {
    Set<Decisions.Seen> s = new HashSet<>();
    raw.forEach(r -> s.add(r.seen()));
    assertThat(s).as("no decision twice").hasSameSizeAs(raw);
    assertThat(Arrays.asList(s.toArray())).isNotEmpty();
    return s;
  }
}
