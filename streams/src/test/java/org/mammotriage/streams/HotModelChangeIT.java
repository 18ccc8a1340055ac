package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
 * none fails (real broker, real ONNX models). An exam whose first views arrived before the change
 * is scored by the new model alone: its earlier views are encoded again, from the working images in
 * the store (after a contract-1 model) or read back from mammo.images.v1 (after a contract-2
 * model).
 */
class HotModelChangeIT {
  @TempDir Path dir;

  @Test
  void shouldScoreWithTheNewModelFromTheNextExamOnAfterAContractOneModelIsReplaced()
      throws Exception {
    Path v1 = TestModels.write(dir.resolve("v1"), TestModels.Kind.KNOWN, "screening", "1", 30, 18);
    Path v2 = TestModels.writeV2(dir.resolve("v2"), TestModels.Kind.CONV, "screening", "2", 30, 18);
    runChange(v1, v2);
  }

  @Test
  void shouldScoreWithTheNewModelAndReadImagesBackWhenAContractTwoModelIsReplaced()
      throws Exception {
    Path v1 =
        TestModels.writeV2(dir.resolve("v1"), TestModels.Kind.KNOWN, "screening", "1", 30, 18);
    Path v2 = TestModels.writeV2(dir.resolve("v2"), TestModels.Kind.CONV, "screening", "2", 30, 18);
    runChange(v1, v2);
  }

  private void runChange(Path v1, Path v2) throws Exception {
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
      StreamsItSupport.produceViews(
          kafka.bootstrapServers(), "across", 1, List.of("L_CC", "L_MLO"));
      Await.until(
          Duration.ofSeconds(120),
          () ->
              StreamsItSupport.scoreCount(kafka) >= 4
                  && StreamsItSupport.imagesProcessed(kafka, "mammotriage-streams") >= 18,
          () -> "scores of the first 4 exams and the first two views of the fifth processed");

      copy(v2, live);
      Await.until(
          Duration.ofSeconds(60),
          () -> app.scorer().activeModel().version().equals("2"),
          () -> "the watch activates the model copied in");
      StreamsItSupport.produceExams(kafka.bootstrapServers(), "after", 4);
      StreamsItSupport.produceViews(
          kafka.bootstrapServers(), "across", 1, List.of("R_CC", "R_MLO"));
      Await.until(
          Duration.ofSeconds(120),
          () -> StreamsItSupport.scoreCount(kafka) >= 9,
          () -> "scores of the next 4 exams and of the exam across the change");

      List<ExamScore> scores = StreamsItSupport.scores(kafka);
      assertThat(scores).hasSize(9).allSatisfy(s -> assertThat(s.getScorable()).isTrue());
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
      ExamScore across =
          scores.stream().filter(s -> s.getExamKey().startsWith("across")).findFirst().get();
      assertThat(across.getSlotsMissing()).isEmpty();
      assertThat(across.getReasonCodes()).contains(ReleaseScoring.REENCODED);
    }
  }

  /** Copies every file of a model directory over the live one (as an operator would). */
  private static void copy(Path from, Path to) throws Exception {
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.sorted().toList()) {
        Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
