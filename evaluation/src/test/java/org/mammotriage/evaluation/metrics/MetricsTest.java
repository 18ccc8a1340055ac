package org.mammotriage.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MetricsTest {

  @Test
  void shouldComputeAucFromPairwiseOrderingWithTiesCountingHalf() {
    // given: positives 0.8, 0.4; negatives 0.4, 0.1 -> pairs
    // (0.8>0.4),(0.8>0.1),(0.4=0.4),(0.4>0.1)
    double[] s = {0.8, 0.4, 0.4, 0.1};
    int[] y = {1, 1, 0, 0};
    // when / then: (1 + 1 + 0.5 + 1) / 4
    assertThat(Auc.of(s, y)).isCloseTo(0.875, within(1e-12));
    assertThat(Auc.of(new double[] {0.1, 0.9}, new int[] {1, 0})).isZero();
    assertThat(Auc.of(new double[] {0.1, 0.9}, new int[] {1, 1})).isNaN();
  }

  @Test
  void shouldRejectNonBinaryLabelsAndLengthMismatch() {
    assertThatThrownBy(() -> Auc.of(new double[] {0.1, 0.2}, new int[] {0, 2}))
        .hasMessageContaining("0/1");
    assertThatThrownBy(() -> Auc.of(new double[] {0.1}, new int[] {0, 1}))
        .hasMessageContaining("length");
  }

  @Test
  void shouldAverageOneVsRestAucOverPresentClasses() {
    // given: class 0 perfectly separated, class 1 reversed, class 2 absent
    double[][] p = {{0.9, 0.1, 0}, {0.8, 0.2, 0}, {0.1, 0.0, 0}, {0.2, 0.05, 0}};
    int[] y = {0, 0, 1, 1};
    // then: class0 AUC=1, class1 AUC=0 (positives 0.0,0.05 below negatives 0.1,0.2)
    assertThat(Auc.macroOneVsRest(p, y)).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void shouldComputeBalancedAccuracyAsMeanRecall() {
    // given: class 0 recall 3/4, class 1 recall 1/2
    int[] truth = {0, 0, 0, 0, 1, 1};
    int[] pred = {0, 0, 0, 1, 1, 0};
    assertThat(BalancedAccuracy.of(pred, truth)).isCloseTo(0.625, within(1e-12));
    assertThat(BalancedAccuracy.atThreshold(new double[] {0.2, 0.7}, new int[] {0, 1}, 0.5))
        .isEqualTo(1.0);
    assertThat(BalancedAccuracy.ofArgMax(new double[][] {{0.1, 0.9}, {0.6, 0.4}}, new int[] {1, 1}))
        .isCloseTo(0.5, within(1e-12));
  }

  @Test
  void shouldGiveABootstrapIntervalAroundTheEstimateThatNarrowsWithMoreData() {
    // given: noisy scores with a true signal
    SplittableRandom r = new SplittableRandom(1);
    Result small = interval(r, 60);
    Result large = interval(r, 2000);
    // then
    assertThat(small.ci.lower()).isLessThanOrEqualTo(small.ci.estimate());
    assertThat(small.ci.upper()).isGreaterThanOrEqualTo(small.ci.estimate());
    assertThat(large.ci.upper() - large.ci.lower()).isLessThan(small.ci.upper() - small.ci.lower());
    assertThat(large.ci.lower()).isGreaterThan(0.5);
  }

  @Test
  void shouldBeReproducibleForTheSameSeed() {
    double[] s = {0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.15, 0.45, 0.3, 0.9, 0.6, 0.25};
    int[] y = {0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0};
    var a = BootstrapCi.binary(s, y, Auc::of, 200, 7);
    var b = BootstrapCi.binary(s, y, Auc::of, 200, 7);
    assertThat(a).isEqualTo(b);
    assertThat(a.resamples()).isEqualTo(200);
    assertThat(a.format()).matches("\\d\\.\\d{3} \\[\\d\\.\\d{3}, \\d\\.\\d{3}\\]");
  }

  @Test
  void shouldResampleWholePatientsSoRepeatedImagesDoNotNarrowTheInterval() {
    // given: 80 patients with a noisy score, each seen as 4 identical images (as if CC/MLO of both
    // breasts carried no extra information)
    SplittableRandom r = new SplittableRandom(3);
    int n = 80;
    double[] s = new double[n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
      s[i] = y[i] * 0.4 + r.nextDouble();
    }
    double[] s4 = new double[4 * n];
    int[] y4 = new int[4 * n];
    String[] patient = new String[4 * n];
    for (int i = 0; i < 4 * n; i++) {
      s4[i] = s[i / 4];
      y4[i] = y[i / 4];
      patient[i] = "p" + (i / 4);
    }
    // when
    var unique = BootstrapCi.binary(s, y, Auc::of, 2000, 5);
    var naive = BootstrapCi.binary(s4, y4, Auc::of, 2000, 5);
    var clustered = BootstrapCi.binary(s4, y4, patient, "patient", Auc::of, 2000, 5);
    // then: the same AUC; per image the interval is about half as wide as the data support,
    // per patient it is as wide as on the 80 patients themselves
    double wUnique = unique.upper() - unique.lower();
    double wNaive = naive.upper() - naive.lower();
    double wClustered = clustered.upper() - clustered.lower();
    assertThat(clustered.estimate()).isCloseTo(unique.estimate(), within(1e-12));
    assertThat(wNaive).isLessThan(0.7 * wUnique);
    assertThat(wClustered).isBetween(0.85 * wUnique, 1.15 * wUnique);
    assertThat(clustered.resampled()).isEqualTo("patient");
    assertThat(naive.resampled()).isEqualTo("sample");
    // and one patient per sample is the plain bootstrap, draw for draw
    String[] own = new String[n];
    for (int i = 0; i < n; i++) {
      own[i] = "p" + i;
    }
    var singletons = BootstrapCi.binary(s, y, own, "patient", Auc::of, 2000, 5);
    assertThat(singletons.lower()).isEqualTo(unique.lower());
    assertThat(singletons.upper()).isEqualTo(unique.upper());
  }

  private record Result(BootstrapCi.Interval ci) {}

  private static Result interval(SplittableRandom r, int n) {
    double[] s = new double[n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
      s[i] = y[i] * 0.5 + r.nextDouble();
    }
    return new Result(BootstrapCi.binary(s, y, Auc::of, 300, 3));
  }
}
