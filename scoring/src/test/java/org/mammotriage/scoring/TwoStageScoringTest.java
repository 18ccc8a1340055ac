package org.mammotriage.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mammotriage.contract.Slot;
import org.mammotriage.testing.TestModels;
import org.mammotriage.testing.TestModels.Kind;

/**
 * Contract-2 models in the scorer: the two stages (encode each image, then the head over the
 * encodings) give what the whole-exam path gives, and what the contract-1 model of the same
 * functions gives; encodings of another model are refused; concurrent encodes share a run.
 */
class TwoStageScoringTest {
  static final int H = 30;
  static final int W = 18;
  @TempDir Path dir;

  /** A textured working image, so convolutions see more than a constant. */
  static byte[] texture(long seed, int rows, int cols) {
    Random r = new Random(seed);
    BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < rows; y++) {
      for (int x = 0; x < cols; x++) {
        img.getRaster().setSample(x, y, 0, r.nextInt(256));
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

  static ExamInput texturedExam(String key, long seed, Slot... slots) {
    List<ExamImage> images = new ArrayList<>();
    for (Slot s : slots) {
      images.add(new ExamImage(s, texture(seed * 10 + s.ordinal(), 76, 46), key + "." + s));
    }
    return new ExamInput(key, images);
  }

  static List<ExamInput> exams() {
    return List.of(
        OnnxExamScorerTest.exam("all", 200, 50, Slot.values()),
        OnnxExamScorerTest.exam("no-r-mlo", 120, 250, Slot.L_CC, Slot.L_MLO, Slot.R_CC),
        OnnxExamScorerTest.exam("left-only", 30, 0, Slot.L_CC, Slot.L_MLO),
        texturedExam("tex-all", 1, Slot.values()),
        texturedExam("tex-one", 2, Slot.R_MLO));
  }

  static void assertSameScore(ScoreResult a, ScoreResult b, double tol) {
    assertThat(a.scorable()).as(a.examKey()).isEqualTo(b.scorable());
    assertThat(a.malignancyLeft() == null).isEqualTo(b.malignancyLeft() == null);
    assertThat(a.malignancyRight() == null).isEqualTo(b.malignancyRight() == null);
    if (a.malignancyLeft() != null) {
      assertThat(a.malignancyLeft()).as(a.examKey()).isCloseTo(b.malignancyLeft(), within(tol));
    }
    if (a.malignancyRight() != null) {
      assertThat(a.malignancyRight()).as(a.examKey()).isCloseTo(b.malignancyRight(), within(tol));
    }
    assertThat(a.risk()).as(a.examKey()).containsExactly(b.risk(), within(tol));
  }

  @Test
  void shouldScoreAContractTwoModelAsTheContractOneModelOfTheSameFunctions() {
    for (Kind kind : List.of(Kind.KNOWN, Kind.CONV)) {
      Path v1 = TestModels.write(dir.resolve("v1-" + kind), kind, H, W);
      Path v2 = TestModels.writeV2(dir.resolve("v2-" + kind), kind, H, W);
      try (OnnxExamScorer one = new OnnxExamScorer(v1, "cpu", false, 1, 4, 1);
          OnnxExamScorer two = new OnnxExamScorer(v2, "cpu", false, 1, 4, 1)) {
        List<ScoreResult> a = one.scoreBatch(exams());
        List<ScoreResult> b = two.scoreBatch(exams());
        for (int i = 0; i < a.size(); i++) {
          assertSameScore(b.get(i), a.get(i), 1e-6);
        }
        assertThat(b.get(0).model().encodesViews()).isTrue();
      }
    }
  }

  @Test
  void shouldScoreStoredEncodingsAsTheWholeExamPath() {
    for (Kind kind : List.of(Kind.KNOWN, Kind.CONV)) {
      Path v2 = TestModels.writeV2(dir.resolve("v2-" + kind), kind, H, W);
      try (OnnxExamScorer s = new OnnxExamScorer(v2, "cpu", false, 1, 1, 0)) {
        for (ExamInput e : exams()) {
          List<EncodedView> views = new ArrayList<>();
          for (ExamImage img : e.images()) {
            EncodeResult r = s.encode(img);
            assertThat(r.encoded()).isTrue();
            assertThat(r.encoding().modelId()).isEqualTo(s.activeModel().id());
            views.add(new EncodedView(img.slot(), img.sopInstanceUid(), r.encoding()));
          }
          ScoreResult staged = s.scoreEncoded(e.examKey(), views);
          assertThat(staged.scorable()).isTrue();
          assertSameScore(staged, s.score(e), 1e-6);
        }
      }
    }
  }

  @Test
  void shouldGiveTheKnownOutputsFromTheHeadAlone() {
    Path v2 = TestModels.writeV2(dir.resolve("k"), Kind.KNOWN, H, W);
    try (OnnxExamScorer s = new OnnxExamScorer(v2, "cpu", false, 1, 1, 0)) {
      ExamInput e = OnnxExamScorerTest.exam("k", 200, 50, Slot.L_CC, Slot.R_CC);
      List<EncodedView> views = new ArrayList<>();
      for (ExamImage img : e.images()) {
        views.add(new EncodedView(img.slot(), img.sopInstanceUid(), s.encode(img).encoding()));
      }
      ScoreResult r = s.scoreEncoded("k", views);
      double l = TestModels.normalised(200);
      double rr = TestModels.normalised(50);
      assertThat(r.malignancyLeft()).isCloseTo(TestModels.expectedMalignancy(l), within(1e-5));
      assertThat(r.malignancyRight()).isCloseTo(TestModels.expectedMalignancy(rr), within(1e-5));
      assertThat(r.risk()).containsExactly(TestModels.expectedRisk(l, rr), within(1e-5));
    }
  }

  @Test
  void shouldRefuseEncodingsOfAnotherModelSoThatNoScoreMixesTwo() {
    Path a = TestModels.writeV2(dir.resolve("a"), Kind.KNOWN, "screening", "1", H, W);
    Path b = TestModels.writeV2(dir.resolve("b"), Kind.CONV, "screening", "2", H, W);
    try (OnnxExamScorer s = new OnnxExamScorer(a, "cpu", false, 1, 1, 0)) {
      ExamImage img = new ExamImage(Slot.L_CC, texture(3, 76, 46), "sop");
      ViewEncoding old = s.encode(img).encoding();
      s.activate(b);
      ScoreResult refused = s.scoreEncoded("x", List.of(new EncodedView(Slot.L_CC, "sop", old)));
      assertThat(refused.scorable()).isFalse();
      assertThat(refused.unscorableReason()).isEqualTo(ScoreResult.ENCODED_BY_OTHER_MODEL);
      assertThat(refused.model().version()).isEqualTo("2");
      ViewEncoding fresh = s.encode(img).encoding();
      ScoreResult ok = s.scoreEncoded("x", List.of(new EncodedView(Slot.L_CC, "sop", fresh)));
      assertThat(ok.scorable()).isTrue();
      assertThat(ok.model().version()).isEqualTo("2");
    }
  }

  @Test
  void shouldTellTheCallerToKeepTheImageWhenTheModelIsContractOne() {
    Path v1 = TestModels.write(dir.resolve("v1"), Kind.KNOWN, H, W);
    try (OnnxExamScorer s = new OnnxExamScorer(v1, "cpu", false, 1, 4, 1)) {
      EncodeResult r = s.encode(new ExamImage(Slot.L_CC, texture(1, 76, 46), "sop"));
      assertThat(r.encoded()).isFalse();
      assertThat(r.failure()).isEqualTo(EncodeResult.MODEL_ENCODES_NO_VIEWS);
      assertThat(r.model().encodesViews()).isFalse();
      ScoreResult refused =
          s.scoreEncoded(
              "x",
              List.of(
                  new EncodedView(
                      Slot.L_CC,
                      "sop",
                      new ViewEncoding(s.activeModel().id(), new float[16], java.util.Map.of()))));
      assertThat(refused.unscorableReason()).isEqualTo(ScoreResult.ENCODED_BY_OTHER_MODEL);
    }
  }

  @Test
  void shouldSayWhenAnImageDoesNotDecodeOrTheHeadGivesNonFiniteValues() {
    try (OnnxExamScorer s =
        new OnnxExamScorer(
            TestModels.writeV2(dir.resolve("nan"), Kind.NAN, H, W), "cpu", false, 1, 4, 1)) {
      EncodeResult bad = s.encode(new ExamImage(Slot.L_CC, new byte[] {1, 2, 3}, "sop"));
      assertThat(bad.failure()).isEqualTo(EncodeResult.UNDECODABLE_IMAGE);
      ExamImage img = new ExamImage(Slot.L_CC, texture(4, 76, 46), "sop");
      ScoreResult r =
          s.scoreEncoded("n", List.of(new EncodedView(Slot.L_CC, "sop", s.encode(img).encoding())));
      assertThat(r.scorable()).isFalse();
      assertThat(r.unscorableReason()).isEqualTo("NON_FINITE_OUTPUT");
    }
  }

  @Test
  void shouldRunImagesOfCallersWaitingTogetherInOneEncoderRunAndGiveEachItsOwn() throws Exception {
    Path a = TestModels.writeV2(dir.resolve("a"), Kind.KNOWN, "m", "1", H, W);
    Path b = TestModels.writeV2(dir.resolve("b"), Kind.KNOWN, "m", "2", H, W);
    try (LoadedModel ma = ModelDirectory.load(a, "cpu", false, 1);
        LoadedModel mb = ModelDirectory.load(b, "cpu", false, 1);
        EncodeBatcher batcher = new EncodeBatcher(8, 60_000)) {
      // given: four callers have started preparing (a lone caller would not be waited for)
      for (int i = 0; i < 4; i++) {
        batcher.begin();
      }
      // when: three images of model a and one of model b arrive
      List<CompletableFuture<ViewEncoding>> f = new ArrayList<>();
      float[] values = {0.5f, -1f, 2f, 3f};
      for (int i = 0; i < 4; i++) {
        f.add(batcher.submit(i < 3 ? ma : mb, constant(values[i])));
      }
      // then: one run per model, each caller gets the encoding of its own image
      for (int i = 0; i < 4; i++) {
        ViewEncoding e = f.get(i).get();
        assertThat(e.modelId()).isEqualTo((i < 3 ? ma : mb).info().id());
        assertThat(e.outputs().get(TestModels.VIEW_MEAN)[0]).isCloseTo(values[i], within(1e-6f));
        assertThat(e.embedding())
            .hasSize(TestModels.KNOWN_DIM)
            .containsOnly(e.outputs().get(TestModels.VIEW_MEAN)[0]);
      }
      assertThat(batcher.runs()).isEqualTo(2);
    }
  }

  private static FloatBuffer constant(float v) {
    FloatBuffer b =
        ByteBuffer.allocateDirect(4 * H * W).order(ByteOrder.nativeOrder()).asFloatBuffer();
    for (int i = 0; i < H * W; i++) {
      b.put(i, v);
    }
    return b;
  }
}
