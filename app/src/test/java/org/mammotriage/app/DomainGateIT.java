package org.mammotriage.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.config.MammoConfig;
import org.mammotriage.ingest.IngestConfig;
import org.mammotriage.ingest.IngestRuntime;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.schemas.serde.SerdeFactory;
import org.mammotriage.scoring.ScoringConfig;
import org.mammotriage.streams.Category;
import org.mammotriage.streams.StreamsApp;
import org.mammotriage.streams.TriageStreamsConfig;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.testing.Await;
import org.mammotriage.testing.KafkaTestCluster;

/**
 * The domain gate and drift monitoring end to end (issue 20), with the bundled demo model and its
 * domain on a real broker: in-domain synthetic exams from one calling AE and shifted exams from
 * another (the same synthetic phantoms with their photometric interpretation flipped, so the image
 * is inverted while the header still names a validated vendor and model). The shifted exams land on
 * mammo.triage.out_of_domain.v1 only, marked on mammo.scores.v1 with OOD reasons; the in-domain
 * ones are routed by score; the drift gauges move for the shifted AE only; the drift report renders
 * in headless Chromium.
 */
class DomainGateIT {
  static final Path DEMO = Path.of("../models/demo-synthetic");
  static final SerdeFactory SERDES = SerdeFactory.singleObject();

  @TempDir Path dir;

