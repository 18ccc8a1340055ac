package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.scoring.ScoringConfig;
import org.mammotriage.testing.Await;
import org.mammotriage.testing.KafkaTestCluster;
import org.mammotriage.testing.TestModels;

/**
 * The running streams app takes a new model copied over its model directory without restart: the
 * exams scored before carry the old model's id, those after the new one's, each exactly one, and
 * none fails (real broker, real ONNX models).
 */
class HotModelChangeIT {
  @TempDir Path dir;

  @Test
  void shouldScoreWithTheNewModelFromTheNextExamOnAfterItIsCopiedIn() throws Exception {
    Path v1 = TestModels.write(dir.resolve("v1"), TestModels.Kind.KNOWN, "screening", "1", 30, 18);
    Path v2 = TestModels.write(dir.resolve("v2"), TestModels.Kind.CONV, "screening", "2", 30, 18);
    Path live = dir.resolve("live");
    Files.createDirectories(live);
    copy(v1, live);
    try (KafkaTestCluster kafka = KafkaTestCluster.start();
        StreamsApp app =
            new StreamsApp(
                StreamsItSupport.config(
                    kafka.bootstrapServers(),
                    dir.resolve("state"),
                    Map.of(ScoringConfig.MODEL_WATCH_INTERVAL_MS, "200")),
                live,
                OpsServer.newRegistry())) {
      app.start();
      StreamsItSupport.produceExams(kafka.bootstrapServers(), "before", 4);
      Await.until(
          Duration.ofSeconds(120),
          () -> StreamsItSupport.scoreCount(kafka) >= 4,
          () -> "scores of the first 4 exams");

      copy(v2, live);
      Await.until(
          Duration.ofSeconds(60),
          () -> app.scorer().activeModel().version().equals("2"),
          () -> "the watch activates the model copied in");
      StreamsItSupport.produceExams(kafka.bootstrapServers(), "after", 4);
      Await.until(
          Duration.ofSeconds(120),
          () -> StreamsItSupport.scoreCount(kafka) >= 8,
          () -> "scores of the next 4 exams");

      List<ExamScore> scores = StreamsItSupport.scores(kafka);
      assertThat(scores).hasSize(8).allSatisfy(s -> assertThat(s.getScorable()).isTrue());
      Map<String, String> versionByExam =
          scores.stream()
              .collect(
                  Collectors.toMap(
                      s -> s.getExamKey().toString(), s -> s.getModel().getVersion().toString()));
      assertThat(versionByExam)
          .allSatisfy(
              (exam, version) ->
                  assertThat(version).as(exam).isEqualTo(exam.startsWith("before") ? "1" : "2"));
      assertThat(scores.stream().map(s -> s.getModel().getSha256().toString()).distinct())
          .as("two models, one id per score")
          .hasSize(2);
    }
  }

  private static void copy(Path from, Path to) throws Exception {
    for (String f : new String[] {"exam_scorer.onnx", "image_encoder.onnx", "model.json"}) {
      Files.copy(from.resolve(f), to.resolve(f), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
