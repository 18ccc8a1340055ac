package org.mammotriage.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.Slot;
import org.mammotriage.testing.TestModels;
import org.mammotriage.testing.TestModels.Kind;
import org.slf4j.LoggerFactory;

class OnnxExamScorerTest {
  static final int H = 30;
  static final int W = 18;
  @TempDir Path dir;

  static byte[] png(int gray, int rows, int cols) {
    BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < rows; y++) {
      for (int x = 0; x < cols; x++) {
        img.getRaster().setSample(x, y, 0, gray);
      }
    }
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(img, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static ExamInput exam(String key, int left, int right, Slot... slots) {
    List<ExamImage> images = new ArrayList<>();
    for (Slot s : slots) {
      images.add(new ExamImage(s, png(s.breastIndex() == 0 ? left : right, 76, 46), key + "." + s));
    }
    return new ExamInput(key, images);
  }

  private OnnxExamScorer scorer(Kind kind) {
    return new OnnxExamScorer(
        TestModels.write(dir.resolve(kind.name()), kind, H, W), "cpu", false, 1, 4, 1);
  }

  @Test
  void shouldGiveKnownOutputsForKnownInputs() {
    try (OnnxExamScorer s = scorer(Kind.KNOWN)) {
      ScoreResult r = s.score(exam("e1", 200, 50, Slot.values()));
      double l = TestModels.normalised(200);
      double rr = TestModels.normalised(50);
      assertThat(r.scorable()).isTrue();
      assertThat(r.malignancyLeft()).isCloseTo(TestModels.expectedMalignancy(l), within(1e-5));
      assertThat(r.malignancyRight()).isCloseTo(TestModels.expectedMalignancy(rr), within(1e-5));
      assertThat(r.suspicion())
          .isCloseTo(Math.max(r.malignancyLeft(), r.malignancyRight()), within(1e-12));
      assertThat(r.risk()).containsExactly(TestModels.expectedRisk(l, rr), within(1e-5));
      assertThat(r.device()).isEqualTo("cpu");
      assertThat(r.model().name()).isEqualTo("test-known");
    }
  }

  @Test
  void shouldGiveTheSameKnownOutputsWhenImagesArePreparedAheadAndTheirArraysReused() {
    // given: more exams than a batch (4; and batches of one exam, prepared two ahead), some with
    // missing views, so later batches are prepared while one runs and the blocks of earlier
    // batches are reused for later ones
    List<ExamInput> exams = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      Slot[] slots = i % 3 == 0 ? new Slot[] {Slot.R_CC, Slot.L_MLO} : Slot.values();
      exams.add(exam("b" + i, 20 + 21 * i, 230 - 19 * i, slots));
    }
    Path model = TestModels.write(dir.resolve("ahead"), Kind.KNOWN, H, W);
    for (int batchMax : new int[] {4, 1}) {
      try (OnnxExamScorer s = new OnnxExamScorer(model, "cpu", false, 1, batchMax, 1)) {
        knownOutputsTwice(s, exams, batchMax);
      }
    }
  }

  private static void knownOutputsTwice(OnnxExamScorer s, List<ExamInput> exams, int batchMax) {
    for (int round = 0; round < 2; round++) {
      // when
      List<ScoreResult> rs = s.scoreBatch(exams);
      // then: every exam has its own known outputs
      assertThat(rs).hasSize(exams.size());
      for (int i = 0; i < exams.size(); i++) {
        double l = TestModels.normalised(20 + 21 * i);
        double r = TestModels.normalised(230 - 19 * i);
        ScoreResult got = rs.get(i);
        assertThat(got.examKey()).isEqualTo("b" + i);
        assertThat(got.malignancyLeft())
            .as("batch max %d round %d exam %d", batchMax, round, i)
            .isCloseTo(TestModels.expectedMalignancy(l), within(1e-5));
        assertThat(got.malignancyRight())
            .as("batch max %d round %d exam %d", batchMax, round, i)
            .isCloseTo(TestModels.expectedMalignancy(r), within(1e-5));
      }
    }
  }

  @Test
  void shouldScoreTheOtherBreastWhenViewsAreMissing() {
    try (OnnxExamScorer s = scorer(Kind.KNOWN)) {
      ScoreResult r = s.score(exam("e2", 180, 0, Slot.L_CC));
      double l = TestModels.normalised(180);
      assertThat(r.scorable()).isTrue();
      assertThat(r.malignancyLeft()).isCloseTo(TestModels.expectedMalignancy(l), within(1e-5));
      assertThat(r.malignancyRight()).as("no right view: no right score").isNull();
      assertThat(r.suspicion()).isEqualTo(r.malignancyLeft());
      // present=0 slots contribute nothing: the right breast mean is 0 in the model
      assertThat(r.risk()).containsExactly(TestModels.expectedRisk(l, 0), within(1e-5));
    }
  }

  @Test
  void shouldMarkExamUnscorableWhenModelReturnsNaN() {
    try (OnnxExamScorer s = scorer(Kind.NAN)) {
      ScoreResult r = s.score(exam("e3", 100, 100, Slot.values()));
      assertThat(r.scorable()).isFalse();
      assertThat(r.unscorableReason()).isEqualTo("NON_FINITE_OUTPUT");
      assertThat(r.suspicion()).isNull();
    }
  }

