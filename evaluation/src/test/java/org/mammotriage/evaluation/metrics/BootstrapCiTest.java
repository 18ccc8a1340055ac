package org.mammotriage.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The bootstrap's handling of undefined resamples and the paired difference, on known values. */
class BootstrapCiTest {

  @Test
  void shouldHoldTheBiasCorrectedEstimateWhereThePercentileIntervalMissesThePlugIn() {
    // given: |mean| of 60 draws of a zero-mean variable, a statistic biased upward like the ECE;
    // seeds where the plug-in happens to land near 0, so its resamples all lie above it
    int missedByPercentile = 0;
    for (long seed = 1; seed <= 40; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      double[] x = new double[60];
      for (int i = 0; i < x.length; i++) {
        x[i] = rnd.nextGaussian();
      }
      BootstrapCi.IndexStatistic absMean =
          idx -> {
            double s = 0;
            for (int i : idx) {
              s += x[i];
            }
            return Math.abs(s / idx.length);
          };

      // when
      var percentile = BootstrapCi.statistic(x.length, null, "sample", absMean, 400, 0.95, seed);
      var corrected =
          BootstrapCi.statisticBiasCorrected(x.length, null, "sample", absMean, 400, 0.95, seed, 0);

      // then: the corrected interval always holds its estimate, never goes below the floor, and
      // its estimate is the plug-in less the bootstrap's bias (never more than the plug-in here)
      assertThat(corrected.lower()).isLessThanOrEqualTo(corrected.estimate());
      assertThat(corrected.upper()).isGreaterThanOrEqualTo(corrected.estimate());
      assertThat(corrected.lower()).isGreaterThanOrEqualTo(0);
      assertThat(corrected.resamples()).isEqualTo(400);
      if (percentile.excludes(percentile.estimate())) {
        missedByPercentile++;
        assertThat(corrected.estimate()).isLessThan(percentile.estimate());
      }
    }
    assertThat(missedByPercentile)
        .as("seeds whose percentile interval misses the plug-in: the case being fixed")
        .isPositive();
  }

  @Test
  void shouldTakePlainPercentilesWhenEveryResampleIsDefined() {
    double[] v = new double[100];
    for (int i = 0; i < 100; i++) {
      v[i] = 100 - i; // order must not matter
    }
    var ci = BootstrapCi.fromResamples(50, v, 0.95, "patient");
    // position 0.025·99 = 2.475 between 3 and 4; 0.975·99 = 96.525 between 97 and 98
    assertThat(ci.lower()).isCloseTo(3.475, within(1e-12));
    assertThat(ci.upper()).isCloseTo(97.525, within(1e-12));
    assertThat(ci.resamples()).isEqualTo(100);
    assertThat(ci.undefined()).isZero();
  }

  @Test
  void shouldPlaceUndefinedResamplesAtTheExtremesInsteadOfDroppingThem() {
    // given 100 resamples: 2 undefined, values 1..98
    double[] v = new double[100];
    v[0] = Double.NaN;
    v[1] = Double.NaN;
    for (int i = 2; i < 100; i++) {
      v[i] = i - 1;
    }
    var ci = BootstrapCi.fromResamples(50, v, 0.95, "patient");
    // lower: [-inf, -inf, 1, 2, ...] at 2.475 → 1 + 0.475·(2 − 1); upper: [..., 97, 98, +inf, +inf]
    // at 96.525 → 97 + 0.525·(98 − 97). Dropping the two NaNs would give 3.425 and 95.575.
    assertThat(ci.lower()).isCloseTo(1.475, within(1e-12));
    assertThat(ci.upper()).isCloseTo(97.525, within(1e-12));
    assertThat(ci.undefined()).isEqualTo(2);
    assertThat(ci.resamples()).isEqualTo(100);
  }

