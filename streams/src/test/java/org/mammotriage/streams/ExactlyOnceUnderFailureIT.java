package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.mammotriage.testing.Await;
import org.mammotriage.testing.KafkaTestCluster;
import org.mammotriage.testing.TestModels;

/**
 * Exactly once under failure and scale-out: a streams instance in its own JVM is killed without a
 * clean shutdown in the middle of a 200-exam run and a new one finishes; two instances share the
 * work and one stops mid-run; a late image after release, with the instance killed between the
 * release and the late image, is decided as version 2 once, from the encodings the new instance
 * restored. Reading with read_committed, every exam version is in mammo.scores.v1 exactly once and
 * on exactly one suspicion topic. The models are contract 2 (encodings in the store).
 */
class ExactlyOnceUnderFailureIT {
  /**
   * Long enough that only complete exams are released: a restarted instance would otherwise release
   * partly assembled exams as partial version 1 (their last image is older than a short quiet
   * period) and then version 2 — correct versioning, but this test is about one decision per exam.
   */
  static final String QUIET_MS = "600000";

  @TempDir Path dir;

  static void assertEachExamExactlyOnce(KafkaTestCluster kafka, String prefix, int n) {
    List<ExamScore> scores =
        StreamsItSupport.scores(kafka).stream()
            .filter(s -> s.getExamKey().startsWith(prefix + "."))
            .toList();
    Map<String, Long> perExam =
        scores.stream()
            .collect(Collectors.groupingBy(ExamScore::getExamKey, Collectors.counting()));
    assertThat(perExam).hasSize(n);
    assertThat(perExam.values()).as("each exam scored exactly once").allMatch(c -> c == 1);
    Map<String, List<TriageDecision>> d = StreamsItSupport.decisions(kafka);
    List<TriageDecision> onSuspicion = new ArrayList<>();
    StreamsItSupport.DECISION_TOPICS.forEach(t -> onSuspicion.addAll(d.get(t)));
    Map<String, Long> perExamDecisions =
        onSuspicion.stream()
            .filter(x -> x.getExamKey().startsWith(prefix + "."))
            .collect(Collectors.groupingBy(TriageDecision::getExamKey, Collectors.counting()));
    assertThat(perExamDecisions).hasSize(n);
    assertThat(perExamDecisions.values())
        .as("each exam on exactly one suspicion topic")
        .allMatch(c -> c == 1);
  }

