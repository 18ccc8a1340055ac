package org.mammotriage.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mammotriage.contract.ModelThresholds;
import org.mammotriage.scoring.ModelInfo;
import org.mammotriage.scoring.ScoreResult;

/** The routing rule: category by thresholds, and the category's reason code. */
class TriageTest {
  static final ModelThresholds T = new ModelThresholds(0.6, 0.2, 0.3, "manifest");
  static final ModelInfo MODEL = new ModelInfo("m", "1", "abc", "test", T);

  static ScoreResult scored(double suspicion) {
    return new ScoreResult(
        "s", true, null, suspicion, suspicion, suspicion, new double[5], MODEL, "cpu", 1);
  }

  @Test
  void shouldRouteByTheThresholdsInForce() {
    assertThat(Triage.category(scored(0.6), T)).isEqualTo(Category.SUSPICIOUS);
    assertThat(Triage.category(scored(0.59), T)).isEqualTo(Category.ROUTINE);
    assertThat(Triage.category(scored(0.2), T)).isEqualTo(Category.ROUTINE);
    assertThat(Triage.category(scored(0.19), T)).isEqualTo(Category.LOW);
  }

  static ScoreResult oneBreast(Double left, Double right) {
    double s = left != null ? left : right;
    return new ScoreResult("s", true, null, left, right, s, new double[5], MODEL, "cpu", 1);
  }

  @Test
  void shouldRouteAnExamWithABreastUnseenToIncompleteWhenTheOtherIsNotSuspicious() {
    assertThat(Triage.category(oneBreast(0.1, null), T)).isEqualTo(Category.INCOMPLETE);
    assertThat(Triage.category(oneBreast(null, 0.1), T)).isEqualTo(Category.INCOMPLETE);
    assertThat(Triage.category(oneBreast(0.4, null), T)).isEqualTo(Category.INCOMPLETE);
    assertThat(Triage.category(oneBreast(null, 0.59), T)).isEqualTo(Category.INCOMPLETE);
  }

  @Test
  void shouldRouteAnExamWithABreastUnseenToSuspiciousWhenTheSeenBreastIsSuspicious() {
    assertThat(Triage.category(oneBreast(0.6, null), T)).isEqualTo(Category.SUSPICIOUS);
    assertThat(Triage.category(oneBreast(null, 0.9), T)).isEqualTo(Category.SUSPICIOUS);
  }

  @Test
  void shouldNameTheUnseenBreastInTheReasons() {
    ScoreResult r = oneBreast(null, 0.1);
    List<String> reasons =
        Triage.reasons(List.of("L_CC", "L_MLO"), true, 1, r, Triage.category(r, T), false);

    assertThat(reasons).contains("BREAST_UNSEEN_L", "CATEGORY_INCOMPLETE");
    assertThat(reasons).doesNotContain("BREAST_UNSEEN_R");
  }

  @Test
  void shouldRouteAnUnscorableExamToIncomplete() {
    ScoreResult r =
        new ScoreResult("s", false, "NO_VIEWS", null, null, null, null, MODEL, "cpu", 0);

    assertThat(Triage.category(r, T)).isEqualTo(Category.INCOMPLETE);
  }

  @Test
  void shouldEndTheReasonsWithTheCategoryInUpperCase() {
    List<String> reasons = Triage.reasons(List.of(), false, 1, scored(0.1), Category.LOW, false);

    assertThat(reasons).containsExactly("CATEGORY_LOW");
  }
}
