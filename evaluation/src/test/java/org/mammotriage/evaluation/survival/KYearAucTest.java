package org.mammotriage.evaluation.survival;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class KYearAucTest {
  @Test
  void shouldCountLaterCancersAsNegativesAndDropShortFollowupWhenComputingTwoYearAuc() {
    // A cancer 1y (pos), B cancer 3y (neg: after the horizon), C censored 1.5y (excluded), D
    // censored 5y (neg), E cancer at 1.99y (pos: in the second year)
    List<SurvivalOutcome> outcomes =
        List.of(
            SurvivalOutcome.cancerAt(1),
            SurvivalOutcome.cancerAt(3),
            SurvivalOutcome.censoredAt(1.5),
            SurvivalOutcome.censoredAt(5),
            SurvivalOutcome.cancerAt(1.99));
    double[] risk = {0.8, 0.7, 0.99, 0.2, 0.6};

    var r = KYearAuc.compute(risk, outcomes, 2);

    // pairs (pos, neg): A>B, A>D, E<B, E>D
    assertThat(r.auc()).isCloseTo(0.75, within(1e-12));
    assertThat(r.positives()).isEqualTo(2);
    assertThat(r.negatives()).isEqualTo(2);
    assertThat(r.excluded()).isEqualTo(1);
  }

  @Test
  void shouldCountACancerAtExactlyTheHorizonAsANegativeAsMiraiDoes() {
    // Mirai's year index is floor(t): a cancer at 2.0 y is in year 3, so not a 2-year positive
    List<SurvivalOutcome> outcomes =
        List.of(
            SurvivalOutcome.cancerAt(1),
            SurvivalOutcome.cancerAt(2.0),
            SurvivalOutcome.censoredAt(2.0),
            SurvivalOutcome.censoredAt(1.99));
    double[] risk = {0.8, 0.9, 0.1, 0.5};

    var r = KYearAuc.compute(risk, outcomes, 2);

    // positive A (0.8); negatives: the 2.0 y cancer (0.9) and the 2.0 y follow-up (0.1)
    assertThat(r.positives()).isEqualTo(1);
    assertThat(r.negatives()).isEqualTo(2);
    assertThat(r.excluded()).isEqualTo(1);
    assertThat(r.auc()).isCloseTo(0.5, within(1e-12));
    assertThat(SurvivalOutcome.cancerAt(1.0).positiveAt(1)).isFalse();
    assertThat(SurvivalOutcome.cancerAt(1.0).negativeAt(1)).isTrue();
    assertThat(SurvivalOutcome.cancerAt(0.999).positiveAt(1)).isTrue();
  }

  @Test
  void shouldTreatTiedScoresAsHalfConcordant() {
    var r =
        KYearAuc.compute(
            new double[] {0.5, 0.5},
            List.of(SurvivalOutcome.cancerAt(0), SurvivalOutcome.censoredAt(6)),
            5);

    assertThat(r.auc()).isEqualTo(0.5);
  }

  @Test
  void shouldGiveAPointIntervalToAPerfectRankingAndResamplePatients() {
    // two exams per patient, risks rank every positive first
    List<SurvivalOutcome> outcomes =
        List.of(
            SurvivalOutcome.cancerAt(0.5),
            SurvivalOutcome.censoredAt(6),
            SurvivalOutcome.cancerAt(1.5),
            SurvivalOutcome.censoredAt(4),
            SurvivalOutcome.cancerAt(0.2),
            SurvivalOutcome.censoredAt(3));
    double[] risk = {0.9, 0.1, 0.8, 0.2, 0.7, 0.3};
    String[] patients = {"a", "a", "b", "b", "c", "c"};

    var ci = KYearAuc.interval(risk, outcomes, 2, patients, 300, 1);

    assertThat(ci.estimate()).isEqualTo(1.0);
    assertThat(ci.lower()).isEqualTo(1.0);
    assertThat(ci.upper()).isEqualTo(1.0);
    assertThat(ci.undefined()).isZero(); // every patient brings a positive and a negative
    assertThat(ci.resampled()).isEqualTo("patient");
  }
}