  @Test
  void shouldMarkExamUnscorableWhenRiskIsNotMonotone() {
    try (OnnxExamScorer s = scorer(Kind.NON_MONOTONE)) {
      ScoreResult r = s.score(exam("e4", 100, 100, Slot.values()));
      assertThat(r.scorable()).isFalse();
      assertThat(r.unscorableReason()).isEqualTo("RISK_NOT_MONOTONE");
    }
  }

  @Test
  void shouldMarkUndecodableImagesAndEmptyExamsUnscorableWithoutFailingOthers() {
    try (OnnxExamScorer s = scorer(Kind.KNOWN)) {
      List<ScoreResult> rs =
          s.scoreBatch(
              List.of(
                  new ExamInput(
                      "bad", List.of(new ExamImage(Slot.L_CC, new byte[] {1, 2, 3}, "x"))),
                  new ExamInput("empty", List.of()),
                  exam("good", 120, 130, Slot.values())));
      assertThat(rs)
          .extracting(ScoreResult::unscorableReason)
          .containsExactly("UNDECODABLE_IMAGE", "NO_VIEWS", null);
      assertThat(rs.get(2).scorable()).isTrue();
      // the good exam runs alone, gathered from the third place of the prepared block
      assertThat(rs.get(2).malignancyLeft())
          .isCloseTo(TestModels.expectedMalignancy(TestModels.normalised(120)), within(1e-5));
      assertThat(rs.get(2).malignancyRight())
          .isCloseTo(TestModels.expectedMalignancy(TestModels.normalised(130)), within(1e-5));
    }
  }

  @Test
  void shouldNotMakeALoneCallerWaitOutTheLinger() {
    // given: batches of up to 4 that wait up to 2 s for more exams
    try (OnnxExamScorer s =
        new OnnxExamScorer(
            TestModels.write(dir.resolve("lone"), Kind.KNOWN, H, W), "cpu", false, 1, 4, 2000)) {
      // when: one caller (as one stream thread is) scores exams one after another
      for (int i = 0; i < 3; i++) {
        ScoreResult r = s.score(exam("lone" + i, 40 + 50 * i, 200, Slot.values()));
        // then: each has its known outputs ...
        assertThat(r.malignancyLeft())
            .isCloseTo(
                TestModels.expectedMalignancy(TestModels.normalised(40 + 50 * i)), within(1e-5));
      }
      // ... and no batch waited for an exam that could not come
      assertThat(s.lingerTimeouts()).isZero();
    }
  }

  @Test
  void shouldGiveEachConcurrentCallerItsOwnKnownOutputs() throws Exception {
    // given: callers of score() on 6 threads, batched together by the scorer (up to 4 per run,
    // each exam prepared on its own and gathered into the batch)
    try (OnnxExamScorer s = scorer(Kind.KNOWN)) {
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(6);
      try {
        List<java.util.concurrent.Future<ScoreResult>> futures = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
          ExamInput e =
              exam(
                  "c" + i,
                  5 + 10 * i,
                  250 - 9 * i,
                  i % 4 == 0 ? new Slot[] {Slot.L_CC} : Slot.values());
          futures.add(pool.submit(() -> s.score(e)));
        }
        // then
        for (int i = 0; i < futures.size(); i++) {
          ScoreResult r = futures.get(i).get();
          assertThat(r.examKey()).isEqualTo("c" + i);
          assertThat(r.malignancyLeft())
              .as("exam %d", i)
              .isCloseTo(
                  TestModels.expectedMalignancy(TestModels.normalised(5 + 10 * i)), within(1e-5));
          if (i % 4 != 0) {
            assertThat(r.malignancyRight())
                .as("exam %d", i)
                .isCloseTo(
                    TestModels.expectedMalignancy(TestModels.normalised(250 - 9 * i)),
                    within(1e-5));
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void shouldGiveTheSameScoresInABatchAsOneByOne() {
    try (OnnxExamScorer s = scorer(Kind.KNOWN)) {
      List<ExamInput> exams =
          List.of(
              exam("a", 10, 250, Slot.values()),
              exam("b", 90, 40, Slot.L_MLO, Slot.R_CC),
              exam("c", 255, 0, Slot.values()));
      List<ScoreResult> batch = s.scoreBatch(exams);
      for (int i = 0; i < exams.size(); i++) {
        ScoreResult one = s.score(exams.get(i));
        assertThat(batch.get(i).suspicion()).isCloseTo(one.suspicion(), within(1e-6));
      }
    }
  }

  @Test
  void shouldFallBackToCpuWhenCudaIsAskedForAndSaySo() {
    Logger log = (Logger) LoggerFactory.getLogger(ExecutionDevice.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    log.addAppender(appender);
    try (OnnxExamScorer s =
        new OnnxExamScorer(
            TestModels.write(dir.resolve("m"), Kind.KNOWN, H, W), "cuda", false, 1, 1, 0)) {
      assertThat(s.device()).isEqualTo("cpu");
      assertThat(s.score(exam("e", 100, 100, Slot.values())).device()).isEqualTo("cpu");
      assertThat(appender.list)
          .anySatisfy(
              e ->
                  assertThat(e.getFormattedMessage())
                      .contains("CUDA is not available")
                      .contains("scoring on CPU"));
    } finally {
      log.detachAppender(appender);
    }
  }
}
