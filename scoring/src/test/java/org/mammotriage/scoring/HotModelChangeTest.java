package org.mammotriage.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.ModelLoadException;
import org.mammotriage.contract.Slot;
import org.mammotriage.testing.Await;
import org.mammotriage.testing.TestModels;
import org.mammotriage.testing.TestModels.Kind;

class HotModelChangeTest {
  @TempDir Path dir;

  @Test
  void shouldSwitchModelOnceUnderConcurrentScoringWithoutFailingAnExam() throws Exception {
    Path v1 = TestModels.write(dir.resolve("v1"), Kind.KNOWN, "screening", "1", 30, 18);
    Path v2 = TestModels.write(dir.resolve("v2"), Kind.CONV, "screening", "2", 30, 18);
    int threads = 4;
    int perThread = 60;
    AtomicInteger done = new AtomicInteger();
    List<List<String>> ids = Collections.synchronizedList(new ArrayList<>());
    try (OnnxExamScorer s = new OnnxExamScorer(v1, "cpu", false, 1, 4, 1)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<List<ScoreResult>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int tt = t;
        futures.add(
            pool.submit(
                () -> {
                  List<ScoreResult> mine = new ArrayList<>();
                  for (int i = 0; i < perThread; i++) {
                    mine.add(
                        s.score(
                            OnnxExamScorerTest.exam(
                                "t" + tt + "e" + i, 40 + i, 200 - i, Slot.values())));
                    done.incrementAndGet();
                  }
                  return mine;
                }));
      }
      Await.until(
          Duration.ofSeconds(60),
          () -> done.get() >= threads * perThread / 3,
          () -> "a third scored");
      ModelInfo next = s.activate(v2);
      assertThat(next.version()).isEqualTo("2");
      for (Future<List<ScoreResult>> f : futures) {
        List<ScoreResult> mine = f.get();
        assertThat(mine)
            .allSatisfy(r -> assertThat(r.scorable()).as(r.unscorableReason()).isTrue());
        ids.add(mine.stream().map(r -> r.model().version()).toList());
      }
      pool.shutdown();
      assertThat(s.activeModel().version()).isEqualTo("2");
    }
    for (List<String> seq : ids) {
      // each thread sees v1 ... v1 then v2 ... v2: exactly one model per score, switching at most
      // once, never back
      int switches = 0;
      for (int i = 1; i < seq.size(); i++) {
        assertThat(seq.get(i).compareTo(seq.get(i - 1)))
            .as("never back to the old model")
            .isGreaterThanOrEqualTo(0);
        if (!seq.get(i).equals(seq.get(i - 1))) {
          switches++;
        }
      }
      assertThat(switches).isLessThanOrEqualTo(1);
    }
    assertThat(ids.stream().flatMap(List::stream)).contains("1", "2");
  }

  @Test
  void shouldKeepTheCurrentModelWhenTheNewOneFailsToLoad() {
    Path v1 = TestModels.write(dir.resolve("ok"), Kind.KNOWN, 30, 18);
    Path bad = TestModels.write(dir.resolve("bad"), Kind.WRONG_SHAPE, 30, 18);
    try (OnnxExamScorer s = new OnnxExamScorer(v1, "cpu", false, 1, 1, 0)) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.activate(bad))
          .isInstanceOf(ModelLoadException.class);
      assertThat(s.activeModel().name()).isEqualTo("test-known");
      assertThat(s.score(OnnxExamScorerTest.exam("x", 1, 2, Slot.values())).scorable()).isTrue();
    }
  }
}
