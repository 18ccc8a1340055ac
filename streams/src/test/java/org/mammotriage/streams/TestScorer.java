package org.mammotriage.streams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.mammotriage.scoring.OnnxExamScorer;
import org.mammotriage.testing.TestModels;

/**
 * A real contract-2 scorer on a small test model, made once for a test class and removed after it
 * (the encode-ahead tests share it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TestScorer {
  Path models;
  OnnxExamScorer scorer;

  @BeforeAll
  void model() throws java.io.IOException {
    models = Files.createTempDirectory("encode-ahead-test");
    scorer =
        new OnnxExamScorer(
            TestModels.writeV2(models.resolve("m"), TestModels.Kind.KNOWN, 30, 18),
            "cpu",
            false,
            1,
            1,
            0);
  }

  @AfterAll
  void closeModel() throws java.io.IOException {
    scorer.close();
    try (var files = Files.walk(models)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  /** Waits until the pool's one worker has run (or passed over) every task handed to it. */
  static void awaitWorkerDone(EncodeAhead a) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    a.runOnPool(done::countDown);
    org.assertj.core.api.Assertions.assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
  }
}