  @Test
  void shouldGateShiftedExamsToTheirTopicAndMoveDriftForTheirSourceOnly() throws Exception {
    SyntheticArchive.of(
            SynthOptions.defaults(8, 501).withScale(0.25).withMalignantShare(0.2).withThreads(2))
        .generate(dir.resolve("in"));
    SyntheticArchive.of(
            SynthOptions.defaults(6, 502).withScale(0.25).withMalignantShare(0.2).withThreads(2))
        .generate(dir.resolve("shifted"));
    List<Path> inFiles = dicoms(dir.resolve("in"));
    List<Path> shiftedFiles = dicoms(dir.resolve("shifted"));
    for (Path f : shiftedFiles) {
      flipPhotometric(f);
    }
    Set<String> inStudies = studies(dir.resolve("in"));
    Set<String> shiftedStudies = studies(dir.resolve("shifted"));

    try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
      MammoConfig ingestCfg =
          ConfigLoader.load(
              IngestConfig.define(CommonConfig.define()),
              null,
              Map.of(),
              Map.of(
                  CommonConfig.KAFKA_BOOTSTRAP,
                  kafka.bootstrapServers(),
                  IngestConfig.PSEUDONYM_SECRET,
                  "domain-gate-secret-0123456789"));
      try (IngestRuntime ingest = new IngestRuntime(ingestCfg, OpsServer.newRegistry())) {
        for (Path f : inFiles) {
          ingest.pipeline().process(f, "SITE_A", "INGEST_IMPORT");
        }
        for (Path f : shiftedFiles) {
          ingest.pipeline().process(f, "SITE_SHIFT", "INGEST_IMPORT");
        }
      }
      MeterRegistry registry = OpsServer.newRegistry();
      int total = inStudies.size() + shiftedStudies.size();
      try (StreamsApp app =
          new StreamsApp(
              streamsConfig(kafka.bootstrapServers(), dir.resolve("state")), DEMO, registry)) {
        app.start();
        Await.until(
            Duration.ofSeconds(240),
            () -> scores(kafka).size() >= total,
            () -> "a score for each of the " + total + " studies");
        List<ExamScore> scores = scores(kafka);
        Map<String, ExamScore> byStudy =
            scores.stream().collect(Collectors.toMap(ExamScore::getExamKey, s -> s, (a, b) -> b));

        // shifted: every exam out of domain by its OOD score (its header is a validated one)
        for (String s : shiftedStudies) {
          ExamScore e = byStudy.get(s);
          assertThat(e.getDomainVerdict()).as(s).isEqualTo("OUT_OF_DOMAIN");
          assertThat(e.getCategory()).isEqualTo(Category.OUT_OF_DOMAIN.label());
          assertThat(e.getDomainReasons()).anyMatch(r -> r.startsWith("OOD_EMBEDDING_"));
          assertThat(e.getDomainReasons()).doesNotContain("VENDOR_NOT_VALIDATED");
          assertThat(e.getSuspicion()).as("the score is still written").isNotNull();
          assertThat(e.getSourceAe()).isEqualTo("SITE_SHIFT");
        }
        // in domain: routed by score as before (at most one false flag among them)
        long inFlagged =
            inStudies.stream()
                .filter(s -> !"IN_DOMAIN".equals(byStudy.get(s).getDomainVerdict()))
                .count();
        assertThat(inFlagged).as("in-domain exams flagged").isLessThanOrEqualTo(1);

        Map<String, List<TriageDecision>> decisions = decisions(kafka);
        Set<String> oodTopic =
            decisions.get(Topics.OUT_OF_DOMAIN.name()).stream()
                .map(TriageDecision::getExamKey)
                .collect(Collectors.toSet());
        assertThat(oodTopic).containsAll(shiftedStudies);
        for (String t : decisions.keySet()) {
          if (!t.equals(Topics.OUT_OF_DOMAIN.name()) && !t.equals(Topics.RISK_ELEVATED.name())) {
            assertThat(decisions.get(t))
                .as("shifted exams on %s", t)
                .noneMatch(d -> shiftedStudies.contains(d.getExamKey()));
          }
        }
        for (ExamScore e : scores) {
          String topic = Category.fromLabel(e.getCategory()).topic().name();
          assertThat(decisions.get(topic))
              .as("decision of %s on %s", e.getExamKey(), topic)
              .anyMatch(d -> d.getExamKey().equals(e.getExamKey()));
          if ("IN_DOMAIN".equals(e.getDomainVerdict())) {
            assertThat(e.getCategory()).isNotEqualTo(Category.OUT_OF_DOMAIN.label());
          }
        }
        assertThat(decisions.get(Topics.OUT_OF_DOMAIN.name()))
            .allMatch(d -> "OUT_OF_DOMAIN".equals(d.getDomainVerdict()));

        // drift gauges: the shifted AE drifts, the in-domain AE does not
        assertThat(gauge(registry, "mammotriage_drift_alert", "SITE_SHIFT")).isEqualTo(1.0);
        assertThat(gauge(registry, "mammotriage_drift_ood_rate", "SITE_SHIFT")).isEqualTo(1.0);
        assertThat(gauge(registry, "mammotriage_drift_alert", "SITE_A")).isEqualTo(0.0);
        assertThat(gauge(registry, "mammotriage_drift_ood_rate", "SITE_A")).isLessThan(0.15);
        System.out.printf(
            "DomainGateIT: %d in-domain exams (%d flagged), %d shifted exams (%d on %s);"
                + " drift alert SITE_A %.0f, SITE_SHIFT %.0f%n",
            inStudies.size(),
            inFlagged,
            shiftedStudies.size(),
            shiftedStudies.stream().filter(oodTopic::contains).count(),
            Topics.OUT_OF_DOMAIN.name(),
            gauge(registry, "mammotriage_drift_alert", "SITE_A"),
            gauge(registry, "mammotriage_drift_alert", "SITE_SHIFT"));
      }

      // kept under target/ to be looked at (drift.html, drift-screenshot.png)
      Path out = Path.of("target/domain-gate-it").toAbsolutePath();
      if (Files.isDirectory(out)) {
        try (Stream<Path> old = Files.list(out)) {
          for (Path p : old.toList()) {
            Files.delete(p);
          }
        }
      }
      int rc =
          Main.commandLine()
              .execute(
                  "drift",
                  "--bootstrap",
                  kafka.bootstrapServers(),
                  "--model",
                  DEMO.toString(),
                  "--out",
                  out.toString(),
                  "--min-exams",
                  "5");
      assertThat(rc).isZero();
      JsonNode j = new ObjectMapper().readTree(out.resolve("drift.json").toFile());
      Map<String, JsonNode> sources = new HashMap<>();
      j.path("sources").forEach(s -> sources.put(s.path("source").asText(), s));
      assertThat(sources.get("ae:SITE_SHIFT").path("drifted").asBoolean()).isTrue();
      assertThat(sources.get("ae:SITE_A").path("drifted").asBoolean()).isFalse();
      assertRendersInChromium(out.resolve("drift.html"));
    }
  }

  static MammoConfig streamsConfig(String bootstrap, java.nio.file.Path stateDir) throws Exception {
    Map<String, String> f = new HashMap<>();
    f.put(CommonConfig.KAFKA_BOOTSTRAP, bootstrap);
    f.put(TriageStreamsConfig.STATE_DIR, stateDir.toString());
    f.put(TriageStreamsConfig.QUIET_PERIOD_MS, "3000");
    f.put(TriageStreamsConfig.DRIFT_MIN, "5");
    f.put(ScoringConfig.DEVICE, "cpu");
    f.put("kafka.commit.interval.ms", "200");
    return ConfigLoader.load(
        ScoringConfig.define(TriageStreamsConfig.define(CommonConfig.define())), null, Map.of(), f);
  }

  static double gauge(MeterRegistry r, String name, String source) {
    Gauge g = r.find(name).tag("source_kind", "ae").tag("source", source).gauge();
    assertThat(g).as("%s{source=%s}", name, source).isNotNull();
    return g.value();
  }

  static List<Path> dicoms(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
    }
  }

  static Set<String> studies(Path archive) throws Exception {
    return Files.readAllLines(archive.resolve("manifest.csv")).stream()
        .skip(1)
        .map(l -> l.split(",")[1])
        .collect(Collectors.toSet());
  }

  /** MONOCHROME1 ↔ MONOCHROME2: the preprocessed image comes out inverted, the header unchanged. */
  static void flipPhotometric(Path f) throws Exception {
    AttributeList l = new AttributeList();
    l.read(f.toFile());
    String pi =
        Attribute.getSingleStringValueOrEmptyString(l, TagFromName.PhotometricInterpretation)
            .trim();
    Attribute a = new com.pixelmed.dicom.CodeStringAttribute(TagFromName.PhotometricInterpretation);
    a.addValue(pi.equals("MONOCHROME1") ? "MONOCHROME2" : "MONOCHROME1");
    l.put(a);
    String ts =
        Attribute.getSingleStringValueOrDefault(
            l, TagFromName.TransferSyntaxUID, TransferSyntax.ExplicitVRLittleEndian);
    l.removeGroupLengthAttributes();
    l.removeMetaInformationHeaderAttributes();
    FileMetaInformation.addFileMetaInformation(l, ts, "MAMMOTRIAGE");
    l.write(f.toFile(), ts, true, true);
  }

  static List<ExamScore> scores(KafkaTestCluster kafka) {
    var de = Topics.SCORES.valueSerde(SERDES).deserializer();
    return kafka
        .consumeAll(Topics.SCORES.name(), new ByteArrayDeserializer(), Duration.ofSeconds(1))
        .stream()
        .map(r -> de.deserialize("t", r.value()))
        .toList();
  }

  static Map<String, List<TriageDecision>> decisions(KafkaTestCluster kafka) {
    var de = SERDES.serde(TriageDecision.class, false).deserializer();
    Map<String, List<TriageDecision>> out = new HashMap<>();
    List<String> topics = new ArrayList<>();
    for (Category c : Category.values()) {
      topics.add(c.topic().name());
    }
    topics.add(Topics.RISK_ELEVATED.name());
    for (String t : topics) {
      out.put(
          t,
          kafka.consumeAll(t, new ByteArrayDeserializer(), Duration.ofSeconds(1)).stream()
              .map(r -> de.deserialize("t", r.value()))
              .toList());
    }
    return out;
  }

  static void assertRendersInChromium(Path html) throws Exception {
    Path shot = html.resolveSibling("drift-screenshot.png").toAbsolutePath();
    Path profile = Files.createTempDirectory("chromium"); // deleted below: a profile is ~2 MB
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--user-data-dir=" + profile,
                "--screenshot=" + shot,
                "--window-size=1200,2400",
                html.toAbsolutePath().toUri().toString()));
    String log;
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    } finally {
      DemoCommand.deleteQuietly(profile);
    }
    assertThat(log).doesNotContain("Uncaught", "SyntaxError");
    assertThat(shot).isRegularFile();
    assertThat(Files.size(shot)).isGreaterThan(20_000);
    assertThat(Files.readString(html)).contains("<svg", "ae:SITE_SHIFT");
  }
}
