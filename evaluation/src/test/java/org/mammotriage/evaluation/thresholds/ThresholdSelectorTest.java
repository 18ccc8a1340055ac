package org.mammotriage.evaluation.thresholds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ThresholdSelectorTest {
  // ten cancers with scores 0.95 .. 0.05 and ten normals with scores 0.02 .. 0.47
  private static final double[] SCORES = {
    0.95, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35, 0.25, 0.15, 0.05, 0.02, 0.07, 0.12, 0.17, 0.22, 0.27,
    0.32, 0.37, 0.42, 0.47
  };
  private static final boolean[] CANCER = new boolean[20];

  static {
    for (int i = 0; i < 10; i++) {
      CANCER[i] = true;
    }
  }

  @Test
  void shouldPlaceSuspiciousAtTheNinthOfTenCancersForNinetyPercentSensitivity() {
    double t = ThresholdSelector.atSensitivity(SCORES, CANCER, 0.90);

    assertThat(t).isEqualTo(0.15);
    assertThat(OperatingPoint.at(t, SCORES, CANCER).sensitivity()).isEqualTo(0.9);
  }

  @Test
  void shouldPlaceLowBelowEveryCancerWhenNinetyNinePercentMustBeAbove() {
    Thresholds t =
        ThresholdSelector.defaults().select(SCORES, CANCER, SCORES, "test set (20 exams)");

    assertThat(t.low()).isEqualTo(0.05);
    assertThat(t.lowPoint().sensitivity()).isEqualTo(1.0);
    assertThat(t.suspicious()).isEqualTo(0.15);
    // specificity at 0.15: normals 0.02, 0.07, 0.12 below → 3 of 10
    assertThat(t.suspiciousPoint().specificity()).isEqualTo(0.3);
    // top decile of 20 risks = the 2nd highest
    assertThat(t.risk5y()).isEqualTo(0.85);
    assertThat(t.provenance()).contains("test set (20 exams)", "0.90", "0.99", "top 10%");
  }

  @Test
  void shouldRefuseToChooseWithoutCancersInTheValidationSet() {
    assertThatThrownBy(
            () -> ThresholdSelector.atSensitivity(new double[] {0.1}, new boolean[] {false}, 0.9))
        .hasMessageContaining("without any positive case");
  }

  @Test
  void shouldTradeWorkloadAgainstMissedCancers() {
    var curve =
        WorkloadCurve.compute(
            new double[] {0.1, 0.2, 0.3, 0.4}, new boolean[] {false, true, false, true});

    var atPoint3 = curve.stream().filter(p -> p.threshold() == 0.3).findFirst().orElseThrow();
    assertThat(atPoint3.workloadShareLow()).isEqualTo(0.5);
    assertThat(atPoint3.cancersMissedShare()).isEqualTo(0.5);
    assertThat(curve.get(0).workloadShareLow()).isZero();
  }
}
