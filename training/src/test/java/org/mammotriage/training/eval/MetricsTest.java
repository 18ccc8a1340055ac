package org.mammotriage.training.eval;

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
    double[] s = {0.1, 0.4, 0.35, 0.8, 0.7, 0.2};
    int[] y = {0, 0, 1, 1, 1, 0};
    var a = BootstrapCi.binary(s, y, Auc::of, 200, 7);
    var b = BootstrapCi.binary(s, y, Auc::of, 200, 7);
    assertThat(a).isEqualTo(b);
    assertThat(a.resamples()).isEqualTo(200);
    assertThat(a.format()).matches("\\d\\.\\d{3} \\[\\d\\.\\d{3}, \\d\\.\\d{3}\\]");
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
