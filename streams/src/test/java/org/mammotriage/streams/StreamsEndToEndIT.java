package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.config.CommonConfig;
import org.mammotriage.config.ConfigLoader;
import org.mammotriage.ingest.FolderImporter;
import org.mammotriage.ingest.IngestConfig;
import org.mammotriage.ingest.IngestRuntime;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.Topics;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.synth.SynthOptions;
import org.mammotriage.synth.SyntheticArchive;
import org.mammotriage.testing.Await;
import org.mammotriage.testing.KafkaTestCluster;
import org.mammotriage.testing.TestModels;

/**
 * Real ingest of a faulted synthetic archive, the streams app and a real ONNX model on a real
 * broker.
 */
class StreamsEndToEndIT {
  @TempDir Path dir;

  @Test
  void shouldDecideEveryExamOncePerVersionWithTopicCountsMatchingTheScores() throws Exception {
    try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
      SyntheticArchive.of(
              SynthOptions.defaults(6, 44).withScale(0.05).withFaults(true).withFaultShare(0.6))
          .generate(dir.resolve("a"));
      Set<String> studies =
          Files.readAllLines(dir.resolve("a/truth.csv")).stream()
              .skip(1)
              .map(l -> l.split(",")[1])
              .collect(Collectors.toSet());
      var ingestCfg =
          ConfigLoader.load(
              IngestConfig.define(CommonConfig.define()),
              null,
              Map.of(),
              Map.of(
                  CommonConfig.KAFKA_BOOTSTRAP,
                  kafka.bootstrapServers(),
                  IngestConfig.PSEUDONYM_SECRET,
                  "end-to-end-secret-0123456789"));
      try (IngestRuntime ingest = new IngestRuntime(ingestCfg, OpsServer.newRegistry())) {
        FolderImporter.Summary s =
            new FolderImporter(ingest.pipeline()).importFolder(dir.resolve("a"), line -> {});
        assertThat(s.stored()).isGreaterThan(4 * studies.size() - 4);
      }
      Path model = TestModels.writeV2(dir.resolve("model"), TestModels.Kind.KNOWN, 30, 18);
      try (StreamsApp app =
          new StreamsApp(
              StreamsItSupport.config(kafka.bootstrapServers(), dir.resolve("state"), Map.of()),
              model,
              OpsServer.newRegistry())) {
        app.start();
        Await.until(
            Duration.ofSeconds(120),
            () -> StreamsItSupport.scoreCount(kafka) >= studies.size(),
            () -> "a score for each of the " + studies.size() + " studies");
        List<ExamScore> scores = StreamsItSupport.scores(kafka);
        Map<String, Long> perVersion =
            scores.stream()
                .collect(
                    Collectors.groupingBy(
                        x -> x.getExamKey() + "#" + x.getExamVersion(), Collectors.counting()));
        assertThat(perVersion.values()).as("one score per exam version").allMatch(c -> c == 1);
        assertThat(scores.stream().map(ExamScore::getExamKey).collect(Collectors.toSet()))
            .isEqualTo(studies);
        Map<String, List<TriageDecision>> decisions = StreamsItSupport.decisions(kafka);
        for (String topic : StreamsItSupport.DECISION_TOPICS) {
          String category = topic.replace("mammo.triage.", "").replace(".v1", "");
          long expected = scores.stream().filter(x -> x.getCategory().equals(category)).count();
          assertThat(decisions.get(topic)).as(topic).hasSize((int) expected);
        }
        assertThat(decisions.get(Topics.RISK_ELEVATED.name()))
            .hasSize((int) scores.stream().filter(ExamScore::getRiskElevated).count());
        long onSuspicionTopics =
            StreamsItSupport.DECISION_TOPICS.stream().mapToLong(t -> decisions.get(t).size()).sum();
        assertThat(onSuspicionTopics).isEqualTo(scores.size());
        assertThat(scores)
            .anySatisfy(
                x -> assertThat(x.getReasonCodes()).anyMatch(r -> r.startsWith("MISSING_")));
        assertThat(scores).anySatisfy(x -> assertThat(x.getExtraViews()).isNotEmpty());
        // the main consumer's interceptor got the app's EncodeAhead through the streams config
        assertThat(app.encodeAhead().hits())
            .as("images encoded ahead of the stream thread")
            .isPositive();
      }
    }
  }
}
