package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mammotriage.contract.ModelThresholds;
import org.mammotriage.schemas.avro.ExamAssemblyState;
import org.mammotriage.schemas.avro.ExamScore;
import org.mammotriage.schemas.avro.SlotImage;
import org.mammotriage.schemas.avro.TriageDecision;
import org.mammotriage.scoring.ModelInfo;
import org.mammotriage.scoring.ScoreResult;

/** The two records a released exam version is written as. */
class ExamReleaseTest {
  static final ModelThresholds MANIFEST = new ModelThresholds(0.6, 0.2, 0.3, "manifest");
  static final ModelThresholds IN_FORCE = new ModelThresholds(0.5, 0.2, 0.3, "config");
  static final ModelInfo MODEL =
      new ModelInfo("demo", "2", "0123456789abcdef", "research only", MANIFEST);

  static ExamAssemblyState state() {
    return ExamAssemblyState.newBuilder()
        .setStudyInstanceUid("2.25.9")
        .setPatientKey("pk")
        .setAccessionNumber("ACC-9")
        .setVersion(2)
        .setFirstImageAt(1_000)
        .setLastImageAt(4_000)
        .setReleasedAt(5_000L)
        .setExtraViews(List.of("L_XCCL"))
        .setSlots(
            List.of(slot("L_CC", "2.25.9.1"), slot("L_MLO", "2.25.9.2"), slot("R_CC", "2.25.9.3")))
        .build();
  }

  static SlotImage slot(String slot, String sop) {
    return SlotImage.newBuilder()
        .setSlot(slot)
        .setSopInstanceUid(sop)
        .setPng(ByteBuffer.wrap(new byte[] {1}))
        .build();
  }

  static ExamRelease release(ScoreResult r, Category c, boolean risky) {
    return new ExamRelease(
        "2.25.9",
        state(),
        List.of("L_CC", "L_MLO", "R_CC"),
        List.of("R_MLO"),
        r,
        IN_FORCE,
        c,
        risky,
        List.of("MISSING_R_MLO", "CATEGORY_" + c.label().toUpperCase(java.util.Locale.ROOT)),
        5_000,
        5_250);
  }

  @Test
  void shouldWriteTheScoreWithTheExamTheModelAndTheThresholdsInForce() {
    // given
    ScoreResult r =
        new ScoreResult(
            "2.25.9",
            true,
            null,
            0.7,
            0.1,
            0.7,
            new double[] {0.1, 0.2, 0.3, 0.4, 0.5},
            MODEL,
            "cpu",
            12.5);

    // when
    ExamScore s = release(r, Category.SUSPICIOUS, true).examScore();

    // then
    assertThat(s.getExamKey()).isEqualTo("2.25.9");
    assertThat(s.getExamVersion()).isEqualTo(2);
    assertThat(s.getAccessionNumber()).isEqualTo("ACC-9");
    assertThat(s.getSlotsFilled()).containsExactly("L_CC", "L_MLO", "R_CC");
    assertThat(s.getSlotsMissing()).containsExactly("R_MLO");
    assertThat(s.getSopInstanceUids()).containsExactly("2.25.9.1", "2.25.9.2", "2.25.9.3");
    assertThat(s.getExtraViews()).containsExactly("L_XCCL");
    assertThat(s.getCategory()).isEqualTo("suspicious");
    assertThat(s.getRiskElevated()).isTrue();
    assertThat(s.getRisk()).containsExactly(0.1, 0.2, 0.3, 0.4, 0.5);
    assertThat(s.getReasonCodes()).containsExactly("MISSING_R_MLO", "CATEGORY_SUSPICIOUS");
    assertThat(s.getModel().getSha256()).isEqualTo("0123456789abcdef");
    assertThat(s.getThresholds().getSuspicious()).isEqualTo(0.5);
    assertThat(s.getThresholds().getSource()).isEqualTo("config");
    assertThat(s.getFirstImageAt()).isEqualTo(Instant.ofEpochMilli(1_000));
    assertThat(s.getLastImageAt()).isEqualTo(Instant.ofEpochMilli(4_000));
    assertThat(s.getReleasedAt()).isEqualTo(Instant.ofEpochMilli(5_000));
    assertThat(s.getScoredAt()).isEqualTo(Instant.ofEpochMilli(5_250));
    assertThat(s.getScoringMillis()).isEqualTo(12.5);
    assertThat(s.getScorerDevice()).isEqualTo("cpu");
  }

  @Test
  void shouldWriteTheDecisionWithItsLatenciesFromTheFirstAndLastImage() {
    // given
    ScoreResult r =
        new ScoreResult(
            "2.25.9", true, null, 0.3, 0.1, 0.3, new double[] {0, 0, 0, 0, 0}, MODEL, "cpu", 1);

    // when
    TriageDecision d = release(r, Category.ROUTINE, false).triageDecision();

    // then
    assertThat(d.getExamKey()).isEqualTo("2.25.9");
    assertThat(d.getExamVersion()).isEqualTo(2);
    assertThat(d.getPatientKey()).isEqualTo("pk");
    assertThat(d.getCategory()).isEqualTo("routine");
    assertThat(d.getRiskElevated()).isFalse();
    assertThat(d.getSuspicion()).isEqualTo(0.3);
    assertThat(d.getModelId()).isEqualTo("demo:2:0123456789ab");
    assertThat(d.getModelIntendedUse()).isEqualTo("research only");
    assertThat(d.getDecidedAt()).isEqualTo(Instant.ofEpochMilli(5_250));
    assertThat(d.getLatencyFromFirstImageMs()).isEqualTo(4_250);
    assertThat(d.getLatencyFromLastImageMs()).isEqualTo(1_250);
  }

  @Test
  void shouldWriteNoRiskForAnUnscorableExam() {
    // given
    ScoreResult r =
        new ScoreResult("2.25.9", false, "NO_VIEWS", null, null, null, null, MODEL, "cpu", 0);

    // when
    ExamRelease rel = release(r, Category.INCOMPLETE, false);

    // then
    assertThat(rel.examScore().getRisk()).isEmpty();
    assertThat(rel.examScore().getUnscorableReason()).isEqualTo("NO_VIEWS");
    assertThat(rel.triageDecision().getRisk()).isEmpty();
    assertThat(rel.triageDecision().getCategory()).isEqualTo("incomplete");
  }
}
