package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.ops.OpsServer;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.scoring.testing.TestModels;
import org.mammotriage.testing.Await;
import org.mammotriage.testing.KafkaTestCluster;

/**
 * Exactly once under failure and scale-out: a streams instance in its own JVM is killed without a clean shutdown in
 * the middle of a 100-exam run and a new one finishes; two instances share the work and one stops mid-run. Reading
 * with read_committed, every exam is in mammo.scores.v1 exactly once and on exactly one suspicion topic.
 */
class ExactlyOnceUnderFailureIT {
  @TempDir Path dir;

  static void assertEachExamExactlyOnce(KafkaTestCluster kafka, String prefix, int n) {
    List<ExamScore> scores = StreamsItSupport.scores(kafka).stream().filter(s -> s.getExamKey().startsWith(prefix + ".")).toList();
    Map<String, Long> perExam = scores.stream().collect(Collectors.groupingBy(ExamScore::getExamKey, Collectors.counting()));
    assertThat(perExam).hasSize(n);
    assertThat(perExam.values()).as("each exam scored exactly once").allMatch(c -> c == 1);
    Map<String, List<TriageDecision>> d = StreamsItSupport.decisions(kafka);
    List<TriageDecision> onSuspicion = new ArrayList<>();
    StreamsItSupport.DECISION_TOPICS.forEach(t -> onSuspicion.addAll(d.get(t)));
    Map<String, Long> perExamDecisions = onSuspicion.stream().filter(x -> x.getExamKey().startsWith(prefix + "."))
        .collect(Collectors.groupingBy(TriageDecision::getExamKey, Collectors.counting()));
    assertThat(perExamDecisions).hasSize(n);
    assertThat(perExamDecisions.values()).as("each exam on exactly one suspicion topic").allMatch(c -> c == 1);
  }

  static String tail(Path log) {
    try {
      String s = java.nio.file.Files.readString(log);
      return s.length() > 1500 ? s.substring(s.length() - 1500) : s;
    } catch (java.io.IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  static long scored(KafkaTestCluster kafka, String prefix) {
    return StreamsItSupport.scores(kafka).stream().filter(s -> s.getExamKey().startsWith(prefix + ".")).count();
  }

  private Process startProcess(String bootstrap, Path model, Path state) throws Exception {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    java.nio.file.Files.writeString(Path.of("target", "proc-classpath.txt"), cp);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
        "-cp", cp, "org.mammotriage.streams.StreamsMain", bootstrap, model.toString(), state.toString()));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(Path.of("target", "proc-" + state.getFileName() + ".log").toFile())
        .start();
  }

  @Test
  void shouldDecideEveryExamExactlyOnceWhenAnInstanceIsKilledMidRun() throws Exception {
    try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
      Path model = TestModels.write(dir.resolve("model"), TestModels.Kind.KNOWN, 30, 18);
      StreamsItSupport.produceExams(kafka.bootstrapServers(), "crash", 100);
      Process first = startProcess(kafka.bootstrapServers(), model, dir.resolve("state1"));
      try {
        Await.until(Duration.ofSeconds(90), () -> scored(kafka, "crash") >= 25, () -> "a quarter of the exams scored; child "
            + (first.isAlive() ? "alive" : "exited " + first.exitValue()) + ", log: " + tail(Path.of("target", "proc-state1.log")));
      } finally {
        first.destroyForcibly(); // SIGKILL: no clean shutdown, open transactions are left behind
        first.waitFor(30, TimeUnit.SECONDS);
      }
      long beforeRestart = scored(kafka, "crash");
      assertThat(beforeRestart).isLessThan(100);
      Process second = startProcess(kafka.bootstrapServers(), model, dir.resolve("state2"));
      try {
        Await.until(Duration.ofSeconds(120), () -> scored(kafka, "crash") >= 100, () -> "all 100 exams scored after the restart");
        assertEachExamExactlyOnce(kafka, "crash", 100);
      } finally {
        second.destroy();
        second.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void shouldShareTheWorkAndLetTheSurvivorTakeOverWhenOneInstanceStops() throws Exception {
    try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
      Path model = TestModels.write(dir.resolve("model"), TestModels.Kind.KNOWN, 30, 18);
      StreamsItSupport.produceExams(kafka.bootstrapServers(), "scale", 60);
      try (StreamsApp a = new StreamsApp(StreamsItSupport.config(kafka.bootstrapServers(), dir.resolve("a"), Map.of()), model,
          OpsServer.newRegistry());
          StreamsApp b = new StreamsApp(StreamsItSupport.config(kafka.bootstrapServers(), dir.resolve("b"), Map.of()), model,
              OpsServer.newRegistry())) {
        a.start();
        b.start();
        Await.until(Duration.ofSeconds(90), () -> scored(kafka, "scale") >= 15, () -> "some exams scored by two instances");
        b.close(); // stopped mid-run
        Await.until(Duration.ofSeconds(120), () -> scored(kafka, "scale") >= 60, () -> "the survivor finishes all 60 exams");
        assertThat(a.isRunning()).isTrue();
        assertEachExamExactlyOnce(kafka, "scale", 60);
      }
    }
  }
}
