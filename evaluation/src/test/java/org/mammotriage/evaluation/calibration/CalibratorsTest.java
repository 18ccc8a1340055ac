package org.mammotriage.evaluation.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.mammotriage.contract.Calibration;

/** Platt scaling, isotonic regression (PAV) and the choice between them on hand-made cases. */
class CalibratorsTest {

  @Test
  void shouldPoolAdjacentViolatorsOnASmallSequence() {
    // 3 > 2 violates: pooled to 2.5; 5 > 1 pools to 3 < 4, so 4, 5, 1 pool (10/3), then with 2: 3
    double[] fit =
        IsotonicRegression.pav(
            new double[] {1, 3, 2, 4, 5, 1, 2}, new double[] {1, 1, 1, 1, 1, 1, 1});
    assertThat(fit).containsExactly(new double[] {1, 2.5, 2.5, 3, 3, 3, 3}, within(1e-12));
  }

  @Test
  void shouldWeightPooledValues() {
    // weights 3 and 1: (3·1 + 1·0) / 4
    assertThat(IsotonicRegression.pav(new double[] {1, 0}, new double[] {3, 1}))
        .containsExactly(new double[] {0.75, 0.75}, within(1e-12));
    assertThat(IsotonicRegression.pav(new double[] {0, 0.5, 1}, new double[] {1, 1, 1}))
        .as("already monotone: unchanged")
        .containsExactly(new double[] {0, 0.5, 1}, within(1e-12));
  }

  @Test
  void shouldFitIsotonicKnotsWithTiesPooledFirst() {
    // raw 0.1 (neg), 0.2 (pos), 0.2 (neg), 0.3 (neg), 0.6 (pos), 0.8 (pos)
    double[] p = {0.2, 0.1, 0.3, 0.2, 0.6, 0.8};
    boolean[] y = {true, false, false, false, true, true};
    Calibration cal = IsotonicRegression.fit(p, y, "hand-made", "rule");
    // x = 0.1 → 0; 0.2 (½, weight 2) and 0.3 (0) pool to 1/3 over [0.2, 0.3]; 0.6, 0.8 → 1
    assertThat(cal.knotsX()).containsExactly(0.1, 0.2, 0.3, 0.6, 0.8);
    assertThat(cal.knotsY())
        .containsExactly(new double[] {0, 1.0 / 3, 1.0 / 3, 1, 1}, within(1e-12));
    assertThat(cal.apply(0.25)).as("flat inside a block").isCloseTo(1.0 / 3, within(1e-12));
    assertThat(cal.apply(0.45)).as("linear between blocks").isCloseTo(2.0 / 3, within(1e-12));
  }

  @Test
  void shouldRecoverKnownPlattParametersFromALargeSample() {
    // given: y ~ Bernoulli(σ(2·logit(p) − 1)) for p spread over (0, 1)
    SplittableRandom rnd = new SplittableRandom(7);
    int n = 40_000;
    double[] p = new double[n];
    boolean[] y = new boolean[n];
    for (int i = 0; i < n; i++) {
      double x = rnd.nextDouble(-3, 3);
      p[i] = PlattScaling.sigmoid(x);
      y[i] = rnd.nextDouble() < PlattScaling.sigmoid(2 * x - 1);
    }
    // when
    double[] ab = PlattScaling.parameters(p, y);
    // then
    assertThat(ab[0]).isCloseTo(2, within(0.1));
    assertThat(ab[1]).isCloseTo(-1, within(0.1));
  }

  @Test
  void shouldGiveAFiniteIncreasingMapOnSeparableData() {
    // every positive above every negative: plain MLE diverges, Platt's targets keep it finite
    double[] p = {0.1, 0.2, 0.3, 0.6, 0.7, 0.8};
    boolean[] y = {false, false, false, true, true, true};
    Calibration cal = PlattScaling.fit(p, y, "hand-made", "rule");
    assertThat(cal.a()).isPositive().isFinite();
    // targets are 1/5 and 4/5: the fit stays between them at the extremes of the data
    assertThat(cal.apply(0.1)).isBetween(0.0, 0.2 + 1e-6);
    assertThat(cal.apply(0.8)).isBetween(0.8 - 1e-6, 1.0);
    assertThat(cal.apply(0.3)).isLessThan(cal.apply(0.6));
  }

