package org.mammotriage.evaluation.survival;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class KYearAucTest {
  @Test
  void shouldCountLaterCancersAsNegativesAndDropShortFollowupWhenComputingTwoYearAuc() {
    // A cancer 1y (pos), B cancer 3y (neg: after the horizon), C censored 1.5y (excluded), D
    // censored 5y (neg),
    // E cancer 2y (pos: within the horizon, inclusive)
    List<SurvivalOutcome> outcomes =
        List.of(
            SurvivalOutcome.cancerAt(1),
            SurvivalOutcome.cancerAt(3),
            SurvivalOutcome.censoredAt(1.5),
            SurvivalOutcome.censoredAt(5),
            SurvivalOutcome.cancerAt(2));
    double[] risk = {0.8, 0.7, 0.99, 0.2, 0.6};

    var r = KYearAuc.compute(risk, outcomes, 2);

    // pairs (pos, neg): A>B, A>D, E<B, E>D
    assertThat(r.auc()).isCloseTo(0.75, within(1e-12));
    assertThat(r.positives()).isEqualTo(2);
    assertThat(r.negatives()).isEqualTo(2);
    assertThat(r.excluded()).isEqualTo(1);
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
}
