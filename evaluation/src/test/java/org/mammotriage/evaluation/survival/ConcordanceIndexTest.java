package org.mammotriage.evaluation.survival;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConcordanceIndexTest {
  // A cancer at 1y, B cancer at 3y, C censored at 2y, D censored at 5y.
  // Comparable pairs: A-B, A-C, A-D (A's cancer came first) and B-D (D still cancer-free after 3y);
  // C-B is not
  // (C was censored before B's cancer).
  private static final List<SurvivalOutcome> OUTCOMES =
      List.of(
          SurvivalOutcome.cancerAt(1),
          SurvivalOutcome.cancerAt(3),
          SurvivalOutcome.censoredAt(2),
          SurvivalOutcome.censoredAt(5));

  @Test
  void shouldBeOneWhenEveryEarlierCancerHasTheHigherRisk() {
    var r = ConcordanceIndex.compute(new double[] {0.9, 0.5, 0.3, 0.1}, OUTCOMES);

    assertThat(r.comparablePairs()).isEqualTo(4);
    assertThat(r.cIndex()).isEqualTo(1.0);
  }

  @Test
  void shouldCountDiscordantPairsAndHalfForTies() {
    // B-D discordant (0.5 < 0.6), A-C tied (0.9 = 0.9): (1 + 1 + 0.5 + 0) / 4
    var r = ConcordanceIndex.compute(new double[] {0.9, 0.5, 0.9, 0.6}, OUTCOMES);

    assertThat(r.cIndex()).isCloseTo(0.625, within(1e-12));
  }

  @Test
  void shouldBeUndefinedWithoutAnyCancer() {
    var r =
        ConcordanceIndex.compute(
            new double[] {0.1, 0.2},
            List.of(SurvivalOutcome.censoredAt(1), SurvivalOutcome.censoredAt(2)));

    assertThat(r.comparablePairs()).isZero();
    assertThat(r.cIndex()).isNaN();
  }

  @Test
  void shouldGiveAPointIntervalWhenEveryResampleIsConcordant() {
    // one patient per exam; every resample that holds a comparable pair ranks it correctly
    var ci =
        ConcordanceIndex.interval(
            new double[] {0.9, 0.5, 0.3, 0.1}, OUTCOMES, new String[] {"a", "b", "c", "d"}, 500, 2);

    assertThat(ci.estimate()).isEqualTo(1.0);
    assertThat(ci.resamples()).isEqualTo(500);
    // no comparable pair without A unless both B and D are drawn: (3/4)^4 · (2·(2/3)^4 − (1/3)^4)
    // = 0.121 of the resamples
    assertThat(ci.undefined()).isBetween(40, 85);
    // 12% > 2.5%: both bounds fall among the undefined resamples and are not determined
    assertThat(ci.lower()).isNaN();
    assertThat(ci.upper()).isNaN();
  }

  @Test
  void shouldResampleAPatientsExamsTogether() {
    // patient x: a cancer at 1 y and a later exam followed 5 y; patient y likewise: the pairs
    // across
    // patients are comparable in every resample that holds both
    List<SurvivalOutcome> outcomes =
        List.of(
            SurvivalOutcome.cancerAt(1),
            SurvivalOutcome.censoredAt(5),
            SurvivalOutcome.cancerAt(1.5),
            SurvivalOutcome.censoredAt(6));
    var ci =
        ConcordanceIndex.interval(
            new double[] {0.9, 0.1, 0.8, 0.2}, outcomes, new String[] {"x", "x", "y", "y"}, 400, 3);

    // every patient holds a comparable pair of its own: no resample is undefined, all are 1
    assertThat(ci.undefined()).isZero();
    assertThat(ci.lower()).isEqualTo(1.0);
    assertThat(ci.upper()).isEqualTo(1.0);
  }
}