  @Test
  void shouldRefuseScoresThatRankInversely() {
    double[] p = {0.9, 0.8, 0.7, 0.3, 0.2, 0.1};
    boolean[] y = {false, false, false, true, true, true};
    assertThatThrownBy(() -> PlattScaling.fit(p, y, "val", "rule"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not positive on val");
  }

  @Test
  void shouldMeasureBrierOnKnownValues() {
    // (0.1 − 0)² and (0.8 − 1)²: (0.01 + 0.04) / 2
    assertThat(CalibrationMetrics.brier(new double[] {0.1, 0.8}, new boolean[] {false, true}))
        .isCloseTo(0.025, within(1e-12));
  }

  @Test
  void shouldGiveZeroEceWhenEachBinMatchesItsRate() {
    // one bin of four at 0.25 with one positive; exact
    assertThat(
            CalibrationMetrics.ece(
                new double[] {0.25, 0.25, 0.25, 0.25},
                new boolean[] {true, false, false, false},
                1))
        .isCloseTo(0, within(1e-12));
    // predictions 0.9 for outcomes that are all 0: |0.9 − 0|
    assertThat(CalibrationMetrics.ece(new double[] {0.9, 0.9}, new boolean[] {false, false}, 2))
        .isCloseTo(0.9, within(1e-12));
  }

  @Test
  void shouldReportAnEceIntervalThatHoldsItsEstimateForAWellCalibratedModelOnAFewHundredExams() {
    // given: 183 women, two breasts each (the demo model's test split), outcomes drawn from the
    // predicted probability itself (a perfectly calibrated model: the true ECE is 0)
    int sets = 0;
    int percentileMissed = 0;
    for (long seed = 1; seed <= 30; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      int n = 366;
      double[] p = new double[n];
      boolean[] y = new boolean[n];
      String[] patients = new String[n];
      for (int i = 0; i < n; i++) {
        p[i] = 0.02 + 0.3 * rnd.nextDouble() * rnd.nextDouble();
        y[i] = rnd.nextDouble() < p[i];
        patients[i] = "w" + (i / 2);
      }

      // when
      CalibrationMetrics.Measured m = CalibrationMetrics.measure(p, y, patients, 300, seed);
      var percentile =
          org.mammotriage.evaluation.metrics.BootstrapCi.statistic(
              n,
              patients,
              "patient",
              idx ->
                  CalibrationMetrics.ece(
                      org.mammotriage.evaluation.metrics.BootstrapCi.pick(p, idx),
                      pickLabels(y, idx),
                      CalibrationMetrics.BINS),
              300,
              0.95,
              seed);

      // then: the reported ECE lies in its interval, is at most the plug-in (whose upward bias it
      // removes) and the plug-in is the set's own ECE
      sets++;
      assertThat(m.ecePlugIn()).isEqualTo(CalibrationMetrics.ece(p, y, CalibrationMetrics.BINS));
      assertThat(m.ece().lower()).isLessThanOrEqualTo(m.ece().estimate());
      assertThat(m.ece().upper()).isGreaterThanOrEqualTo(m.ece().estimate());
      assertThat(m.ece().estimate()).isLessThanOrEqualTo(m.ecePlugIn());
      assertThat(m.ece().lower()).as("the true ECE, 0, is not excluded").isLessThan(0.02);
      if (percentile.lower() > m.ecePlugIn()) {
        percentileMissed++;
      }
    }
    assertThat(sets).isEqualTo(30);
    assertThat(percentileMissed)
        .as("sets where a percentile interval would have missed the plug-in ECE")
        .isPositive();
  }

  private static boolean[] pickLabels(boolean[] v, int[] idx) {
    boolean[] out = new boolean[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = v[idx[i]];
    }
    return out;
  }

  @Test
  void shouldGiveNearZeroEceForAPerfectlyCalibratedSyntheticSetAndAHighOneWhenShifted() {
    SplittableRandom rnd = new SplittableRandom(11);
    int n = 50_000;
    double[] p = new double[n];
    double[] shifted = new double[n];
    boolean[] y = new boolean[n];
    String[] patients = new String[n];
    for (int i = 0; i < n; i++) {
      p[i] = rnd.nextDouble();
      y[i] = rnd.nextDouble() < p[i];
      shifted[i] = Math.min(1, p[i] + 0.2);
      patients[i] = "p" + (i / 2);
    }
    assertThat(CalibrationMetrics.ece(p, y, 10)).isLessThan(0.01);
    CalibrationMetrics.Measured m = CalibrationMetrics.measure(shifted, y, patients, 50, 1);
    assertThat(m.ece().estimate()).isGreaterThan(0.15);
    assertThat(m.ece().lower()).isLessThan(m.ece().estimate());
    assertThat(m.ece().upper()).isGreaterThan(m.ece().estimate());
    assertThat(m.ece().resampled()).isEqualTo("patient");
    assertThat(m.curve().bins()).hasSize(10).allMatch(b -> b.count() == n / 10);
  }

  @Test
  void shouldCalibrateAnOverconfidentModelAndChooseByCrossValidation() {
    // given: raw probabilities far too high (true rate σ(logit(p) − 2)), patients with two samples
    SplittableRandom rnd = new SplittableRandom(3);
    int n = 4000;
    double[] p = new double[n];
    boolean[] y = new boolean[n];
    String[] patients = new String[n];
    for (int i = 0; i < n; i++) {
      double x = rnd.nextDouble(-2, 4);
      p[i] = PlattScaling.sigmoid(x);
      y[i] = rnd.nextDouble() < PlattScaling.sigmoid(x - 2);
      patients[i] = "p" + (i / 2);
    }
    // when
    CalibratorChoice.Choice c = CalibratorChoice.choose(p, y, patients, 5, 1, "synthetic");
    // then: a logistic truth is Platt's own family; the chosen map brings the ECE down
    assertThat(c.calibration().method()).isEqualTo(Calibration.PLATT);
    assertThat(c.plattBrier()).isLessThanOrEqualTo(c.isotonicBrier());
    assertThat(c.calibration().a()).isCloseTo(1, within(0.15));
    assertThat(c.calibration().b()).isCloseTo(-2, within(0.2));
    assertThat(CalibrationMetrics.ece(p, y, 10)).isGreaterThan(0.2);
    assertThat(CalibrationMetrics.ece(c.calibration().apply(p), y, 10)).isLessThan(0.04);
    assertThat(c.rule()).contains("5-fold").contains("Platt on a tie");
  }

  @Test
  void shouldChooseIsotonicWhenTheTruthIsAStep() {
    // the true rate jumps from 0.05 to 0.9 at p = 0.5: no logistic in logit(p) fits a step
    SplittableRandom rnd = new SplittableRandom(5);
    int n = 4000;
    double[] p = new double[n];
    boolean[] y = new boolean[n];
    String[] patients = new String[n];
    for (int i = 0; i < n; i++) {
      p[i] = rnd.nextDouble(0.4, 0.6);
      y[i] = rnd.nextDouble() < (p[i] < 0.5 ? 0.05 : 0.9);
      patients[i] = "p" + i;
    }
    CalibratorChoice.Choice c = CalibratorChoice.choose(p, y, patients, 5, 1, "synthetic");
    assertThat(c.calibration().method()).isEqualTo(Calibration.ISOTONIC);
    assertThat(c.isotonicBrier()).isLessThan(c.plattBrier());
  }
}