  static String tail(Path log) {
    try {
      String s = java.nio.file.Files.readString(log);
      return s.length() > 1500 ? s.substring(s.length() - 1500) : s;
    } catch (java.io.IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  static long releasedInLog(Path log) {
    try {
      return java.nio.file.Files.readAllLines(log).stream()
          .filter(l -> l.contains(" released ("))
          .count();
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  static long scored(KafkaTestCluster kafka, String prefix) {
    return StreamsItSupport.scores(kafka).stream()
        .filter(s -> s.getExamKey().startsWith(prefix + "."))
        .count();
  }

  private Process startProcess(String bootstrap, Path model, Path state) throws Exception {
    return startProcess(bootstrap, model, state, QUIET_MS);
  }

  private Process startProcess(String bootstrap, Path model, Path state, String quietMs)
      throws Exception {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    // its own temp dir: native libraries (RocksDB, ONNX Runtime) are extracted there, apart from
    // this JVM's copies
    Path tmp =
        java.nio.file.Files.createDirectories(
            Path.of("target", "child-tmp-" + state.getFileName()).toAbsolutePath());
    // the class path goes in an @argfile: passed inline with -cp, this JVM's launcher crashed
    // (SIGSEGV) here
    Path argfile = Path.of("target", "child-" + state.getFileName() + ".args").toAbsolutePath();
    java.nio.file.Files.writeString(argfile, "-cp \"" + cp + "\"\n");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx768m",
                "-Djava.io.tmpdir=" + tmp,
                "@" + argfile,
                "org.mammotriage.streams.StreamsMain",
                bootstrap,
                model.toString(),
                state.toString(),
                quietMs));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(Path.of("target", "proc-" + state.getFileName() + ".log").toFile())
        .start();
  }

  @Test
  void shouldDecideEveryExamExactlyOnceWhenAnInstanceIsKilledMidRun() throws Exception {
    try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
      // a convolutional reference model (~60 ms an exam here), so the kill lands mid-run
      Path model =
          TestModels.writeV2(dir.resolve("model"), TestModels.Kind.CONV, "crash", "1", 320, 192);
      StreamsItSupport.produceExams(kafka.bootstrapServers(), "crash", 200);
      Process first = startProcess(kafka.bootstrapServers(), model, dir.resolve("state1"));
      try {
        // the child logs each release: kill it as soon as 25 exams are in flight or done, before it
        // can finish
        Await.until(
            Duration.ofSeconds(90),
            () -> releasedInLog(Path.of("target", "proc-state1.log")) >= 25,
            () ->
                "25 releases by the first instance; child "
                    + (first.isAlive() ? "alive" : "exited " + first.exitValue())
                    + ", log: "
                    + tail(Path.of("target", "proc-state1.log")));
      } finally {
        first.destroyForcibly(); // SIGKILL: no clean shutdown, open transactions are left behind
        first.waitFor(30, TimeUnit.SECONDS);
      }
      long beforeRestart = scored(kafka, "crash");
      assertThat(beforeRestart).isLessThan(200);
      Process second = startProcess(kafka.bootstrapServers(), model, dir.resolve("state2"));
      try {
        Await.until(
            Duration.ofSeconds(120),
            () -> scored(kafka, "crash") >= 200,
            () -> "all 200 exams scored after the restart");
        assertEachExamExactlyOnce(kafka, "crash", 200);
      } finally {
        second.destroy();
        second.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void shouldShareTheWorkAndLetTheSurvivorTakeOverWhenOneInstanceStops() throws Exception {
    try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
      Path model = TestModels.writeV2(dir.resolve("model"), TestModels.Kind.KNOWN, 30, 18);
      StreamsItSupport.produceExams(kafka.bootstrapServers(), "scale", 60);
      try (StreamsApp a =
              new StreamsApp(
                  StreamsItSupport.config(
                      kafka.bootstrapServers(),
                      dir.resolve("a"),
                      Map.of(TriageStreamsConfig.QUIET_PERIOD_MS, QUIET_MS)),
                  model,
                  OpsServer.newRegistry());
          StreamsApp b =
              new StreamsApp(
                  StreamsItSupport.config(
                      kafka.bootstrapServers(),
                      dir.resolve("b"),
                      Map.of(TriageStreamsConfig.QUIET_PERIOD_MS, QUIET_MS)),
                  model,
                  OpsServer.newRegistry())) {
        a.start();
        b.start();
        Await.until(
            Duration.ofSeconds(90),
            () -> scored(kafka, "scale") >= 15,
            () -> "some exams scored by two instances");
        b.close(); // stopped mid-run
        Await.until(
            Duration.ofSeconds(120),
            () -> scored(kafka, "scale") >= 60,
            () -> "the survivor finishes all 60 exams");
        assertThat(a.isRunning()).isTrue();
        assertEachExamExactlyOnce(kafka, "scale", 60);
      }
    }
  }

  @Test
  void shouldDecideALateImageAfterReleaseAsVersionTwoOnceAfterAKill() throws Exception {
    try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
      Path model = TestModels.writeV2(dir.resolve("model"), TestModels.Kind.KNOWN, 30, 18);
      int n = 10;
      // three views of each exam: released as partial version 1 after a short quiet period
      StreamsItSupport.produceViews(
          kafka.bootstrapServers(), "late", n, List.of("L_CC", "L_MLO", "R_CC"));
      Process first = startProcess(kafka.bootstrapServers(), model, dir.resolve("late1"), "2000");
      try {
        Await.until(
            Duration.ofSeconds(90),
            () -> scored(kafka, "late") >= n,
            () ->
                "version 1 of the "
                    + n
                    + " exams; log: "
                    + tail(Path.of("target", "proc-late1.log")));
      } finally {
        first.destroyForcibly(); // SIGKILL
        first.waitFor(30, TimeUnit.SECONDS);
      }
      // the late image of each exam, read by a new instance that restores the store (encodings)
      StreamsItSupport.produceViews(kafka.bootstrapServers(), "late", n, List.of("R_MLO"));
      Process second = startProcess(kafka.bootstrapServers(), model, dir.resolve("late2"), "2000");
      try {
        Await.until(
            Duration.ofSeconds(120),
            () -> scored(kafka, "late") >= 2L * n,
            () ->
                "version 2 of the "
                    + n
                    + " exams; log: "
                    + tail(Path.of("target", "proc-late2.log")));
        List<ExamScore> scores =
            StreamsItSupport.scores(kafka).stream()
                .filter(s -> s.getExamKey().startsWith("late."))
                .toList();
        Map<String, Long> perVersion =
            scores.stream()
                .collect(
                    Collectors.groupingBy(
                        s -> s.getExamKey() + "#" + s.getExamVersion(), Collectors.counting()));
        assertThat(perVersion).hasSize(2 * n);
        assertThat(perVersion.values()).as("each exam version once").allMatch(c -> c == 1);
        assertThat(scores)
            .filteredOn(s -> s.getExamVersion() == 2)
            .hasSize(n)
            .allSatisfy(
                s -> {
                  assertThat(s.getSlotsMissing()).isEmpty();
                  assertThat(s.getScorable()).isTrue();
                  assertThat(s.getReasonCodes()).contains("AMENDED_VERSION_2");
                });
        Map<String, List<TriageDecision>> d = StreamsItSupport.decisions(kafka);
        List<TriageDecision> onSuspicion = new ArrayList<>();
        StreamsItSupport.DECISION_TOPICS.forEach(t -> onSuspicion.addAll(d.get(t)));
        Map<String, Long> decided =
            onSuspicion.stream()
                .filter(x -> x.getExamKey().startsWith("late."))
                .collect(
                    Collectors.groupingBy(
                        x -> x.getExamKey() + "#" + x.getExamVersion(), Collectors.counting()));
        assertThat(decided).hasSize(2 * n);
        assertThat(decided.values())
            .as("each exam version on exactly one suspicion topic")
            .allMatch(c -> c == 1);
      } finally {
        second.destroy();
        second.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