  @Test
  void shouldReportABoundAsUndeterminedWhenItFallsAmongTheUndefinedResamples() {
    double[] v = new double[100];
    for (int i = 0; i < 100; i++) {
      v[i] = i < 3 ? Double.NaN : i;
    }
    var ci = BootstrapCi.fromResamples(50, v, 0.95, "patient");
    assertThat(ci.lower()).isNaN();
    assertThat(ci.upper()).isNaN();
    assertThat(ci.undefined()).isEqualTo(3);
    assertThat(ci.format()).isEqualTo("50.000 [n/a, n/a]");
    assertThat(ci.excludes(0)).isFalse();
  }

  @Test
  void shouldCountResamplesWithOneClassInsteadOfRedrawingThem() {
    // given two patients, one positive and one negative: half of all resamples hold one class only
    double[] s = {0.9, 0.1};
    int[] y = {1, 0};
    // when
    var ci = BootstrapCi.binary(s, y, new String[] {"a", "b"}, "patient", Auc::of, 400, 1);
    // then every drawn resample is kept and about half are undefined; a redrawing bootstrap would
    // have reported [1.000, 1.000] from the lucky half
    assertThat(ci.estimate()).isEqualTo(1.0);
    assertThat(ci.resamples()).isEqualTo(400);
    assertThat(ci.undefined()).isBetween(150, 250);
    assertThat(ci.lower()).isNaN();
    assertThat(ci.upper()).isNaN();
  }

  @Test
  void shouldGiveTheDifferenceOfSeedMeansWithAPairedResample() {
    // given four patients with one negative and one positive image each; method A: one seed ranks
    // perfectly (AUC 1), one scores everything the same (AUC 0.5); method B: one seed with AUC 0.5
    int[] y = {0, 1, 0, 1, 0, 1, 0, 1};
    double[][] a = {{0, 1, 0, 1, 0, 1, 0, 1}, {5, 5, 5, 5, 5, 5, 5, 5}};
    double[][] b = {{3, 3, 3, 3, 3, 3, 3, 3}};
    String[] patients = {"p1", "p1", "p2", "p2", "p3", "p3", "p4", "p4"};
    // when
    var d = BootstrapCi.pairedDifference(a, b, y, patients, "patient", Auc::of, 500, 0.95, 9);
    // then (1 + 0.5)/2 − 0.5 = 0.25 on all data and on every resample that holds both classes
    // (each patient holds one of each, so every resample does)
    assertThat(d.estimate()).isCloseTo(0.25, within(1e-12));
    assertThat(d.lower()).isCloseTo(0.25, within(1e-12));
    assertThat(d.upper()).isCloseTo(0.25, within(1e-12));
    assertThat(d.undefined()).isZero();
    assertThat(d.excludes(0)).isTrue();
  }

  @Test
  void shouldGiveANarrowerIntervalToADifferenceThanTheTwoMarginalIntervalsSuggest() {
    // given two methods that share most of their errors (B = A + small independent noise)
    SplittableRandom r = new SplittableRandom(4);
    int n = 200;
    int[] y = new int[n];
    double[] a = new double[n];
    double[] b = new double[n];
    String[] p = new String[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
      a[i] = y[i] * 0.6 + r.nextDouble();
      b[i] = a[i] + 0.05 * r.nextGaussian();
      p[i] = "p" + i;
    }
    // when
    var ca = BootstrapCi.binary(a, y, p, "patient", Auc::of, 1000, 3);
    var cb = BootstrapCi.binary(b, y, p, "patient", Auc::of, 1000, 3);
    var d =
        BootstrapCi.pairedDifference(
            new double[][] {a}, new double[][] {b}, y, p, "patient", Auc::of, 1000, 0.95, 3);
    // then the paired interval is far narrower than either marginal one
    assertThat(d.estimate()).isCloseTo(ca.estimate() - cb.estimate(), within(1e-12));
    assertThat(d.upper() - d.lower()).isLessThan(0.3 * (ca.upper() - ca.lower()));
    assertThat(d.upper() - d.lower()).isLessThan(0.3 * (cb.upper() - cb.lower()));
  }
}
